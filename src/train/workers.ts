// trainPlan: trains the selected grid points of a plan, in this process (jobs = 1) or on N forked worker processes that each pull the
// next unfinished point; skips finished runs, resumes unfinished ones, shows overall + per-worker progress, stops cleanly on Ctrl-C.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { allPoints, type GridPoint, type PlanFile } from '../schema/plan.ts';
import { loadDataset, type LoadedDataset } from '../data/dataset.ts';
import { MultiProgress } from '../util/progress.ts';
import { si } from '../util/format.ts';
import type { BackendName, TrainerConfig } from './api.ts';
import { TRAIN_DEFAULTS } from '../schema/settings.ts';
import { DEFAULT_REPRESENTATION, type Representation } from '../flops/flops.ts';
import { checkPoint, existingStatus, runFiles, trainPoint, type PointStatus, type TrainProgress, type TrainPointResult } from './loop.ts';

export interface TrainPlanOptions {
  runsDir: string;
  dataDir: string;
  dataset: string;
  backend?: BackendName;
  /** Worker processes (default: number of cores). 1 trains in this process. */
  jobs?: number;
  /** Only the points of this budget C (relative match 1e-6). */
  budget?: number;
  /** With budget: the point with this index on the budget's grid; without: the I-th point of the whole plan (0-based, plan order). */
  index?: number;
  checkpointEvery?: number;
  evalPoints?: number;
  /** Bytes of val.bin for intermediate evaluations (default 32 KiB; the final evaluation uses all of it). */
  evalBytes?: number;
  optimizer?: Partial<Omit<TrainerConfig, 'shape' | 'seed'>>;
  /** Progress display: true/false, or 'auto' (default): bars on a TTY, plain lines otherwise. Off in library use unless asked. */
  progress?: boolean | 'auto';
  /** Lines about the run (skips, results); default: to the progress display. */
  log?: (line: string) => void;
  /** Resolves when training should stop (e.g. the caller's own Ctrl-C handling); the CLI installs a SIGINT handler instead. */
  stopSignal?: AbortSignal;
  /** Install SIGINT/SIGTERM handlers that stop workers after a checkpoint (default true). */
  handleSignals?: boolean;
  /** Set from the plan by trainPlan (callers need not give it). */
  representation?: Representation;
}

export interface PointSummary {
  id: string;
  budget: number;
  status: PointStatus | 'failed';
  skipped: boolean;
  resumedFrom: number;
  steps: number;
  tokens: number;
  flops: number;
  finalValLoss?: number;
  elapsedS: number;
  error?: string;
}

export interface TrainSummary {
  points: PointSummary[];
  counts: Record<PointSummary['status'], number>;
  elapsedS: number;
  /** True when training was interrupted (Ctrl-C / stopSignal): unfinished runs resume on the next call. */
  interrupted: boolean;
}

/** The grid points `--budget` / `--index` select, in plan order. */
export function selectPoints(plan: PlanFile, sel: { budget?: number; index?: number }): GridPoint[] {
  let points = allPoints(plan);
  if (sel.budget !== undefined) {
    const C = sel.budget;
    const b = plan.budgets.find((x) => Math.abs(x.budget - C) <= 1e-6 * C);
    if (!b) throw new InputError(`no budget ${C.toExponential(3)} in the plan (budgets: ${plan.budgets.map((x) => x.budget.toExponential(3)).join(', ')})`, { field: '--budget' });
    points = b.points;
    if (sel.index !== undefined) {
      const p = points.find((x) => x.index === sel.index);
      if (!p) throw new InputError(`no point with index ${sel.index} on budget ${C.toExponential(3)} (indices ${points.map((x) => x.index).join(', ')})`, { field: '--index' });
      return [p];
    }
    return points;
  }
  if (sel.index !== undefined) {
    if (!Number.isInteger(sel.index) || sel.index < 0 || sel.index >= points.length) throw new InputError(`must be 0..${points.length - 1}, got ${sel.index}`, { field: '--index' });
    return [points[sel.index]];
  }
  return points;
}

function summaryOf(p: GridPoint, r: TrainPointResult): PointSummary {
  return { id: p.id, budget: p.budget, status: r.status, skipped: r.skipped, resumedFrom: r.resumedFrom, steps: r.step, tokens: r.tokens, flops: r.flops, finalValLoss: r.finalValLoss, elapsedS: r.elapsedS };
}

function progressDetail(p: TrainProgress): string {
  const loss = Number.isFinite(p.loss) ? p.loss.toFixed(3) : '-';
  const val = p.valLoss !== undefined && Number.isFinite(p.valLoss) ? ` val ${p.valLoss.toFixed(3)}` : '';
  return `loss ${loss}${val} | ${si(p.tokensPerS)} tok/s`;
}

/** Messages between the parent and a worker process (src/train/worker-main.ts). */
export type ToWorker =
  | { type: 'init'; opts: WorkerInit }
  | { type: 'train'; point: GridPoint }
  | { type: 'stop' }
  | { type: 'exit' };
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'result'; summary: PointSummary }
  | { type: 'error'; id?: string; message: string; inputError: boolean };
