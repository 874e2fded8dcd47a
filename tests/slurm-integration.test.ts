// A real Slurm, not mocked: scripts/local-slurm.sh starts munged + slurmctld + slurmd (Debian's Slurm 22.05, as root), `scaling
// slurm --submit` queues a tiny plan as a job array, one task is told to stop (USR1 to its batch shell, as before a time limit)
// and must requeue itself and resume from its checkpoint; every run CSV must end done, `scaling status` must say so, and the runs
// must fit. The daemons are stopped by PID afterwards (also on failure). Without Slurm the test is skipped, loudly; where it is
// required (CI, or SCALING_REQUIRE_SLURM=1) a missing Slurm fails it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, runCli } from './helpers/cli.ts';
import { allPoints, readPlan } from '../src/schema/plan.ts';
import { readRunCsv } from '../src/schema/runs.ts';
import { readLaws } from '../src/schema/laws.ts';

const REQUIRED = Boolean(process.env.CI) || process.env.SCALING_REQUIRE_SLURM === '1';
const SCRIPT = join(REPO, 'scripts', 'local-slurm.sh');

/** Why a local Slurm cannot run here, or undefined when it can. */
function slurmMissing(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (the local Slurm runs its daemons as root)';
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'scancel', 'sinfo', 'setpriv']
    .filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (apt-get install -y --no-install-recommends munge slurm-wlm slurmctld slurmd slurm-client; .ci/run does)`;
  if (spawnSync('id', ['munge']).status !== 0) return "no 'munge' user";
  return undefined;
}

function freePortPair(): Promise<number> {
  const tryPort = (p: number) => new Promise<boolean>((res) => {
    const s = createServer().once('error', () => res(false)).listen(p, '127.0.0.1', () => s.close(() => res(true)));
  });
  return (async () => {
    for (let i = 0; i < 50; i++) {
      const p = 20000 + Math.floor(Math.random() * 20000);
      if ((await tryPort(p)) && (await tryPort(p + 1))) return p;
    }
    throw new Error('no free port pair for slurmctld/slurmd');
  })();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const missing = slurmMissing();

describe('scaling slurm on a real slurmctld/slurmd', () => {
  if (missing && !REQUIRED) {
    process.stderr.write(`\n*** slurm integration SKIPPED: ${missing} ***\n\n`);
    it.skip(`SKIPPED (no Slurm here: ${missing})`, () => {});
    return;
  }
  if (missing) {
    it('needs Slurm: required in CI (SCALING_REQUIRE_SLURM / CI set)', () => {
      throw new Error(`slurm integration REQUIRED but cannot run: ${missing}`);
    });
    return;
  }

  const work = mkdtempSync(join(tmpdir(), 'slurm-it-'));
  // Its own mkdtemp folder (the script makes it 0755): munged runs as user munge and cannot enter a private parent.
  const slurmDir = mkdtempSync(join(tmpdir(), 'scaling-slurm-'));
  const env = { ...process.env, SLURM_CONF: join(slurmDir, 'slurm.conf') };
  let pids: Record<string, number> = {};
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, encoding: 'utf8', timeout: 30_000 });

  beforeAll(async () => {
    const port = await freePortPair();
    const out = execFileSync(SCRIPT, ['start', '--dir', slurmDir, '--port', String(port)], { encoding: 'utf8', timeout: 60_000 });
    for (const m of out.matchAll(/(munged|slurmctld|slurmd) (\d+)/g)) pids[m[1]] = Number(m[2]);
    process.env.SLURM_CONF = env.SLURM_CONF; // runCli passes process.env on to `scaling`
  });

  afterAll(() => {
    const r = spawnSync(SCRIPT, ['stop', '--dir', slurmDir], { encoding: 'utf8', timeout: 60_000 });
    process.stderr.write(r.stdout + r.stderr);
    for (const [name, pid] of Object.entries(pids)) {
      let alive = true;
      try { process.kill(pid, 0); } catch { alive = false; }
      if (alive) process.stderr.write(`slurm integration: ${name} (pid ${pid}) still alive after stop\n`);
    }
    delete process.env.SLURM_CONF;
    rmSync(work, { recursive: true, force: true });
    rmSync(slurmDir, { recursive: true, force: true });
  });

  it('runs a tiny plan as a job array, requeues a task on USR1 and resumes it, then status says all done and the runs fit', async () => {
    const t0 = Date.now();
    expect(Object.keys(pids).sort()).toEqual(['munged', 'slurmctld', 'slurmd']);
    const data = join(work, 'data');
    const planPath = join(work, 'plan.json');
    const runs = join(work, 'runs');
    const arrayDir = join(work, 'slurm');
    expect(runCli(['data', 'prepare', '--dataset', 'curated', '--val-bytes', '16384', '--out', data]).code).toBe(0);
    const planned = runCli(['plan', '--budget', '3e8,1e9', '--points', '3', '--seq', '32', '--vocab', '256', '--batch-tokens', '1024', '--out', planPath]);
    expect(planned.code, planned.stderr).toBe(0);
    const points = allPoints(readPlan(planPath));
    expect(points.length).toBe(6);

    const sub = runCli(['slurm', planPath, '--out', arrayDir, '--runs-dir', runs, '--data', data, '--node', process.execPath, '--checkpoint-every', '1', '--submit']);
    expect(sub.code, sub.stderr).toBe(0);
    const jobId = /submitted: job (\d+)/.exec(sub.stdout)?.[1];
    expect(jobId, sub.stdout).toBeDefined();

    // The longest point: once its first checkpoint exists, tell its batch shell the time limit is near (what --signal=B:USR1@S does).
    const longest = points.reduce((a, b) => (b.steps > a.steps ? b : a));
    const task = points.indexOf(longest);
    const ckpt = join(runs, `${longest.id}.ckpt`);
    const logsDir = join(runs, 'slurm-logs');
    // scancel keeps retrying while the task is in transition (it requeues itself within a second) and would signal the restarted
    // task again: it runs in the background and is ended by its PID once the requeue is logged.
    let signalled = false;
    let scancel: ReturnType<typeof spawn> | undefined;
    const taskLog = () => {
      const f = existsSync(logsDir) ? readdirSync(logsDir).find((n) => n.endsWith(`_${task}.out`)) : undefined;
      return f ? readFileSync(join(logsDir, f), 'utf8') : '';
    };
    // Unloaded (CI: 2 cores) the array takes ≈ 30 s; the deadline leaves room for a machine shared with other jobs.
    const deadline = Date.now() + 150_000;
    for (;;) {
      const csv = join(runs, `${longest.id}.csv`);
      if (!signalled && existsSync(ckpt) && !(existsSync(csv) && readFileSync(csv, 'utf8').includes(',done,'))) {
        scancel = spawn('scancel', ['--signal=USR1', '--batch', `${jobId}_${task}`], { env, stdio: 'ignore' });
        signalled = true;
      }
      if (scancel && scancel.exitCode === null && taskLog().includes('requeueing')) scancel.kill();
      const queued = sh('squeue', ['-h', '-j', jobId!, '-o', '%i']).trim();
      if (queued === '') break;
      if (Date.now() > deadline) {
        const logs = existsSync(logsDir) ? readdirSync(logsDir).map((f) => `== ${f}\n${readFileSync(join(logsDir, f), 'utf8')}`).join('\n') : '(no logs)';
        throw new Error(`array ${jobId} not finished after 150 s:\n${queued}\n${logs}`);
      }
      await sleep(300);
    }
    expect(signalled).toBe(true);

    // Every run done, at its budget.
    for (const p of points) {
      const rows = readRunCsv(join(runs, `${p.id}.csv`));
      const last = rows[rows.length - 1];
      expect(last.status, p.id).toBe('done');
      expect(last.step).toBe(p.steps);
      expect(Math.abs(last.flops / p.budget - 1)).toBeLessThan(0.01);
    }
    // The signalled task stopped with a checkpoint, requeued itself and resumed from it (not from step 0).
    expect(readdirSync(logsDir).length).toBe(points.length);
    const log = taskLog();
    expect(log).toContain(`requeueing ${jobId}_${task}`);
    expect(log).toMatch(/restart 1/);
    const resumedAt = Number(/resumed at step (\d+)/.exec(log)?.[1]);
    expect(resumedAt, log).toBeGreaterThan(0);

    // scaling status (squeue + scontrol on this cluster: no accounting) says every point is done.
    const st = runCli(['status', planPath, '--slurm', arrayDir]);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain('6 points: 6 done, 0 diverged, 0 running, 0 pending, 0 stopped, 0 failed');
    expect(st.stdout).toContain(`array job ${jobId}`);
    expect(st.stdout).toContain('ETA: finished');
    const js = JSON.parse(runCli(['status', planPath, '--slurm', arrayDir, '--json']).stdout);
    expect(js.counts.done).toBe(6);
    expect(js.flops.left).toBe(0);
    expect(js.points.every((p: { slurm?: { state: string } }) => p.slurm?.state === 'COMPLETED')).toBe(true);

    // The runs fit (scaling fit reads what the array wrote).
    const fits = join(work, 'fit.json');
    const fit = runCli(['fit', join(runs, '*.csv'), '--out', fits]);
    expect(fit.code, fit.stderr).toBe(0);
    expect(readLaws(fits).provenance.inputs!.length).toBe(6);

    process.stdout.write(`slurm integration: ${points.length} array tasks done on real slurmctld/slurmd (pids munged ${pids.munged}, slurmctld ${pids.slurmctld}, slurmd ${pids.slurmd}); ` +
      `task ${task} requeued on USR1 and resumed at step ${resumedAt}/${longest.steps}; status all done; fitted — ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }, 240_000);
});
