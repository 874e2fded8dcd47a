// `scaling status`: where every grid point of a plan stands (done / running / pending / stopped / failed / diverged), from its run
// files (CSV, checkpoint header, lock) and, when Slurm answers, from the array's tasks; compute done and left, and an ETA.
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { allPoints, type GridPoint, type PlanFile } from '../schema/plan.ts';
import { readRunCsv, type RunRow } from '../schema/runs.ts';
import { computeFlops, DEFAULT_REPRESENTATION, type Representation } from '../flops/flops.ts';
import { pointChange, runFiles } from '../train/loop.ts';
import { readLock, isStale, pidAlive } from '../train/lock.ts';
import { readCheckpointMeta } from '../train/checkpoint.ts';
import { FAILED_STATES, QUEUED_STATES, RUNNING_STATES, type QueueInfo, type SlurmTask } from './queue.ts';

/** Where a grid point stands. stopped: partly trained and nobody is training it (a rerun resumes it from its checkpoint). */
export const POINT_STATES = ['done', 'diverged', 'running', 'pending', 'stopped', 'failed'] as const;
export type PointState = (typeof POINT_STATES)[number];

export interface PointStatus {
  /** Position in the plan (= array task index). */
  index: number;
  id: string;
  budget: number;
  state: PointState;
  /** Why, in words (e.g. "lock held by node12 pid 4242", "Slurm: TIMEOUT"). */
  detail: string;
  step: number;
  steps: number;
  tokens: number;
  /** Compute of the tokens trained so far, in the plan's representation (computeFlops). */
  flopsDone: number;
  /** Compute of the whole point (its tokens), in the plan's representation. */
  flopsTotal: number;
  /** Training wall time so far (run rows / checkpoint), seconds. */
  elapsedS: number;
  /** Final validation loss (nats/token) of a done run. */
  valLoss?: number;
  slurm?: SlurmTask;
}

export interface Throughput {
  /** Pooled compute rate of one task: Σ compute / Σ training seconds over the observed runs (FLOPs/s in the plan's representation). */
  flopsPerS: number;
  /** The slowest and fastest single run's rate (the ETA's range). */
  minFlopsPerS: number;
  maxFlopsPerS: number;
  tokensPerS: number;
  /** Runs observed (any with tokens > 0 and elapsed > 0). */
  runs: number;
}

export interface PlanStatus {
  runsDir: string;
  representation: Representation;
  points: PointStatus[];
  counts: Record<PointState, number>;
  /** Compute spent, still to spend (unfinished points), planned in all, and given up (the untrained rest of diverged runs). */
  flops: { done: number; left: number; total: number; abandoned: number };
  tokens: { done: number; total: number };
  throughput?: Throughput;
  /** Tasks assumed to run at once for the ETA, and where that number came from. */
  parallel: { tasks: number; source: string; limit?: number };
  /**
   * Seconds until every unfinished point is done: the estimate from the pooled rate at `parallel.tasks`; the range from the fastest
   * run's rate (at the array's %K when more tasks may start) to the slowest run's.
   */
  eta?: { seconds: number; low: number; high: number };
  slurm: { available: boolean; note: string; jobs: string[] };
  generated: string;
}

export interface StatusOptions {
  runsDir: string;
  /** What Slurm reported (querySlurm); omitted: run files only. */
  queue?: QueueInfo;
  /** Tasks in parallel for the ETA (default: tasks running now, else `concurrency`, else 1). */
  parallel?: number;
  /** The array's %K limit, when known (slurm.json). */
  concurrency?: number;
}

function lastOf<T>(a: T[]): T | undefined {
  return a[a.length - 1];
}

function lockState(file: string): { live: boolean; detail: string } | undefined {
  if (!existsSync(file)) return undefined;
  const info = readLock(file);
  if (isStale(info)) return { live: false, detail: 'stale lock (its process is gone)' };
  if (!info) return { live: true, detail: 'lock being taken' };
  const here = info.hostname === hostname();
  if (here && pidAlive(info.pid)) return { live: true, detail: `training here (pid ${info.pid})` };
  return { live: true, detail: `lock held by ${info.hostname} pid ${info.pid} since ${info.started}` };
}

