// trainPoint: trains one grid point to its exact token budget (plan steps × batch tokens), evaluating the held-out set ~10 times,
// writing runs/<id>.csv (running → done | diverged) and checkpoints (periodic, on stop, at the end); resumes from its checkpoint.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.ts';
import { pointKey, type GridPoint } from '../schema/plan.ts';
import { readRunCsv, writeRunCsv, type RunRow, type RunStatus } from '../schema/runs.ts';
import { computeFlops, DEFAULT_REPRESENTATION, scaleCounts, type Representation } from '../flops/flops.ts';
import { lrAt, stagesOf } from '../plan/schedule.ts';
import { sha256 } from '../util/hash.ts';
import type { LoadedDataset } from '../data/dataset.ts';
import { BYTE_VOCAB } from '../data/split.ts';
import { initStdFor, PAPER_OPTIMIZER, type BackendName, type Trainer, type TrainerConfig } from './api.ts';
import { TrainBatches, validationBatches, validationWindows, spreadWindows, windowBytes, meanLoss, type Batch } from './batches.ts';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.ts';
import { tryLock, type RunLock } from './lock.ts';
import { checkMemory } from './memory.ts';
import { ioError, removeStaleTemps } from '../util/safe-out.ts';
import { TRAIN_DEFAULTS } from '../schema/settings.ts';
import { trainProvenance } from './provenance.ts';

/** Relative tolerance between M × tokens and the grid point's budget C (the 1% rule). */
export const BUDGET_TOLERANCE = 0.01;
export const DEFAULT_EVAL_POINTS: number = TRAIN_DEFAULTS.evals;
/** Intermediate evaluations use ≈ this many bytes of val.bin, as windows spread over all of it (the final one uses all of it): a full 256 KiB pass costs more than a micro run trains. */
export const DEFAULT_EVAL_BYTES: number = TRAIN_DEFAULTS.evalBytes;
export const DEFAULT_CHECKPOINT_EVERY_S: number = TRAIN_DEFAULTS.checkpointEvery;
const YIELD_EVERY_MS = 100;
/** A validation loss above this multiple of ln(vocab) (the loss of a uniform guess) marks a run as diverged even when finite. */
export const DIVERGED_LOSS_FACTOR = 3;

/** True when a loss means the run has diverged: NaN/±inf, or (for validation) far worse than guessing uniformly. */
export function isDiverged(loss: number, vocab: number): boolean {
  return !Number.isFinite(loss) || loss > DIVERGED_LOSS_FACTOR * Math.log(vocab);
}

export interface TrainProgress {
  id: string;
  step: number;
  steps: number;
  tokens: number;
  totalTokens: number;
  /** Mean training loss (nats/token) over the steps since the previous report. */
  loss: number;
  valLoss?: number;
  tokensPerS: number;
}

/**
 * A training loop's progress reports, at most one per `everyMs` unless forced: the mean training loss and the training tokens/s
 * since the previous report (time excluded with `exclude`, e.g. evaluation, does not count). Shared by trainPoint and trainTrunk.
 */
export class StepReporter {
  private last = 0;
  private time = Date.now();
  private lossSum = 0;
  private lossN = 0;
  constructor(private readonly onProgress: ((p: TrainProgress) => void) | undefined, private readonly everyMs: number, private tokens: number) {}
  addLoss(loss: number): void {
    this.lossSum += loss;
    this.lossN++;
  }
  exclude(ms: number): void {
    this.time += ms;
  }
  report(p: Omit<TrainProgress, 'loss' | 'tokensPerS'>, force = false): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.last < this.everyMs) return;
    this.onProgress({ ...p, loss: this.lossN > 0 ? this.lossSum / this.lossN : NaN, tokensPerS: now > this.time ? ((p.tokens - this.tokens) * 1000) / (now - this.time) : 0 });
    this.last = now;
    this.tokens = p.tokens;
    this.time = now;
    this.lossSum = 0;
    this.lossN = 0;
  }
}

