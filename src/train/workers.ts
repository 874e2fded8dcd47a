// trainPlan: trains the selected grid points of a plan, in this process (jobs = 1) or on N forked worker processes that each pull the
// next unfinished point; skips finished runs, resumes unfinished ones, shows overall + per-worker progress, stops cleanly on Ctrl-C.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { allPoints, type GridPoint, type LadderSpec, type PlanFile } from '../schema/plan.ts';
import { loadDataset, type LoadedDataset } from '../data/dataset.ts';
import { MultiProgress } from '../util/progress.ts';
import { si } from '../util/format.ts';
import type { BackendName, TrainerConfig } from './api.ts';
import { TRAIN_DEFAULTS } from '../schema/settings.ts';
import { DEFAULT_REPRESENTATION, type Representation } from '../flops/flops.ts';
import { onStopSignals, stopExitCode, type StopSignal } from './signals.ts';
import { checkMemory } from './memory.ts';
import { checkPoint, priorAction, runFiles, trainPoint, type PointStatus, type TrainProgress, type TrainPointResult } from './loop.ts';
import { ladderJobs, type LadderJobs } from './ladder-jobs.ts';
import { trainTrunk } from './trunk.ts';
import { noteBlasFallbackOnce } from './kernels/blas-addon.ts';
import { createRequire } from 'node:module';

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
  /** Install SIGINT/SIGTERM/SIGUSR1 handlers (src/train/signals.ts) that stop workers after a checkpoint (default true). */
  handleSignals?: boolean;
  /** Set from the plan by trainPlan (callers need not give it). */
  representation?: Representation;
  /** Bytes training may use (default: the machine's memory or cgroup limit): points estimated larger are refused before anything starts (src/train/memory.ts). */
  maxMemory?: number;
  /** The plan's file, named in messages about its points. */
  planFile?: string;
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
  /** The signal that stopped training, when one did (the CLI exits with stopExitCode(signal)). */
  stoppedBy?: StopSignal;
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
  /** With `trunk`: train that ladder's trunk (point = its queue item) to `until`, handing off branch checkpoints on the way. */
  | { type: 'train'; point: GridPoint; trunk?: { ladder: LadderSpec; branches: GridPoint[]; until: number } }
  | { type: 'stop' }
  | { type: 'exit' };
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'result'; summary: PointSummary }
  | { type: 'error'; id?: string; message: string; inputError: boolean }
  /** A trunk wrote this branch's checkpoint: the branch may start. */
  | { type: 'branch-ready'; id: string }
  | { type: 'log'; line: string };
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
  maxMemory?: number;
  planFile?: string;
}

