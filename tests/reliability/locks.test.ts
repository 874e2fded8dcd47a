// Guarantee: a run is trained by one process at a time. A lock whose pid runs again as another process (reused after a
// container restart, or PID 1) is taken over — the process start time, boot id and heartbeat say so, not the pid alone — and
// when several takers race for one stale lock, exactly one wins.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.ts';
import { sandbox, tally } from './helpers.ts';
import { bootId, isStale, processStartTime, STALE_AFTER_MS, tryLock, type LockInfo } from '../../src/train/lock.ts';

const counts = { crashes: 0 };
afterAll(() => tally(counts));

const here = (o: Partial<LockInfo>): LockInfo => ({ pid: process.pid, hostname: hostname(), started: '', pidStart: processStartTime(process.pid), bootId: bootId(), ...o });

describe('stale locks: more than the pid', () => {
  it('a live pid that is another process (different start time), PID 1 restarted, another boot, a silent other host: stale; the holder itself: live', () => {
    expect(processStartTime(process.pid)).toBeGreaterThan(0);
    expect(isStale(here({}))).toBe(false);
    expect(isStale(here({ pidStart: processStartTime(process.pid)! - 1 }))).toBe(true); // pid reused by a new process
    expect(isStale(here({ pid: 1, pidStart: processStartTime(1)! + 12345 }))).toBe(true); // PID 1 of a restarted container
    expect(isStale(here({ bootId: 'another-boot' }))).toBe(true);
    const now = Date.now();
    expect(isStale({ pid: 1, hostname: 'other-host', started: '' }, now - 60_000, now)).toBe(false); // heartbeat fresh
    expect(isStale({ pid: 1, hostname: 'other-host', started: '' }, now - STALE_AFTER_MS - 1, now)).toBe(true); // silent for 10 min
    // A lock from before start times were recorded: its heartbeat decides.
    expect(isStale({ pid: process.pid, hostname: hostname(), started: '' }, now, now)).toBe(false);
    expect(isStale({ pid: process.pid, hostname: hostname(), started: '' }, now - STALE_AFTER_MS - 1, now)).toBe(true);
  });

  it('takes over a lock whose pid is alive but belongs to another process; keeps the heartbeat fresh while held', () => {
    const f = join(sandbox('lock'), 'r.lock');
    writeFileSync(f, JSON.stringify(here({ pid: 1, pidStart: processStartTime(1)! + 999 })));
    const mine = tryLock(f);
    expect(mine).toBeDefined();
    expect(JSON.parse(readFileSync(f, 'utf8'))).toMatchObject({ pid: process.pid, pidStart: processStartTime(process.pid) });
    expect(tryLock(f)).toBeUndefined(); // now live: ours
    mine!.release();
    expect(existsSync(f)).toBe(false);
  });
});

describe('the takeover race', () => {
  it('six processes racing for the same stale lock, five times: exactly one wins each time', async () => {
    const dir = sandbox('lock-race');
    const rounds = 5;
    const takers = 6;
    // Stale: PID 1 with a start time it does not have.
    for (let r = 0; r < rounds; r++) writeFileSync(join(dir, `run${r}.lock`), JSON.stringify(here({ pid: 1, pidStart: processStartTime(1)! + 777 + r })));
    const script = join(dir, 'taker.mts'); // .mts: ESM wherever the file lies
    writeFileSync(script, [
      `import { tryLock } from ${JSON.stringify(join(REPO, 'src', 'train', 'lock.ts'))};`,
      `import { existsSync } from 'node:fs';`,
      `const dir = process.argv[2];`,
      `const held = [];`,
      `console.log('ready');`,
      `for (let r = 0; r < ${rounds}; r++) {`,
      `  while (!existsSync(dir + '/go' + r)) await new Promise((res) => setTimeout(res, 2));`,
      `  const l = tryLock(dir + '/run' + r + '.lock');`,
      `  if (l) held.push(l);`,
      `  console.log(r + ':' + (l ? 'won' : 'lost'));`,
      `}`,
      `await new Promise((res) => setTimeout(res, 300));`,
      `for (const l of held) l.release();`,
    ].join('\n'));
    const outputs: Promise<string>[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < takers; i++) {
      const child = spawn(process.execPath, [join(REPO, 'bin', 'run-ts.js'), script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      ready.push(new Promise((r) => child.stdout!.on('data', (c) => {
        out += c;
        if (out.includes('ready')) r();
      })));
      outputs.push(new Promise((r) => child.on('exit', () => r(out))));
      ready.push(new Promise((r) => child.on('exit', () => r()))); // a taker that dies does not hang the test (its round count fails)
    }
    // Once every taker has loaded (tsx start-up), open each round's gate for all of them at once.
    await Promise.all(Array.from({ length: takers }, (_, i) => Promise.race([ready[2 * i], ready[2 * i + 1]])));
    for (let r = 0; r < rounds; r++) {
      writeFileSync(join(dir, `go${r}`), '');
      await new Promise((res) => setTimeout(res, 150));
    }
    const lines = (await Promise.all(outputs)).join('').trim().split('\n');
    for (let r = 0; r < rounds; r++) {
      const results = lines.filter((l) => l.startsWith(`${r}:`));
      expect(results).toHaveLength(takers);
      expect(results.filter((l) => l.endsWith('won')), `round ${r}`).toHaveLength(1);
      counts.crashes++; // a dead holder's lock recovered exactly once
    }
  }, 90_000);
});