export interface WorkerInit {
  runsDir: string;
  dataDir: string;
  dataset: string;
  backend: BackendName;
  checkpointEvery?: number;
  evalPoints?: number;
  evalBytes?: number;
  optimizer?: Partial<Omit<TrainerConfig, 'shape' | 'seed'>>;
  representation: Representation;
}

export async function trainPlan(plan: PlanFile, opts: TrainPlanOptions): Promise<TrainSummary> {
  const t0 = Date.now();
  const runsDir = resolve(opts.runsDir);
  const dataDir = resolve(opts.dataDir);
  const dataset = loadDataset(dataDir, opts.dataset);
  const selected = selectPoints(plan, opts);
  const representation = plan.representation ?? DEFAULT_REPRESENTATION;
  for (const p of selected) checkPoint(p, dataset, representation); // every point valid (in the plan's representation) before anything trains
  const jobs = opts.jobs ?? cpus().length;
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`must be an integer ≥ 1, got ${jobs}`, { field: '--jobs' });

  const progressOn = opts.progress === undefined ? false : opts.progress;
  const ui = progressOn === false ? undefined : new MultiProgress({ tty: progressOn === 'auto' ? undefined : progressOn, unit: 'tok' });
  const log = opts.log ?? ((l: string) => (ui ? ui.log(l) : undefined));
  const summaries: PointSummary[] = [];

  // Finished runs are skipped without starting anything.
  const todo: GridPoint[] = [];
  for (const p of selected) {
    const st = existingStatus(runFiles(runsDir, p.id).csv, dataset);
    if (st === 'done' || st === 'diverged') {
      summaries.push({ id: p.id, budget: p.budget, status: st, skipped: true, resumedFrom: 0, steps: p.steps, tokens: p.tokens, flops: p.flops, elapsedS: 0 });
      log(`skip ${p.id}: already ${st}`);
    } else todo.push(p);
  }
  // Longest first (largest budget, then most steps) balances workers best.
  todo.sort((a, b) => b.budget - a.budget || b.steps - a.steps);

  const totalTokens = todo.reduce((s, p) => s + p.tokens, 0);
  const overall = ui?.bar(totalTokens, { label: `overall ${todo.length} runs` });
  const doneTokens = new Map<string, number>();
  const bumpOverall = () => overall?.update([...doneTokens.values()].reduce((a, b) => a + b, 0));

  let stopping = false;
  const stopHandlers: (() => void)[] = [];
  const requestStop = () => {
    if (stopping) return;
    stopping = true;
    log('stopping: workers write a checkpoint and exit; rerun the same command to resume');
    for (const h of stopHandlers) h();
  };
  const onSignal = () => {
    if (stopping) {
      log('second interrupt: exiting now (the last periodic checkpoints are kept)');
      process.exit(130);
    }
    requestStop();
  };
  opts.stopSignal?.addEventListener('abort', requestStop);
  const handleSignals = opts.handleSignals !== false;
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  const workerCount = Math.min(jobs, Math.max(1, todo.length));
  try {
    if (todo.length === 0) {
      // nothing to train
    } else if (jobs === 1) {
      await runInProcess(todo, dataset, runsDir, { ...opts, representation }, ui, log, summaries, doneTokens, bumpOverall, () => stopping, (h) => stopHandlers.push(h));
    } else {
      await runWorkers(todo, workerCount, { runsDir, dataDir, dataset: opts.dataset, backend: opts.backend ?? TRAIN_DEFAULTS.backend, checkpointEvery: opts.checkpointEvery, evalPoints: opts.evalPoints, evalBytes: opts.evalBytes, optimizer: opts.optimizer, representation },
        ui, log, summaries, doneTokens, bumpOverall, () => stopping, (h) => stopHandlers.push(h));
    }
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    opts.stopSignal?.removeEventListener('abort', requestStop);
    ui?.stop();
  }
  // Points never started (interrupted, or every worker failed) are reported as stopped at step 0: a rerun trains them.
  for (const p of todo) {
    if (!summaries.some((s) => s.id === p.id)) summaries.push({ id: p.id, budget: p.budget, status: 'stopped', skipped: false, resumedFrom: 0, steps: 0, tokens: 0, flops: 0, elapsedS: 0 });
  }
  const counts = { done: 0, running: 0, diverged: 0, stopped: 0, locked: 0, failed: 0 } as TrainSummary['counts'];
  for (const s of summaries) counts[s.status]++;
  const order = new Map(selected.map((p, i) => [p.id, i]));
  summaries.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { points: summaries, counts, elapsedS: (Date.now() - t0) / 1000, interrupted: stopping };
}