/** Whether @tensorflow/tfjs-node(-gpu) can be resolved (what `--backend auto` prefers over wasm-blas); nothing is loaded. */
function nativeTfInstalled(): boolean {
  const req = createRequire(import.meta.url);
  return ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((pkg) => {
    try {
      req.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  });
}

export async function trainPlan(plan: PlanFile, opts: TrainPlanOptions): Promise<TrainSummary> {
  const t0 = Date.now();
  const runsDir = resolve(opts.runsDir);
  const dataDir = resolve(opts.dataDir);
  const dataset = loadDataset(dataDir, opts.dataset);
  const selected = selectPoints(plan, opts);
  const representation = plan.representation ?? DEFAULT_REPRESENTATION;
  for (const p of selected) checkPoint(p, dataset, representation, opts.planFile); // every point valid (in the plan's representation) before anything trains
  const jobs = opts.jobs ?? cpus().length;
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`must be an integer ≥ 1, got ${jobs}`, { field: '--jobs' });

  const progressOn = opts.progress === undefined ? false : opts.progress;
  const ui = progressOn === false ? undefined : new MultiProgress({ tty: progressOn === 'auto' ? undefined : progressOn, unit: 'tok' });
  const log = opts.log ?? ((l: string) => (ui ? ui.log(l) : undefined));
  const summaries: PointSummary[] = [];

  // Finished runs of unchanged points are skipped without starting anything; a point edited since its run finished is refused
  // here, before anything trains (priorAction); an edited point whose run diverged or never finished is retrained.
  const todo: GridPoint[] = [];
  for (const p of selected) {
    const prior = priorAction(p, runFiles(runsDir, p.id).csv, dataset);
    if (prior.action === 'skip') {
      summaries.push({ id: p.id, budget: p.budget, status: prior.status, skipped: true, resumedFrom: 0, steps: p.steps, tokens: p.tokens, flops: p.flops, elapsedS: 0 });
      log(`skip ${p.id}: already ${prior.status}`);
    } else {
      if (prior.action === 'retrain') log(`retrain ${p.id}: ${prior.reason}; the old files are kept as *.prev`);
      todo.push(p);
    }
  }
  // Refuse what the machine cannot hold before any model is built (the largest points run at the same time on `jobs` workers).
  checkMemory(todo, { maxMemory: opts.maxMemory, jobs: jobs === 1 ? 1 : Math.min(jobs, todo.length), backend: opts.backend ?? TRAIN_DEFAULTS.backend, file: opts.planFile });
  // `--backend auto` on N workers: say once, here, that the fast path is off (the workers inherit the quiet flag), unless a native
  // TensorFlow package will be picked instead (then no notice is due).
  if (jobs > 1 && todo.length > 1 && (opts.backend ?? TRAIN_DEFAULTS.backend) === 'auto' && !nativeTfInstalled()) noteBlasFallbackOnce();
  // Longest first (largest budget, then most steps) balances workers best.
  todo.sort((a, b) => b.budget - a.budget || b.steps - a.steps);
  // Ladders (docs/ladder.md): the trunks go first; a branch waits in the queue until its trunk has written its checkpoint.
  const ladders = ladderJobs(plan, todo, runsDir, representation, log);
  todo.unshift(...[...ladders.trunks.values()].map((t) => t.point));

  const totalTokens = todo.reduce((s, p) => s + p.tokens, 0);
  const overall = ui?.overall(totalTokens, { label: 'overall', detail: `0/${todo.length} runs finished` });
  const doneTokens = new Map<string, number>();
  const finishedBefore = summaries.length;
  const bumpOverall = () => overall?.update([...doneTokens.values()].reduce((a, b) => a + b, 0), { detail: `${summaries.length - finishedBefore}/${todo.length} runs finished` });

  let stopping = false;
  const stopHandlers: (() => void)[] = [];
  const requestStop = () => {
    if (stopping) return;
    stopping = true;
    log('stopping: workers write a checkpoint and exit; rerun the same command to resume');
    for (const h of stopHandlers) h();
  };
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    stoppedBy ??= signal;
    if (stopping) {
      log('second interrupt: exiting now (the last periodic checkpoints are kept)');
      process.exit(stopExitCode(signal));
    }
    requestStop();
  };
  opts.stopSignal?.addEventListener('abort', requestStop);
  const handleSignals = opts.handleSignals !== false;
  const removeSignalHandlers = handleSignals ? onStopSignals(onSignal) : undefined;

  const workerCount = Math.min(jobs, Math.max(1, todo.length));
  try {
    if (todo.length === 0) {
      // nothing to train
    } else if (jobs === 1) {
      await runInProcess(todo, dataset, runsDir, { ...opts, representation }, ui, log, summaries, doneTokens, bumpOverall, () => stopping, (h) => stopHandlers.push(h), ladders);
    } else {
      await runWorkers(todo, workerCount, { runsDir, dataDir, dataset: opts.dataset, backend: opts.backend ?? TRAIN_DEFAULTS.backend, checkpointEvery: opts.checkpointEvery, evalPoints: opts.evalPoints, evalBytes: opts.evalBytes, optimizer: opts.optimizer, representation, maxMemory: opts.maxMemory, planFile: opts.planFile },
        ui, log, summaries, doneTokens, bumpOverall, () => stopping, (h) => stopHandlers.push(h), ladders);
    }
  } finally {
    removeSignalHandlers?.();
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
  summaries.sort((a, b) => (order.get(a.id) ?? -1) - (order.get(b.id) ?? -1)); // trunks (in no budget) first
  return { points: summaries, counts, elapsedS: (Date.now() - t0) / 1000, interrupted: stopping, stoppedBy };
}

