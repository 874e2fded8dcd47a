// The progress display in a real pseudo-terminal (tmux): two workers, several runs, other output written meanwhile. Asserts on the
// screen tmux renders: never more than one overall line and one line per worker, bars always the bottom block, no stale bars after
// the end, each run's "done" line exactly once; off a TTY, timestamped plain lines without escape codes.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { REPO } from './helpers/cli.ts';

const RUNS = 7;
const DEMO = ['bin/run-ts.js', 'tests/helpers/progress-demo.ts', String(RUNS), '20'];
const ids = Array.from({ length: RUNS }, (_, i) => `demo-C1.00e10-i${String(i).padStart(2, '0')}`);
const isBar = (l: string) => /[█░]/.test(l);

function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

describe('progress display', () => {
  it('under tmux: redraws in place, one line per active worker plus one overall line, each finished run printed once', async () => {
    // tmux is installed by .ci/run; without it this test must fail, not pass silently.
    expect(spawnSync('tmux', ['-V']).status, 'tmux is required (apt-get install tmux)').toBe(0);
    const socket = `scaling-pty-${process.pid}`;
    const cmd = `cd ${JSON.stringify(REPO)} && ${JSON.stringify(process.execPath)} ${DEMO.join(' ')}; echo EXIT:$?; sleep 30`;
    tmux(socket, 'new-session', '-d', '-s', 'demo', '-x', '110', '-y', '40', cmd);
    const screens: string[][] = [];
    try {
      const t0 = Date.now();
      for (;;) {
        const screen = tmux(socket, 'capture-pane', '-p', '-t', 'demo').split('\n').filter((l) => l.trim() !== '');
        screens.push(screen);
        if (screen.some((l) => l.startsWith('EXIT:'))) break;
        if (Date.now() - t0 > 30_000) throw new Error(`demo did not finish:\n${screen.join('\n')}`);
        await new Promise((r) => setTimeout(r, 120));
      }
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    }
    const during = screens.filter((s) => s.some(isBar));
    expect(during.length).toBeGreaterThan(3);
    for (const s of during) {
      const bars = s.map((l, i) => [l, i] as const).filter(([l]) => isBar(l));
      // The bars are one block at the bottom: nothing printed below them, no stale copy above.
      expect(bars.map(([, i]) => i)).toEqual(bars.map((_, k) => s.length - bars.length + k));
      expect(bars.filter(([l]) => l.startsWith('overall')).length).toBe(1);
      expect(bars.filter(([l]) => /^w[12] /.test(l)).length).toBeLessThanOrEqual(2);
      expect(bars.length).toBeLessThanOrEqual(3);
      // No line shows a finished run still at 0%.
      for (const [l] of bars) expect(l).not.toMatch(/ 0% .*finished$/);
    }
    // At some point both workers were drawn at once.
    expect(during.some((s) => s.filter((l) => /^w1 /.test(l)).length === 1 && s.filter((l) => /^w2 /.test(l)).length === 1)).toBe(true);
    const final = screens[screens.length - 1];
    expect(final.filter(isBar)).toEqual([]);
    for (const id of ids) expect(final.filter((l) => l.includes(`done     ${id}:`)).length, id).toBe(1);
    expect(final.filter((l) => l === 'child says hello').length).toBe(1);
    expect(final).toContain(`summary: ${RUNS} runs finished`);
    expect(final).toContain('EXIT:0');
  }, 40_000);

  it('off a TTY: timestamped plain lines, no escape codes, each finished run once', () => {
    const r = spawnSync(process.execPath, DEMO, { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/\x1b\[/);
    const lines = r.stderr.trim().split('\n');
    // Progress lines are timestamped, without bar glyphs; each bar prints once when complete; runs' own lines pass through unchanged.
    expect(lines.filter(isBar)).toEqual([]);
    const progress = lines.filter((l) => / ETA /.test(l));
    expect(progress.length).toBeGreaterThan(RUNS);
    for (const l of progress) expect(l).toMatch(/^\d\d:\d\d:\d\d (overall|w[12] demo-\S+) \d+\.\d% \S+\/\S+ tok ETA /);
    for (const id of ids) expect(lines.filter((l) => l.includes(`done     ${id}:`)).length).toBe(1);
    for (const id of ids) expect(lines.filter((l) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d w[12] ${id} 100\\.0% `).test(l)).length, id).toBe(1);
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d overall 100\.0% .*ETA 0s/.test(l)).length).toBe(1);
  }, 20_000);
});