async function runInProcess(
  todo: GridPoint[], dataset: LoadedDataset, runsDir: string, opts: TrainPlanOptions, ui: MultiProgress | undefined, log: (l: string) => void,
  summaries: PointSummary[], doneTokens: Map<string, number>, bumpOverall: () => void, isStopping: () => boolean, onStop: (h: () => void) => void,
): Promise<void> {
  void onStop;
  const bar = ui?.bar(1, { label: 'worker 1' });
  for (const p of todo) {
    if (isStopping()) break;
    bar?.setTotal(p.tokens);
    bar?.update(0, { label: p.id, detail: '' });
    const r = await trainPoint(p, {
      runsDir, dataset, backend: opts.backend, checkpointEvery: opts.checkpointEvery, evalPoints: opts.evalPoints, evalBytes: opts.evalBytes, optimizer: opts.optimizer, representation: opts.representation,
      shouldStop: isStopping,
      onProgress: (pr) => {
        bar?.update(pr.tokens, { detail: progressDetail(pr) });
        doneTokens.set(p.id, pr.tokens);
        bumpOverall();
      },
    });
    summaries.push(summaryOf(p, r));
    log(resultLine(summaryOf(p, r)));
  }
}

function resultLine(s: PointSummary): string {
  const loss = s.finalValLoss !== undefined ? ` val_loss ${s.finalValLoss.toFixed(4)} nats/token (${(s.finalValLoss / Math.LN2).toFixed(4)} bpb)` : '';
  const resumed = s.resumedFrom > 0 ? ` (resumed at step ${s.resumedFrom})` : '';
  return `${s.status.padEnd(8)} ${s.id}: ${s.steps} steps, ${si(s.tokens)} tokens, ${s.elapsedS.toFixed(1)} s${resumed}${loss}${s.error ? ' — ' + s.error : ''}`;
}

// Compiled (dist/…/workers.js): fork the compiled worker directly; from the sources: through bin/run-ts.js (tsx).
const COMPILED = import.meta.url.endsWith('.js');
const WORKER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), COMPILED ? 'worker-main.js' : 'worker-main.ts');
const RUN_TS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'run-ts.js');
const FORK_ARGS: [string, string[]] = COMPILED ? [WORKER_ENTRY, []] : [RUN_TS, [WORKER_ENTRY]];

async function runWorkers(
  todo: GridPoint[], n: number, init: WorkerInit, ui: MultiProgress | undefined, log: (l: string) => void,
  summaries: PointSummary[], doneTokens: Map<string, number>, bumpOverall: () => void, isStopping: () => boolean, onStop: (h: () => void) => void,
): Promise<void> {
  const queue = [...todo];
  const byId = new Map(todo.map((p) => [p.id, p]));
  let fatal: Error | undefined;
  const children: ChildProcess[] = [];
  onStop(() => {
    for (const c of children) if (c.connected) c.send({ type: 'stop' } satisfies ToWorker);
  });
  const runOne = (w: number) =>
    new Promise<void>((resolveWorker) => {
      // detached: a terminal Ctrl-C reaches only the parent, which forwards 'stop' so each worker checkpoints first.
      const child = fork(FORK_ARGS[0], FORK_ARGS[1], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true, serialization: 'advanced' });
      children.push(child);
      const bar = ui?.bar(1, { label: `worker ${w + 1}` });
      let current: GridPoint | undefined;
      const next = () => {
        current = isStopping() || fatal ? undefined : queue.shift();
        if (!current) {
          if (child.connected) child.send({ type: 'exit' } satisfies ToWorker);
          return;
        }
        bar?.setTotal(current.tokens);
        bar?.update(0, { label: current.id, detail: 'starting' });
        child.send({ type: 'train', point: current } satisfies ToWorker);
      };
      child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') next();
        else if (m.type === 'progress') {
          bar?.update(m.progress.tokens, { detail: progressDetail(m.progress) });
          doneTokens.set(m.progress.id, m.progress.tokens);
          bumpOverall();
        } else if (m.type === 'result') {
          summaries.push(m.summary);
          log(resultLine(m.summary));
          if (m.summary.status === 'done' || m.summary.status === 'diverged') doneTokens.set(m.summary.id, byId.get(m.summary.id)?.tokens ?? 0);
          bumpOverall();
          next();
        } else if (m.type === 'error') {
          if (m.inputError) fatal ??= new InputError(m.message);
          const p = m.id ? byId.get(m.id) : undefined;
          if (p) {
            summaries.push({ id: p.id, budget: p.budget, status: 'failed', skipped: false, resumedFrom: 0, steps: 0, tokens: 0, flops: 0, elapsedS: 0, error: m.message });
            log(`failed   ${p.id}: ${m.message}`);
            next();
          } else {
            log(`worker ${w + 1}: ${m.message}`);
          }
        }
      });
      child.on('exit', (code, signal) => {
        if (current && !summaries.some((s) => s.id === current!.id)) {
          summaries.push({ id: current.id, budget: current.budget, status: 'failed', skipped: false, resumedFrom: 0, steps: 0, tokens: 0, flops: 0, elapsedS: 0, error: `worker exited (${signal ?? code})` });
          log(`failed   ${current.id}: worker ${w + 1} exited (${signal ?? code}); rerun to resume from its last checkpoint`);
        }
        bar?.update(current?.tokens ?? 0, { detail: 'finished' });
        resolveWorker();
      });
      child.send({ type: 'init', opts: init } satisfies ToWorker);
    });
  await Promise.all(Array.from({ length: n }, (_, w) => runOne(w)));
  if (fatal) throw fatal;
}