export interface TrainPointOptions {
  runsDir: string;
  dataset: LoadedDataset;
  /** Builds the model + optimizer (default: src/train/trainer.ts createTrainer on `backend`). */
  createTrainer?: (config: TrainerConfig) => Promise<Trainer>;
  backend?: BackendName;
  /** Overrides of the paper's optimizer settings (init std, betas, …). */
  optimizer?: Partial<Omit<TrainerConfig, 'shape' | 'seed'>>;
  /** Seconds between periodic checkpoints (0: after every step). */
  checkpointEvery?: number;
  evalPoints?: number;
  /** ≈ Bytes of val.bin (fixed windows spread evenly over it) for the intermediate evaluations; the final evaluation always uses all of val.bin. */
  evalBytes?: number;
  /** Sequences per validation batch. */
  evalBatch?: number;
  /** Called at most every `progressEveryMs` (default 250 ms) and at every evaluation. */
  onProgress?: (p: TrainProgress) => void;
  progressEveryMs?: number;
  /** Polled after every step: when true, the run writes a checkpoint and returns status 'stopped'. */
  shouldStop?: () => boolean;
  /** Take the run's lock (default true). */
  lock?: boolean;
  /** The plan's representation: compute = scale(representation) × tokens must hit each point's budget (default M). */
  representation?: Representation;
  /** Bytes the run may use (default: the machine's memory or cgroup limit); a larger estimate is refused before the model is built. */
  maxMemory?: number;
  /** The plan file the point came from, for messages. */
  planFile?: string;
}

export type PointStatus = RunStatus | 'stopped' | 'locked';

export interface TrainPointResult {
  id: string;
  status: PointStatus;
  /** True when the run was already finished (done or diverged) and nothing was trained. */
  skipped: boolean;
  rows: RunRow[];
  /** Step the run resumed from (0 for a fresh run). */
  resumedFrom: number;
  step: number;
  tokens: number;
  flops: number;
  finalValLoss?: number;
  elapsedS: number;
}

export function runFiles(runsDir: string, id: string): { csv: string; checkpoint: string; lock: string } {
  return { csv: join(runsDir, `${id}.csv`), checkpoint: join(runsDir, `${id}.ckpt`), lock: join(runsDir, `${id}.lock`) };
}

/** The steps after which the held-out set is evaluated: round(k·steps/n) for k = 1..n (deduplicated; always includes the last step). */
export function evalSteps(steps: number, n = DEFAULT_EVAL_POINTS): number[] {
  const s = new Set<number>();
  for (let k = 1; k <= n; k++) s.add(Math.max(1, Math.round((k * steps) / n)));
  return [...s].sort((a, b) => a - b);
}

/**
 * Checks a grid point against the dataset and the compute rule: byte vocabulary, batch = batchSeqs × seqLen, tokens = steps × batch,
 * M recomputed from the shape (paper Eq. 2), and the compute in the plan's representation (computeFlops) within 1% of the budget C.
 * Returns M and the compute spent.
 */
export function checkPoint(p: GridPoint, dataset: LoadedDataset, representation: Representation = DEFAULT_REPRESENTATION, file?: string): { M: number; flops: number; relErr: number } {
  const f = (k: string) => ({ file, field: `${p.id}.${k}` });
  if (p.shape.vocab !== BYTE_VOCAB) {
    throw new InputError(`vocab ${p.shape.vocab} ≠ ${BYTE_VOCAB}: dataset '${dataset.name}' is byte-level (plan it with --vocab 256)`, f('shape.vocab'));
  }
  if (p.batchSeqs * p.shape.seqLen !== p.batchTokens) throw new InputError(`batchTokens ${p.batchTokens} ≠ batchSeqs ${p.batchSeqs} × seqLen ${p.shape.seqLen}`, f('batchTokens'));
  if (!Number.isInteger(p.steps) || p.steps * p.batchTokens !== p.tokens) throw new InputError(`tokens ${p.tokens} ≠ steps ${p.steps} × batchTokens ${p.batchTokens}`, f('tokens'));
  if (p.schedule.totalSteps !== p.steps) throw new InputError(`schedule.totalSteps ${p.schedule.totalSteps} ≠ steps ${p.steps}`, f('schedule.totalSteps'));
  if (p.schedule.warmupSteps > p.steps) throw new InputError(`warm-up of ${p.schedule.warmupSteps} steps exceeds the run's ${p.steps} steps (re-plan with a smaller --warmup)`, f('schedule.warmupSteps'));
  const M = scaleCounts(p.shape).M;
  if (Math.abs(M - p.M) > 1e-9 * M) throw new InputError(`M ${p.M} does not match the shape's M ${M} (paper Eq. 2)`, f('M'));
  const flops = computeFlops(p.shape, p.tokens, representation);
  const relErr = Math.abs(flops / p.budget - 1);
  const rule = representation === 'M' ? 'M' : representation;
  if (relErr > BUDGET_TOLERANCE) throw new InputError(`${rule} × tokens = ${flops.toExponential(4)} is ${(relErr * 100).toFixed(2)}% from the budget ${p.budget.toExponential(4)} (limit 1%)`, f('tokens'));
  return { M, flops, relErr };
}