/** One grid point's state from its files and its Slurm task. */
export function pointStatus(p: GridPoint, index: number, runsDir: string, rep: Representation, task?: SlurmTask): PointStatus {
  const files = runFiles(runsDir, p.id);
  const flopsTotal = computeFlops(p.shape, p.tokens, rep);
  const base: PointStatus = { index, id: p.id, budget: p.budget, state: 'pending', detail: 'not started', step: 0, steps: p.steps, tokens: 0, flopsDone: 0, flopsTotal, elapsedS: 0, slurm: task };
  let rows: RunRow[] = [];
  try {
    rows = existsSync(files.csv) ? readRunCsv(files.csv).filter((r) => r.run_id === p.id) : [];
  } catch (e) {
    return { ...base, state: 'failed', detail: `unreadable run file: ${(e as Error).message}` };
  }
  const last = lastOf(rows);
  // A run file trained for another version of this point (the plan was edited afterwards): the trainer refuses to resume or skip
  // it, so it is neither done nor resumable — say so instead of counting it.
  const changed = last ? pointChange(p, last) : undefined;
  if (changed) return { ...base, state: 'failed', detail: `run file is for an edited point: ${changed.field} was ${changed.was}, the plan says ${changed.now} — move ${files.csv} aside to retrain it` };
  let step = last?.step ?? 0;
  let elapsedS = last?.elapsed_s ?? 0;
  try {
    const meta = readCheckpointMeta(files.checkpoint);
    if (meta && meta.runId === p.id && meta.step > step) [step, elapsedS] = [meta.step, meta.elapsedS];
  } catch {
    // A checkpoint being replaced or damaged: the CSV's progress stands (the trainer reports a bad checkpoint itself).
  }
  const tokens = step * p.batchTokens;
  const progress = { step, tokens, flopsDone: computeFlops(p.shape, tokens, rep), elapsedS };
  if (last?.status === 'done') return { ...base, ...progress, state: 'done', detail: 'done', valLoss: last.val_loss };
  if (last?.status === 'diverged') return { ...base, ...progress, state: 'diverged', detail: `diverged at step ${last.step} (loss ${last.val_loss})` };

  const lock = lockState(files.lock);
  const started = step > 0;
  const at = started ? ` (at step ${step}/${p.steps})` : '';
  if (task) {
    const s = task.state;
    const job = `${task.arrayJobId}_${task.task}`;
    if (RUNNING_STATES.has(s)) return { ...base, ...progress, state: 'running', detail: `Slurm ${job} ${s}${at}` };
    if (QUEUED_STATES.has(s)) return { ...base, ...progress, state: 'pending', detail: `Slurm ${job} ${s}${task.reason ? ` (${task.reason})` : ''}${started ? `, resumes at step ${step}` : ''}` };
    if (FAILED_STATES.has(s) || s === 'COMPLETED') {
      if (lock?.live) return { ...base, ...progress, state: 'running', detail: `${lock.detail}${at}; Slurm ${job} ${s}` };
      const why = s === 'COMPLETED' ? 'ended before the run finished' : s;
      return { ...base, ...progress, state: 'failed', detail: `Slurm ${job} ${why}${task.exitCode && task.exitCode !== '0:0' ? `, exit ${task.exitCode}` : ''}${at}` };
    }
  }
  if (lock?.live) return { ...base, ...progress, state: 'running', detail: `${lock.detail}${at}` };
  if (started) return { ...base, ...progress, state: 'stopped', detail: `stopped at step ${step}/${p.steps}: a rerun resumes from the checkpoint` };
  return base;
}

