// `scaling status`: each point's state from run CSVs, checkpoint headers, locks and Slurm's view; compute done/left against M × tokens
// summed by hand from the plan; the ETA by hand arithmetic; and the squeue/sacct/scontrol parsers on real output of Slurm 22.05.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLaws } from '../src/laws/load.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan } from '../src/plan/grid.ts';
import { allPoints, type GridPoint } from '../src/schema/plan.ts';
import { writeRunCsv, type RunRow, type RunStatus } from '../src/schema/runs.ts';
import { writeCheckpoint } from '../src/train/checkpoint.ts';
import { tryLock } from '../src/train/lock.ts';
import { runFiles } from '../src/train/loop.ts';
import { planStatus } from '../src/slurm/status.ts';
import { formatStatus } from '../src/slurm/status-format.ts';
import { expandTaskSpec, mergeTasks, parseSacct, parseScontrolJobs, parseSqueue, type QueueInfo } from '../src/slurm/queue.ts';

const { laws, path: lawsPath } = loadLaws();
const plan = makePlan([1e9, 3e9], laws, lawsPath, { ...DEFAULT_PLAN_OPTIONS, points: 3, seqLen: 32, vocab: 256, batchTokens: 1024 });
const points = allPoints(plan);

function row(p: GridPoint, step: number, status: RunStatus, elapsed: number, loss = 2): RunRow {
  return {
    run_id: p.id, dataset: 'curated', budget: p.budget, n_layer: p.shape.nLayer, d_model: p.shape.dModel, n_heads: p.shape.nHeads, n_kv_heads: p.shape.nKvHeads,
    d_ff: p.shape.dFf, seq_len: p.shape.seqLen, vocab: p.shape.vocab, M: p.M, N1: p.N1, N2: p.N2, batch_tokens: p.batchTokens, lr_max: p.lr, schedule: p.schedule.name,
    step, tokens: step * p.batchTokens, flops: p.M * step * p.batchTokens, lr: p.lr, train_loss: loss, val_loss: loss, val_bpb: loss / Math.LN2, elapsed_s: elapsed,
    status, seed: p.seed, val_hash: '', representation: 'M',
  } as RunRow;
}