/** Identity of a run: the point's training-relevant fields, dataset and validation set. A checkpoint resumes only the same key. */
export function runKey(p: GridPoint, dataset: LoadedDataset, optimizer: Omit<TrainerConfig, 'shape' | 'seed'>, evalBytes: number, evalPoints: number): string {
  const { id, shape, batchSeqs, batchTokens, lr, steps, schedule, seed } = p;
  return sha256(JSON.stringify({ id, shape, batchSeqs, batchTokens, lr, steps, schedule, seed, optimizer, evalBytes, evalPoints, dataset: dataset.name, val: dataset.meta.val.sha256 })).slice(0, 32);
}

/** The optimizer settings a point trains with: the paper's, init std by width (initStdFor), then the caller's overrides. */
export function runOptimizer(p: GridPoint, override?: Partial<Omit<TrainerConfig, 'shape' | 'seed'>>): Omit<TrainerConfig, 'shape' | 'seed'> {
  // Init std: the paper's 0.006 from d = 512 up, 0.02 below (measured in docs/train-model.md), unless the caller sets it.
  return { ...PAPER_OPTIMIZER, initStd: initStdFor(p.shape), ...override };
}

/**
 * The fixed validation windows of the intermediate evaluations (≈ evalBytes of val.bin, spread evenly over all of it) as
 * batches, and the hash naming their bytes (the dataset's own hash when they are all of val.bin).
 */
export function intermediateEvalSet(ds: LoadedDataset, seqLen: number, evalBytes: number, evalBatch: number): { batches: Batch[]; hash: string } {
  const allWindows = validationWindows(ds.val.length, seqLen);
  const partWindows = spreadWindows(allWindows, Math.max(1, Math.floor(evalBytes / seqLen)));
  const batches = validationBatches(ds.val, seqLen, evalBatch, partWindows);
  const hash = partWindows.length === allWindows.length ? ds.valHash : sha256(windowBytes(ds.val, partWindows, seqLen)).slice(0, 16);
  return { batches, hash };
}

/** One run CSV row of `point` after `step` updates (the trainer of a ladder's trunk writes its branches' rows with it too). */
export function runRow(
  c: { point: GridPoint; dataset: string; M: number; scale: number; representation: Representation },
  r: { step: number; elapsedS: number; status: RunStatus; trainLoss: number; valLoss: number; valHash: string },
): RunRow {
  const p = c.point;
  return {
    run_id: p.id, dataset: c.dataset, budget: p.budget,
    n_layer: p.shape.nLayer, d_model: p.shape.dModel, n_heads: p.shape.nHeads, n_kv_heads: p.shape.nKvHeads, d_ff: p.shape.dFf,
    seq_len: p.shape.seqLen, vocab: p.shape.vocab, M: c.M, N1: p.N1, N2: p.N2, batch_tokens: p.batchTokens, lr_max: p.lr, schedule: p.schedule.name,
    step: r.step, tokens: r.step * p.batchTokens, flops: c.scale * r.step * p.batchTokens, lr: lrAt(p.schedule, p.lr, Math.max(0, r.step - 1)),
    train_loss: r.trainLoss, val_loss: r.valLoss, val_bpb: r.valLoss / Math.LN2, elapsed_s: Number(r.elapsedS.toFixed(3)), status: r.status, seed: p.seed,
    val_hash: r.valHash, representation: c.representation, point_key: pointKey(p), stages: stagesOf(p.schedule) ?? '',
    ...trainProvenance(),
  };
}