/** Pooled and per-run compute rates of the runs that have trained anything. */
export function observedThroughput(points: PointStatus[]): Throughput | undefined {
  const seen = points.filter((p) => p.tokens > 0 && p.elapsedS > 0);
  if (seen.length === 0) return undefined;
  const flops = seen.reduce((s, p) => s + p.flopsDone, 0);
  const secs = seen.reduce((s, p) => s + p.elapsedS, 0);
  const rates = seen.map((p) => p.flopsDone / p.elapsedS);
  return { flopsPerS: flops / secs, minFlopsPerS: Math.min(...rates), maxFlopsPerS: Math.max(...rates), tokensPerS: seen.reduce((s, p) => s + p.tokens, 0) / secs, runs: seen.length };
}

/**
 * Status of every grid point of `plan` and the totals. ETA = compute left / (pooled rate per task × tasks in parallel), the tasks in
 * parallel capped by the points left; its range uses the slowest and fastest observed run's rate instead of the pooled one.
 */
export function planStatus(plan: PlanFile, opts: StatusOptions): PlanStatus {
  const runsDir = resolve(opts.runsDir);
  const rep = plan.representation ?? DEFAULT_REPRESENTATION;
  const queue = opts.queue;
  const points = allPoints(plan).map((p, i) => pointStatus(p, i, runsDir, rep, queue?.tasks.get(i)));
  const counts = Object.fromEntries(POINT_STATES.map((s) => [s, 0])) as Record<PointState, number>;
  for (const p of points) counts[p.state]++;
  const total = points.reduce((s, p) => s + p.flopsTotal, 0);
  const finished = (p: PointStatus) => p.state === 'done' || p.state === 'diverged';
  const done = points.reduce((s, p) => s + p.flopsDone, 0);
  const left = points.reduce((s, p) => s + (finished(p) ? 0 : p.flopsTotal - p.flopsDone), 0);
  // A diverged run is over: the rest of its compute will never be spent.
  const abandoned = points.reduce((s, p) => s + (p.state === 'diverged' ? p.flopsTotal - p.flopsDone : 0), 0);
  const unfinished = points.filter((p) => !finished(p)).length;

  let parallel: PlanStatus['parallel'];
  if (opts.parallel !== undefined) {
    if (!Number.isInteger(opts.parallel) || opts.parallel < 1) throw new InputError(`must be an integer ≥ 1, got ${opts.parallel}`, { field: '--parallel' });
    parallel = { tasks: opts.parallel, source: '--parallel' };
  } else if (counts.running > 0) parallel = { tasks: counts.running, source: 'tasks running now' };
  else if (opts.concurrency) parallel = { tasks: opts.concurrency, source: "the array's %K limit" };
  else parallel = { tasks: 1, source: 'one at a time (nothing running; --parallel N to assume more)' };

  if (opts.concurrency) parallel.limit = opts.concurrency;
  const throughput = observedThroughput(points);
  let eta: PlanStatus['eta'];
  if (left === 0) eta = { seconds: 0, low: 0, high: 0 };
  else if (throughput) {
    const p = Math.max(1, Math.min(parallel.tasks, unfinished));
    // Fewer tasks running than the array's %K allows (e.g. between two tasks): the optimistic end assumes the limit is reached.
    const pMost = Math.max(p, Math.min(opts.concurrency ?? p, unfinished));
    eta = { seconds: left / (throughput.flopsPerS * p), low: left / (throughput.maxFlopsPerS * pMost), high: left / (throughput.minFlopsPerS * p) };
  }
  return {
    runsDir, representation: rep, points, counts,
    flops: { done, left, total, abandoned },
    tokens: { done: points.reduce((s, p) => s + p.tokens, 0), total: allPoints(plan).reduce((s, p) => s + p.tokens, 0) },
    throughput, parallel, eta,
    slurm: queue ? { available: queue.available, note: queue.note, jobs: queue.jobs } : { available: false, note: 'not asked', jobs: [] },
    generated: new Date().toISOString(),
  };
}