describe('planStatus', () => {
  it('classifies every state and sums compute done and left as M × tokens; the ETA is left / (pooled rate × tasks)', () => {
    expect(points.length).toBe(6);
    const runs = mkdtempSync(join(tmpdir(), 'status-'));
    const [p0, p1, p2, p3, p4, p5] = points;
    const half = (p: GridPoint) => Math.floor(p.steps / 2);
    // p0 done in 20 s; p1 diverged at step 5 after 1 s; p2 half-way, 8 s, locked by this (live) process; p3 stopped: CSV at a
    // quarter, checkpoint header at half after 6 s; p4 never started, Slurm says PENDING; p5 a quarter in 3 s, Slurm says TIMEOUT.
    writeRunCsv(runFiles(runs, p0.id).csv, [row(p0, half(p0), 'running', 10), row(p0, p0.steps, 'done', 20, 1.5)]);
    writeRunCsv(runFiles(runs, p1.id).csv, [row(p1, 5, 'diverged', 1, NaN)]);
    writeRunCsv(runFiles(runs, p2.id).csv, [row(p2, half(p2), 'running', 8)]);
    const lock = tryLock(runFiles(runs, p2.id).lock)!;
    const q3 = Math.floor(p3.steps / 4);
    writeRunCsv(runFiles(runs, p3.id).csv, [row(p3, q3, 'running', 3)]);
    writeCheckpoint(runFiles(runs, p3.id).checkpoint, {
      meta: { version: 1, runId: p3.id, runKey: 'k', step: half(p3), samplerState: 0, rows: [], elapsedS: 6, lossSum: 0, lossCount: 0, created: 'now' },
      state: { step: half(p3), tensors: { w: { shape: [2], data: new Float32Array([1, 2]) } } },
    });
    const q5 = Math.floor(p5.steps / 4);
    writeRunCsv(runFiles(runs, p5.id).csv, [row(p5, q5, 'running', 3)]);
    const queue: QueueInfo = {
      available: true, note: 'test', jobs: ['41'],
      tasks: new Map([[4, { arrayJobId: '41', task: 4, state: 'PENDING', reason: 'JobArrayTaskLimit', source: 'squeue' }], [5, { arrayJobId: '41', task: 5, state: 'TIMEOUT', exitCode: '0:15', source: 'sacct' }]]),
    };
    try {
      const s = planStatus(plan, { runsDir: runs, queue });
      expect(s.points.map((p) => p.state)).toEqual(['done', 'diverged', 'running', 'stopped', 'pending', 'failed']);
      expect(s.counts).toEqual({ done: 1, diverged: 1, running: 1, pending: 1, stopped: 1, failed: 1 });
      expect(s.points[2].detail).toContain(`training here (pid ${process.pid})`);
      expect(s.points[3].step).toBe(half(p3)); // from the checkpoint header, ahead of the CSV
      expect(s.points[4].detail).toContain('Slurm 41_4 PENDING (JobArrayTaskLimit)');
      expect(s.points[5].detail).toContain('Slurm 41_5 TIMEOUT, exit 0:15');
      expect(s.points[0].valLoss).toBe(1.5);

      // Compute by hand: M × tokens of each point's trained steps (the plan's representation is M).
      const spent = [p0.steps, 5, half(p2), half(p3), 0, q5].map((st, i) => points[i].M * st * points[i].batchTokens);
      const total = points.reduce((t, p) => t + p.M * p.tokens, 0);
      const done = spent.reduce((a, b) => a + b, 0);
      const left = [2, 3, 4, 5].reduce((t, i) => t + points[i].M * points[i].tokens - spent[i], 0);
      const abandoned = p1.M * p1.tokens - spent[1];
      expect(s.flops.total / total).toBeCloseTo(1, 12);
      expect(s.flops.done / done).toBeCloseTo(1, 12);
      expect(s.flops.left / left).toBeCloseTo(1, 12);
      expect(s.flops.abandoned / abandoned).toBeCloseTo(1, 12);
      expect((s.flops.done + s.flops.left + s.flops.abandoned) / total).toBeCloseTo(1, 12);

      // Throughput pooled over the 5 runs that trained (20 + 1 + 8 + 6 + 3 s); one task running → ETA = left / rate.
      const secs = [20, 1, 8, 6, 0, 3];
      const rate = done / (20 + 1 + 8 + 6 + 3);
      const rates = spent.map((f, i) => f / secs[i]).filter((_, i) => i !== 4);
      expect(s.throughput!.runs).toBe(5);
      expect(s.throughput!.flopsPerS / rate).toBeCloseTo(1, 12);
      expect(s.parallel).toEqual({ tasks: 1, source: 'tasks running now' });
      expect(s.eta!.seconds / (left / rate)).toBeCloseTo(1, 12);
      expect(s.eta!.low / (left / Math.max(...rates))).toBeCloseTo(1, 12);
      expect(s.eta!.high / (left / Math.min(...rates))).toBeCloseTo(1, 12);
      // One task running of an array limited to %3: the estimate stays at 1 task, the optimistic end assumes 3.
      const k3 = planStatus(plan, { runsDir: runs, queue, concurrency: 3 }).eta!;
      expect(k3.seconds / (left / rate)).toBeCloseTo(1, 12);
      expect(k3.low / (left / Math.max(...rates) / 3)).toBeCloseTo(1, 12);
      // --parallel 3: three times faster (4 points left, so 3 is not capped).
      expect(planStatus(plan, { runsDir: runs, queue, parallel: 3 }).eta!.seconds / (left / rate / 3)).toBeCloseTo(1, 12);

      const text = formatStatus(s, 'plan.json');
      expect(text).toContain('6 points: 1 done, 1 diverged, 1 running, 1 pending, 1 stopped, 1 failed');
      expect(text).toMatch(/ETA: .* at 1 task in parallel \(tasks running now\); includes 1 failed point that must be resubmitted/);
    } finally {
      lock.release();
    }
    // Lock released, no Slurm: p2 is stopped (partly trained, nobody on it), p5 too; nothing running → one task assumed.
    const s2 = planStatus(plan, { runsDir: runs });
    expect(s2.points.map((p) => p.state)).toEqual(['done', 'diverged', 'stopped', 'stopped', 'pending', 'stopped']);
    expect(s2.parallel.tasks).toBe(1);
    expect(planStatus(plan, { runsDir: runs, concurrency: 2 }).parallel).toEqual({ tasks: 2, source: "the array's %K limit", limit: 2 });
  });

  it('a finished plan: all done, nothing left, ETA 0', () => {
    const runs = mkdtempSync(join(tmpdir(), 'status-done-'));
    for (const p of points) writeRunCsv(runFiles(runs, p.id).csv, [row(p, p.steps, 'done', 2)]);
    const s = planStatus(plan, { runsDir: runs });
    expect(s.counts.done).toBe(6);
    expect(s.flops.left).toBe(0);
    expect(s.eta).toEqual({ seconds: 0, low: 0, high: 0 });
    expect(s.tokens.done).toBe(s.tokens.total);
    expect(formatStatus(s, 'p')).toContain('ETA: finished');
  });
});