/** Mean validation loss (nats/token) over the fixed validation batches, weighted by sequences. */
export function evaluateValidation(trainer: Trainer, batches: Batch[]): number {
  return meanLoss(batches, batches.map((b) => trainer.evaluate(b.inputs, b.targets, b.batch)));
}

/**
 * How an existing run differs from the grid point it is named after, or undefined when it matches: the point_key column when
 * the file has it, else the settings its columns record (shape, batch, peak LR, schedule, seed).
 */
export function pointChange(p: GridPoint, row: RunRow): { field: string; was: string | number; now: string | number } | undefined {
  const cols: [keyof RunRow, number | string][] = [
    ['n_layer', p.shape.nLayer], ['d_model', p.shape.dModel], ['n_heads', p.shape.nHeads], ['n_kv_heads', p.shape.nKvHeads], ['d_ff', p.shape.dFf],
    ['seq_len', p.shape.seqLen], ['vocab', p.shape.vocab], ['batch_tokens', p.batchTokens], ['lr_max', p.lr], ['schedule', p.schedule.name], ['seed', p.seed],
  ];
  for (const [c, now] of cols) {
    const was = row[c] as number | string;
    const same = typeof now === 'number' ? Math.abs(Number(was) - now) <= 1e-9 * Math.abs(now) : was === now;
    if (!same) return { field: c, was, now };
  }
  const key = pointKey(p);
  if (row.point_key && row.point_key !== key) return { field: 'point_key', was: row.point_key, now: `${key} (steps, tokens, warm-up or breakpoints changed)` };
  return undefined;
}

/** An existing run file's state: finished (done/diverged) runs are skipped. Throws when the file belongs to another dataset/validation set. */
export function existingStatus(file: string, dataset: LoadedDataset): RunStatus | undefined {
  return priorRun(file, dataset)?.status;
}

/** The last row of an existing run file (undefined when there is none). Throws when the file belongs to another dataset/validation set. */
export function priorRun(file: string, dataset: LoadedDataset): (RunRow & { line: number }) | undefined {
  if (!existsSync(file)) return undefined;
  const rows = readRunCsv(file);
  const last = rows[rows.length - 1];
  if (!last) return undefined;
  // Only a finished run's last row is evaluated on the whole validation set; intermediate rows carry the subset's hash
  // (and an unfinished run's checkpoint key guards the rest when it resumes).
  if (last.dataset !== dataset.name || (last.status === 'done' && last.val_hash && last.val_hash !== dataset.valHash)) {
    throw new InputError(`run was trained on dataset '${last.dataset}' (val_hash ${last.val_hash}), not '${dataset.name}' (${dataset.valHash}); use another --runs-dir`, { file, line: last.line, field: 'val_hash' });
  }
  return last;
}

/** What to do with a point's existing run: skip it (same settings, finished), train/resume it, or retrain it (edited point, unfinished or diverged). */
export type PriorAction = { action: 'skip'; status: 'done' | 'diverged' } | { action: 'train' } | { action: 'retrain'; reason: string };

/**
 * The rule for an existing run file of point `p`: an unchanged finished run is skipped; an edited point whose old run diverged
 * or never finished is retrained (its old files are kept as *.prev); an edited point whose old run is done is refused with an
 * InputError naming the file, line and field — its result would be reported for settings it was not trained with.
 */
export function priorAction(p: GridPoint, csv: string, dataset: LoadedDataset): PriorAction {
  const last = priorRun(csv, dataset);
  if (!last) return { action: 'train' };
  const change = pointChange(p, last);
  if (!change) return last.status === 'done' || last.status === 'diverged' ? { action: 'skip', status: last.status } : { action: 'train' };
  const what = `${change.field} ${change.was} → ${change.now}`;
  if (last.status === 'done') {
    throw new InputError(`the plan's point ${p.id} changed since this run finished (${what}): its result would not match the plan; train into another --runs-dir, or move the file away to retrain`, { file: csv, line: last.line, field: change.field });
  }
  return { action: 'retrain', reason: `${last.status} run of an edited point (${what})` };
}

