// Guarantee: training survives being stopped or killed at any moment. SIGTERM → exit 143 and SIGINT → exit 130 after a clean
// checkpoint; SIGKILL of the parent, of a worker, or of a process in the middle of writing its checkpoint (one is written after
// every step here) loses nothing: the reruns — the last one two trainers at once on the same plan — finish every run with no
// row lost or duplicated, and final losses and weights bitwise identical to an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.ts';
import { sandbox, tally } from './helpers.ts';
import { makePlan, makePoint, tinyDataset } from '../train-loop-fixtures.ts';
import { trainPlan } from '../../src/train/workers.ts';
import { readRunCsv, type RunRow } from '../../src/schema/runs.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { runFiles } from '../../src/train/loop.ts';

const counts = { crashes: 0, rowsLost: 0 };
afterAll(() => tally(counts));

// Long enough that five interruptions (each caught within ~25 ms of a new checkpoint) cannot finish it on a fast machine.
const plan = makePlan([makePoint({ id: 'k-a', steps: 100, index: 0 }), makePoint({ id: 'k-b', steps: 90, index: 1, seed: 2 })]);
let dataDir = '';
let planFile = '';
let refDir = '';
const runsDir = sandbox('kill-runs');

beforeAll(async () => {
  dataDir = await tinyDataset();
  planFile = join(sandbox('kill-plan'), 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  refDir = sandbox('kill-ref');
  await trainPlan(plan, { runsDir: refDir, dataDir, dataset: 'tiny', jobs: 1, backend: 'wasm', handleSignals: false });
}, 180_000);

function train(jobs: number): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'train', planFile, '--data', dataDir, '--dataset', 'tiny', '--runs-dir', runsDir, '--jobs', String(jobs), '--backend', 'wasm', '--checkpoint-every', '0', '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
  return { child, done };
}

/** Resolves once some run has written a checkpoint newer than `since` (training is under way), or rejects after 90 s. */
async function trainingUnderWay(since: number): Promise<void> {
  for (let i = 0; i < 3600; i++) {
    for (const p of plan.budgets.flatMap((b) => b.points)) {
      const ck = runFiles(runsDir, p.id).checkpoint;
      if (existsSync(ck) && statSync(ck).mtimeMs > since) return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('training did not start');
}

/** Pids of the worker processes of `parent` (from /proc). */
function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

const strip = (rows: RunRow[]) => rows.map(({ elapsed_s: _e, ...rest }) => rest);

describe('kill and resume', () => {
  it('SIGTERM → 143, SIGINT → 130 (after a checkpoint); SIGKILL of the parent, a worker, mid-checkpoint; two trainers finish it: identical to an uninterrupted run', async () => {
    // 1. SIGTERM while training: a clean stop, exit 143, a checkpoint to resume from.
    let t = train(2);
    await trainingUnderWay(0);
    t.child.kill('SIGTERM');
    let r = await t.done;
    expect(r.code, r.stderr).toBe(143);
    counts.crashes++;

    // 2. SIGINT (Ctrl-C) on the resumed run: exit 130.
    let since = Date.now();
    t = train(1);
    await trainingUnderWay(since);
    t.child.kill('SIGINT');
    r = await t.done;
    expect(r.code, r.stderr).toBe(130);
    counts.crashes++;

    // 3. SIGKILL of a worker process (the parent reports the failed point and exits non-zero; the run resumes later).
    since = Date.now();
    t = train(2);
    await trainingUnderWay(since);
    const workers = childPids(t.child.pid!);
    expect(workers.length).toBeGreaterThan(0);
    process.kill(workers[0], 'SIGKILL');
    r = await t.done;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/worker exited \(SIGKILL\)|k-[ab]/);
    counts.crashes++;

    // 4. SIGKILL of a single-process trainer while it writes a checkpoint after every step (so, most likely, mid-write).
    since = Date.now();
    t = train(1);
    await trainingUnderWay(since);
    await new Promise((res) => setTimeout(res, 37));
    t.child.kill('SIGKILL');
    r = await t.done;
    expect(r.signal).toBe('SIGKILL');
    counts.crashes++;

    // 5. SIGKILL of the parent: its detached workers see the IPC channel close, checkpoint and exit by themselves.
    since = Date.now();
    t = train(2);
    await trainingUnderWay(since);
    const orphans = childPids(t.child.pid!);
    t.child.kill('SIGKILL');
    r = await t.done;
    expect(r.signal).toBe('SIGKILL');
    for (let i = 0; i < 300 && orphans.some((p) => existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ')); i++) await new Promise((res) => setTimeout(res, 100));
    counts.crashes++;

    // 6. Two trainers at once on the same plan finish it: each point is trained by one of them (the other finds it locked or done).
    const [a, b] = [train(1), train(1)];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);

    for (const p of plan.budgets.flatMap((x) => x.points)) {
      const ref = readRunCsv(runFiles(refDir, p.id).csv);
      const got = readRunCsv(runFiles(runsDir, p.id).csv);
      const lost = ref.filter((row) => !got.some((g) => g.step === row.step)).length;
      counts.rowsLost += lost;
      expect(lost).toBe(0);
      expect(new Set(got.map((g) => g.step)).size).toBe(got.length); // no duplicated row
      expect(strip(got)).toEqual(strip(ref)); // every loss identical, the final one included
      const refCk = readCheckpoint(runFiles(refDir, p.id).checkpoint)!;
      const gotCk = readCheckpoint(runFiles(runsDir, p.id).checkpoint)!;
      expect(gotCk.meta.step).toBe(p.steps);
      for (const [name, tensor] of Object.entries(refCk.state.tensors)) {
        expect(Buffer.from(gotCk.state.tensors[name].data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(true);
      }
    }
    // Nothing half-written stays visible: no temporary or lock files are left once every run is done.
    expect(readdirSync(runsDir).filter((f) => f.endsWith('.lock') || f.endsWith('.takeover') || f.endsWith('.tmp'))).toEqual([]);
  }, 240_000);
});