async function runInProcess(
  todo: GridPoint[], dataset: LoadedDataset, runsDir: string, opts: TrainPlanOptions, ui: MultiProgress | undefined, log: (l: string) => void,
  summaries: PointSummary[], doneTokens: Map<string, number>, bumpOverall: () => void, isStopping: () => boolean, onStop: (h: () => void) => void,
  ladders: LadderJobs,
): Promise<void> {
  void onStop;
  const bar = ui?.bar(0, { label: 'w1', detail: 'starting' });
  for (const p of todo) {
    if (isStopping()) break;
    bar?.setTotal(p.tokens);
    bar?.update(0, { label: `w1 ${p.id}`, detail: '' });
    const common = {
      runsDir, dataset, backend: opts.backend, checkpointEvery: opts.checkpointEvery, evalPoints: opts.evalPoints, evalBytes: opts.evalBytes, optimizer: opts.optimizer, representation: opts.representation,
      maxMemory: opts.maxMemory, planFile: opts.planFile,
      shouldStop: isStopping,
      onProgress: (pr: TrainProgress) => {
        bar?.update(pr.tokens, { detail: progressDetail(pr) });
        doneTokens.set(p.id, pr.tokens);
        bumpOverall();
      },
    };
    // Trunks come first in `todo`, so every branch finds its checkpoint when its turn comes.
    const trunk = ladders.trunks.get(p.id);
    const r = trunk ? await trainTrunk(trunk.ladder, trunk.branches, { ...common, until: trunk.until, log }) : await trainPoint(p, common);
    summaries.push(summaryOf(p, r));
    log(resultLine(summaryOf(p, r)));
    bumpOverall();
  }
  bar?.remove();
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
  ladders: LadderJobs,
): Promise<void> {
  const queue = [...todo];
  const byId = new Map(todo.map((p) => [p.id, p]));
  let fatal: Error | undefined;
  const children: ChildProcess[] = [];
  // Ladders: a worker that finds only branches still waiting for their trunk parks until a trunk hands one off or ends.
  const parked: (() => void)[] = [];
  const wake = () => {
    for (const f of parked.splice(0)) f();
  };
  const take = () => {
    const i = queue.findIndex((p) => !ladders.blockedBy.has(p.id));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  /** A trunk ended: its waiting branches start (from the checkpoints it wrote), or fail with it when it did not get there. */
  const trunkEnded = (id: string, status: PointSummary['status']) => {
    if (!ladders.trunks.has(id)) return;
    for (const [branch, trunk] of [...ladders.blockedBy]) {
      if (trunk !== id) continue;
      ladders.blockedBy.delete(branch);
      if (status === 'failed' || status === 'locked') {
        const k = queue.findIndex((p) => p.id === branch);
        const p = k >= 0 ? queue.splice(k, 1)[0] : undefined;
        if (p) summaries.push({ id: p.id, budget: p.budget, status, skipped: false, resumedFrom: 0, steps: 0, tokens: 0, flops: 0, elapsedS: 0, error: `its trunk ${id} ${status === 'locked' ? 'is being trained by another process' : 'failed'}; rerun to continue the trunk` });
      }
    }
    wake();
  };
  onStop(() => {
    for (const c of children) if (c.connected) c.send({ type: 'stop' } satisfies ToWorker);
    wake();
  });
  const runOne = (w: number) =>
    new Promise<void>((resolveWorker) => {
      // detached: a terminal Ctrl-C reaches only the parent, which forwards 'stop' so each worker checkpoints first.
      // stdout/stderr piped through this process's streams, so a worker's output goes above the progress display, not into it.
      const child = fork(FORK_ARGS[0], FORK_ARGS[1], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true, serialization: 'advanced' });
      child.stdout?.on('data', (d: Buffer) => process.stdout.write(d));
      child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
      children.push(child);
      const bar = ui?.bar(0, { label: `w${w + 1}`, detail: 'starting (loading the trainer)' });
      let current: GridPoint | undefined;
      const next = () => {
        current = isStopping() || fatal ? undefined : take();
        if (!current) {
          if (!isStopping() && !fatal && queue.length > 0) {
            parked.push(next); // every queued point waits for a trunk that another worker is training
            bar?.update(0, { label: `w${w + 1}`, detail: 'waiting for a trunk' });
            return;
          }
          if (child.connected) child.send({ type: 'exit' } satisfies ToWorker);
          return;
        }
        bar?.setTotal(current.tokens);
        bar?.update(0, { label: `w${w + 1} ${current.id}`, detail: 'starting' });
        const job = ladders.trunks.get(current.id);
        child.send({ type: 'train', point: current, ...(job ? { trunk: { ladder: job.ladder, branches: job.branches, until: job.until } } : {}) } satisfies ToWorker);
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
          trunkEnded(m.summary.id, m.summary.status);
          next();
        } else if (m.type === 'branch-ready') {
          ladders.blockedBy.delete(m.id);
          wake();
        } else if (m.type === 'log') {
          log(m.line);
        } else if (m.type === 'error') {
          if (m.inputError) fatal ??= new InputError(m.message);
          const p = m.id ? byId.get(m.id) : undefined;
          if (p) {
            summaries.push({ id: p.id, budget: p.budget, status: 'failed', skipped: false, resumedFrom: 0, steps: 0, tokens: 0, flops: 0, elapsedS: 0, error: m.message });
            log(`failed   ${p.id}: ${m.message}`);
            trunkEnded(p.id, 'failed');
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
          trunkEnded(current.id, 'failed');
        }
        bar?.remove();
        resolveWorker();
      });
      child.send({ type: 'init', opts: init } satisfies ToWorker);
    });
  await Promise.all(Array.from({ length: n }, (_, w) => runOne(w)));
  if (fatal) throw fatal;
}