/** Moves a superseded run's CSV and checkpoint to `<file>.<time>.prev` (kept, never deleted; not matched by *.csv globs). */
export function archiveRun(files: { csv: string; checkpoint: string }): string[] {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const moved: string[] = [];
  for (const f of [files.csv, files.checkpoint]) {
    if (!existsSync(f)) continue;
    const to = `${f}.${stamp}.prev`;
    try {
      renameSync(f, to);
    } catch (e) {
      throw ioError(e, f, 'replace');
    }
    moved.push(to);
  }
  return moved;
}

export async function defaultCreateTrainer(backend: BackendName): Promise<(c: TrainerConfig) => Promise<Trainer>> {
  const { initBackend } = await import('./backend.ts');
  await initBackend(backend);
  const { createTrainer } = await import('./trainer.ts');
  return createTrainer;
}

export async function trainPoint(point: GridPoint, opts: TrainPointOptions): Promise<TrainPointResult> {
  const ds = opts.dataset;
  const { M } = checkPoint(point, ds, opts.representation, opts.planFile);
  // Refuse a model the machine cannot hold before building it (a test's own trainer factory is exempt).
  if (!opts.createTrainer) checkMemory([point], { maxMemory: opts.maxMemory, backend: opts.backend ?? TRAIN_DEFAULTS.backend, file: opts.planFile });
  const files = runFiles(opts.runsDir, point.id);
  const base = { id: point.id, resumedFrom: 0, rows: [] as RunRow[], step: 0, tokens: 0, flops: 0, elapsedS: 0 };

  let lock: RunLock | undefined;
  if (opts.lock !== false) {
    lock = tryLock(files.lock);
    if (!lock) return { ...base, status: 'locked', skipped: true };
  }
  try {
    // Under the lock: clear temporaries of this run's files that a killed writer left half-written.
    for (const f of [files.csv, files.checkpoint]) removeStaleTemps(f);
    const prior = priorAction(point, files.csv, ds);
    if (prior.action === 'skip') {
      const rows = readRunCsv(files.csv);
      const last = rows[rows.length - 1];
      return { ...base, status: prior.status, skipped: true, rows, step: last.step, tokens: last.tokens, flops: last.flops, finalValLoss: last.val_loss, elapsedS: last.elapsed_s };
    }
    if (prior.action === 'retrain') archiveRun(files);
    return await train(point, M, files, opts);
  } finally {
    lock?.release();
  }
}