describe('planStatus on an edited plan', () => {
  it('a finished run of a point whose LR was changed afterwards is failed, naming the field and the file, not done', () => {
    const runs = mkdtempSync(join(tmpdir(), 'status-edited-'));
    for (const p of points) writeRunCsv(runFiles(runs, p.id).csv, [row(p, p.steps, 'done', 2)]);
    const edited = structuredClone(plan);
    const target = allPoints(edited)[1];
    target.lr *= 4;
    const s = planStatus(edited, { runsDir: runs });
    expect(s.counts.done).toBe(5);
    expect(s.counts.failed).toBe(1);
    const bad = s.points.find((q) => q.id === target.id)!;
    expect(bad.state).toBe('failed');
    expect(bad.detail).toContain('run file is for an edited point: lr_max was');
    expect(bad.detail).toContain(runFiles(runs, target.id).csv);
  });
});

describe('Slurm output parsers (real Slurm 22.05 output)', () => {
  it('squeue -r: one line per task; pending ranges expanded', () => {
    const t = parseSqueue('9|2|PENDING|JobArrayTaskLimit\n9|0|RUNNING|None\n9|[4-5%2]|PENDING|Priority\n');
    expect(t.map((x) => [x.task, x.state, x.reason])).toEqual([[2, 'PENDING', 'JobArrayTaskLimit'], [0, 'RUNNING', undefined], [4, 'PENDING', 'Priority'], [5, 'PENDING', 'Priority']]);
  });

  it('scontrol show job -o: array records of the named job (the pending meta-record expands to its tasks)', () => {
    const text = [
      'JobId=10 ArrayJobId=9 ArrayTaskId=0 ArrayTaskThrottle=2 JobName=cap UserId=root(0) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=0 ExitCode=0:0',
      'JobId=11 ArrayJobId=9 ArrayTaskId=1 ArrayTaskThrottle=2 JobName=cap UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Requeue=1 Restarts=0 ExitCode=3:0',
      'JobId=9 ArrayJobId=9 ArrayTaskId=2-5%2 ArrayTaskThrottle=2 JobName=cap UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0',
      'JobId=12 ArrayJobId=12 ArrayTaskId=0 JobName=other JobState=RUNNING Reason=None ExitCode=0:0',
      'JobId=13 JobName=cap JobState=RUNNING Reason=None ExitCode=0:0',
    ].join('\n');
    const t = parseScontrolJobs(text, { jobName: 'cap' });
    expect(t.map((x) => `${x.arrayJobId}_${x.task}:${x.state}:${x.exitCode}`)).toEqual(['9_0:COMPLETED:0:0', '9_1:FAILED:3:0', '9_2:PENDING:0:0', '9_3:PENDING:0:0', '9_4:PENDING:0:0', '9_5:PENDING:0:0']);
    expect(parseScontrolJobs(text, { jobIds: ['12'] }).map((x) => x.task)).toEqual([0]);
  });

  it('sacct -P: task ids, "CANCELLED by 0" → CANCELLED; the newest array job wins per task', () => {
    const t = parseSacct('12_0|COMPLETED|0:0\n12_1|CANCELLED by 0|0:15\n12_[2-3]|PENDING|0:0\n13|COMPLETED|0:0\n');
    expect(t.map((x) => `${x.task}:${x.state}`)).toEqual(['0:COMPLETED', '1:CANCELLED', '2:PENDING', '3:PENDING']);
    const m = mergeTasks([...t, { arrayJobId: '20', task: 1, state: 'RUNNING', source: 'squeue' }, { arrayJobId: '12', task: 0, state: 'COMPLETING', source: 'squeue' }]);
    expect(m.get(1)!.state).toBe('RUNNING'); // resubmitted array 20 is newer than 12
    expect(m.get(0)!.state).toBe('COMPLETING'); // same job: the live view wins
    expect(expandTaskSpec('1,3-7:2%1')).toEqual([1, 3, 5, 7]);
  });
});