async function train(point: GridPoint, M: number, files: ReturnType<typeof runFiles>, opts: TrainPointOptions): Promise<TrainPointResult> {
  const ds = opts.dataset;
  const optimizer = runOptimizer(point, opts.optimizer);
  const evalPoints = opts.evalPoints ?? DEFAULT_EVAL_POINTS;
  const evalBytes = Math.min(ds.val.length, opts.evalBytes ?? DEFAULT_EVAL_BYTES);
  const key = runKey(point, ds, optimizer, evalBytes, evalPoints);
  const T = point.shape.seqLen;
  const B = point.batchSeqs;
  const rep = opts.representation ?? DEFAULT_REPRESENTATION;
  const scale = computeFlops(point.shape, 1, rep);
  const make = opts.createTrainer ?? (await defaultCreateTrainer(opts.backend ?? TRAIN_DEFAULTS.backend));
  const trainer = await make({ shape: point.shape, seed: point.seed, ...optimizer });
  try {
    const sampler = new TrainBatches(ds.train, B, T, point.seed);
    // Intermediate evaluations: ≈ evalBytes of val.bin as windows spread evenly over all of it; the final one: every window.
    // Each row's val_hash names the bytes it was evaluated on.
    const { batches: partBatches, hash: partHash } = intermediateEvalSet(ds, T, evalBytes, opts.evalBatch ?? 32);
    const evalAt = new Set(evalSteps(point.steps, evalPoints));
    const ckptEveryMs = (opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY_S) * 1000;

    let rows: RunRow[] = [];
    let elapsedBefore = 0;
    let lossSum = 0;
    let lossCount = 0;
    let step = 0;
    const ckpt = readCheckpoint(files.checkpoint);
    if (ckpt) {
      if (ckpt.meta.runKey !== key || ckpt.meta.runId !== point.id) {
        throw new InputError('checkpoint belongs to a different grid point, dataset or optimizer setting; delete it and the run CSV to retrain', { file: files.checkpoint, field: 'runKey' });
      }
      trainer.importState(ckpt.state);
      sampler.state = ckpt.meta.samplerState;
      rows = ckpt.meta.rows;
      elapsedBefore = ckpt.meta.elapsedS;
      lossSum = ckpt.meta.lossSum;
      lossCount = ckpt.meta.lossCount;
      step = ckpt.meta.step;
      if (trainer.step !== step) throw new InputError(`trainer state is at step ${trainer.step}, header says ${step}`, { file: files.checkpoint, field: 'step' });
    }
    const resumedFrom = step;
    const t0 = Date.now();
    const elapsed = () => elapsedBefore + (Date.now() - t0) / 1000;
    let lastCkpt = Date.now();
    let lastYield = Date.now();
    const reporter = new StepReporter(opts.onProgress, opts.progressEveryMs ?? 250, step * point.batchTokens);

    const save = () => {
      const c: Checkpoint = {
        meta: { version: 1, runId: point.id, runKey: key, step, samplerState: sampler.state, rows, elapsedS: elapsed(), lossSum, lossCount, created: new Date().toISOString() },
        state: trainer.exportState(),
      };
      writeCheckpoint(files.checkpoint, c);
      lastCkpt = Date.now();
    };
    const row = (status: RunStatus, trainLoss: number, valLoss: number, valHash = partHash): RunRow =>
      runRow({ point, dataset: ds.name, M, scale, representation: rep }, { step, elapsedS: elapsed(), status, trainLoss, valLoss, valHash });
    const report = (valLoss?: number, force = false) =>
      reporter.report({ id: point.id, step, steps: point.steps, tokens: step * point.batchTokens, totalTokens: point.tokens, valLoss }, force);
    const result = (status: PointStatus): TrainPointResult => {
      const last = rows[rows.length - 1];
      return {
        id: point.id, status, skipped: false, rows, resumedFrom, step, tokens: step * point.batchTokens, flops: scale * step * point.batchTokens,
        finalValLoss: status === 'done' ? last?.val_loss : undefined, elapsedS: elapsed(),
      };
    };

    // The CSV appears at the first evaluation (a header-only file would be an empty run to `scaling fit`).
    while (step < point.steps) {
      const lr = lrAt(point.schedule, point.lr, step);
      const b = sampler.next();
      const { loss } = trainer.trainStep(b.inputs, b.targets, b.batch, lr);
      step++;
      if (!Number.isFinite(loss)) {
        rows = [...rows, row('diverged', loss, NaN)];
        writeRunCsv(files.csv, rows);
        report(NaN, true);
        return result('diverged');
      }
      lossSum += loss;
      lossCount++;
      reporter.addLoss(loss);
      if (evalAt.has(step)) {
        const final = step === point.steps;
        const te = Date.now();
        const valLoss = evaluateValidation(trainer, final ? validationBatches(ds.val, T, opts.evalBatch ?? 32) : partBatches);
        reporter.exclude(Date.now() - te); // tokens/s counts training time only
        const status: RunStatus = isDiverged(valLoss, point.shape.vocab) ? 'diverged' : final ? 'done' : 'running';
        rows = [...rows, row(status, lossSum / lossCount, valLoss, final ? ds.valHash : partHash)];
        lossSum = 0;
        lossCount = 0;
        writeRunCsv(files.csv, rows);
        if (status === 'done') save(); // the final checkpoint (written after the CSV says done, so a checkpoint at the last step implies a done CSV)
        report(valLoss, true);
        if (status === 'diverged') return result('diverged');
        if (status === 'done') return result('done');
      } else {
        report();
      }
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        // The loop is synchronous per step: let IPC messages, signals and timers run (Ctrl-C, progress) every ~100 ms.
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
      if (opts.shouldStop?.()) {
        save();
        return result('stopped');
      }
      if (Date.now() - lastCkpt >= ckptEveryMs) save();
    }
    return result('done');
  } finally {
    trainer.dispose();
  }
}
