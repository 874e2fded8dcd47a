// trainTrunk: trains a token ladder's shared stage 1 (docs/ladder.md) at peak LR and, at each branch's first drop, writes that
// branch's own checkpoint (weights, AdamW state, sampler, its rows and loss accumulator) so the branch resumes as an ordinary run.
import { existsSync } from 'node:fs';
import { InputError } from '../util/errors.ts';
import type { GridPoint, LadderSpec } from '../schema/plan.ts';
import { writeRunCsv, type RunStatus } from '../schema/runs.ts';
import { computeFlops, DEFAULT_REPRESENTATION } from '../flops/flops.ts';
import { lrAt } from '../plan/schedule.ts';
import { trunkPoint } from '../plan/ladder.ts';
import { sha256 } from '../util/hash.ts';
import { TRAIN_DEFAULTS } from '../schema/settings.ts';
import { TrainBatches } from './batches.ts';
import { readCheckpoint, writeCheckpoint, type BranchProgress, type Checkpoint } from './checkpoint.ts';
import { tryLock, type RunLock } from './lock.ts';
import type { Trainer } from './api.ts';
import {
  StepReporter,
  checkPoint, defaultCreateTrainer, DEFAULT_CHECKPOINT_EVERY_S, DEFAULT_EVAL_BYTES, DEFAULT_EVAL_POINTS, evalSteps, evaluateValidation, existingStatus,
  intermediateEvalSet, isDiverged, runFiles, runKey, runOptimizer, runRow, type TrainPointOptions, type TrainPointResult,
} from './loop.ts';

const YIELD_EVERY_MS = 100;

export interface TrunkOptions extends TrainPointOptions {
  /** Train to this step (≤ ladder.steps; default ladder.steps): the last branch point still needed. The trunk can continue later. */
  until?: number;
  /** Called after a branch's checkpoint is written: its run may start now. */
  onBranchReady?: (id: string) => void;
  /** Lines about hand-offs that were skipped (a branch already finished, started or locked). */
  log?: (line: string) => void;
}

/** A branch's state as the trunk sees it: the step it leaves at, the steps its own run evaluates at, and its progress so far. */
interface BranchState {
  point: GridPoint;
  at: number;
  evalAt: Set<number>;
  key: string;
  progress: BranchProgress;
}

/** Identity of a trunk: its point's run key and its branches (their ids, points and branch steps decide the rows it keeps). */
export function trunkKey(trunkRunKey: string, branches: BranchState[]): string {
  return sha256(trunkRunKey + JSON.stringify(branches.map((b) => [b.point.id, b.at, b.key]))).slice(0, 32);
}

/** The step a trunk's checkpoint has reached (0 when there is none). */
export function trunkStep(runsDir: string, ladder: LadderSpec): number {
  return readCheckpoint(runFiles(runsDir, ladder.id).checkpoint)?.meta.step ?? 0;
}

/**
 * Trains the trunk of `ladder` from its checkpoint (or from scratch) to `until`. `branches` are the ladder's grid points (all of
 * them: the trunk keeps every branch's rows, so any branch can be handed off later). A branch is handed its checkpoint only when it
 * has no finished CSV, no checkpoint at or past its branch point, and its lock is free; the hand-off is skipped otherwise (a
 * branch trained from scratch ends in the same state, so nothing is lost but compute).
 */
export async function trainTrunk(ladder: LadderSpec, branches: GridPoint[], opts: TrunkOptions): Promise<TrainPointResult> {
  const ds = opts.dataset;
  const rep = opts.representation ?? DEFAULT_REPRESENTATION;
  const tp = trunkPoint(ladder, rep);
  const { M } = checkPoint(tp, ds, rep);
  const files = runFiles(opts.runsDir, ladder.id);
  const base = { id: ladder.id, resumedFrom: 0, rows: [], step: 0, tokens: 0, flops: 0, elapsedS: 0 };
  const until = Math.min(ladder.steps, opts.until ?? ladder.steps);
  const byId = new Map(branches.map((b) => [b.id, b]));
  for (const b of ladder.branches) if (!byId.has(b.id)) throw new InputError(`branch '${b.id}' of trunk '${ladder.id}' was not given`, { field: 'ladders' });

  const optimizer = runOptimizer(tp, opts.optimizer);
  const evalPoints = opts.evalPoints ?? DEFAULT_EVAL_POINTS;
  const evalBytes = Math.min(ds.val.length, opts.evalBytes ?? DEFAULT_EVAL_BYTES);
  const state: BranchState[] = ladder.branches.map((b) => {
    const point = byId.get(b.id)!;
    checkPoint(point, ds, rep);
    if (JSON.stringify(runOptimizer(point, opts.optimizer)) !== JSON.stringify(optimizer)) throw new Error(`branch ${b.id}: optimizer differs from its trunk's`);
    // The invariant every branch rests on: before its branch point it follows exactly the trunk's LR (validatePlan checks the
    // fields that imply it; this checks the LRs themselves).
    for (let s = 0; s < b.at; s++) {
      if (lrAt(point.schedule, point.lr, s) !== lrAt(tp.schedule, tp.lr, s)) throw new Error(`branch ${b.id}: LR at step ${s} differs from its trunk's`);
    }
    return { point, at: b.at, evalAt: new Set(evalSteps(point.steps, evalPoints)), key: runKey(point, ds, optimizer, evalBytes, evalPoints), progress: { rows: [], lossSum: 0, lossCount: 0 } };
  });
  const key = trunkKey(runKey(tp, ds, optimizer, evalBytes, evalPoints), state);

  let lock: RunLock | undefined;
  if (opts.lock !== false) {
    lock = tryLock(files.lock);
    if (!lock) return { ...base, status: 'locked', skipped: true };
  }
  try {
    const make = opts.createTrainer ?? (await defaultCreateTrainer(opts.backend ?? TRAIN_DEFAULTS.backend));
    const trainer = await make({ shape: tp.shape, seed: tp.seed, ...optimizer });
    try {
      return await train(trainer);
    } finally {
      trainer.dispose();
    }
  } finally {
    lock?.release();
  }

  async function train(trainer: Trainer): Promise<TrainPointResult> {
    const T = tp.shape.seqLen;
    const sampler = new TrainBatches(ds.train, tp.batchSeqs, T, tp.seed);
    const { batches: partBatches, hash: partHash } = intermediateEvalSet(ds, T, evalBytes, opts.evalBatch ?? 32);
    const scale = computeFlops(tp.shape, 1, rep);
    const ckptEveryMs = (opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY_S) * 1000;
    let step = 0;
    let elapsedBefore = 0;
    const ckpt = readCheckpoint(files.checkpoint);
    if (ckpt) {
      if (ckpt.meta.runKey !== key || ckpt.meta.runId !== ladder.id) {
        throw new InputError('checkpoint belongs to a different ladder, dataset or optimizer setting; delete it to retrain the trunk', { file: files.checkpoint, field: 'runKey' });
      }
      trainer.importState(ckpt.state);
      sampler.state = ckpt.meta.samplerState;
      elapsedBefore = ckpt.meta.elapsedS;
      step = ckpt.meta.step;
      for (const b of state) if (ckpt.meta.branches?.[b.point.id]) b.progress = ckpt.meta.branches[b.point.id];
      if (trainer.step !== step) throw new InputError(`trainer state is at step ${trainer.step}, header says ${step}`, { file: files.checkpoint, field: 'step' });
    }
    const resumedFrom = step;
    const t0 = Date.now();
    const elapsed = () => elapsedBefore + (Date.now() - t0) / 1000;
    let lastCkpt = Date.now();
    let lastYield = Date.now();
    const reporter = new StepReporter(opts.onProgress, opts.progressEveryMs ?? 250, step * tp.batchTokens);
    const active = (b: BranchState) => step <= b.at && !b.progress.diverged;
    const row = (b: BranchState, status: RunStatus, trainLoss: number, valLoss: number) =>
      runRow({ point: b.point, dataset: ds.name, M, scale, representation: rep }, { step, elapsedS: elapsed(), status, trainLoss, valLoss, valHash: partHash });

    const save = () => {
      const c: Checkpoint = {
        meta: {
          version: 1, runId: ladder.id, runKey: key, step, samplerState: sampler.state, rows: [], elapsedS: elapsed(), lossSum: 0, lossCount: 0,
          created: new Date().toISOString(), branches: Object.fromEntries(state.map((b) => [b.point.id, b.progress])),
        },
        state: trainer.exportState(),
      };
      writeCheckpoint(files.checkpoint, c);
      lastCkpt = Date.now();
    };
    /** Runs `f` under the branch's lock when its run is neither finished nor started past `minStep`; false when skipped. */
    const withBranch = (b: BranchState, minStep: number, what: string, f: (csv: string, checkpoint: string) => void): boolean => {
      const bf = runFiles(opts.runsDir, b.point.id);
      const bl = opts.lock === false ? undefined : tryLock(bf.lock);
      if (opts.lock !== false && !bl) {
        opts.log?.(`trunk ${ladder.id}: ${b.point.id} is locked by another process; not ${what}`);
        return false;
      }
      try {
        const st = existingStatus(bf.csv, ds);
        if (st === 'done' || st === 'diverged') return false;
        if (existsSync(bf.checkpoint) && (readCheckpoint(bf.checkpoint)?.meta.step ?? 0) >= minStep) {
          opts.log?.(`trunk ${ladder.id}: ${b.point.id} already has a checkpoint at or past step ${minStep}; not ${what}`);
          return false;
        }
        f(bf.csv, bf.checkpoint);
        return true;
      } finally {
        bl?.release();
      }
    };
    /** The branch's run from here on is its own: its checkpoint at its branch point, and its CSV with the rows so far. */
    const handOff = (b: BranchState) => {
      const ok = withBranch(b, b.at, 'handing it the trunk', (csv, checkpoint) => {
        const c: Checkpoint = {
          meta: { version: 1, runId: b.point.id, runKey: b.key, step, samplerState: sampler.state, rows: b.progress.rows, elapsedS: elapsed(), lossSum: b.progress.lossSum, lossCount: b.progress.lossCount, created: new Date().toISOString() },
          state: trainer.exportState(),
        };
        // CSV first, then checkpoint, as trainPoint does: a checkpoint at step s always has a CSV with the rows up to s.
        if (b.progress.rows.length) writeRunCsv(csv, b.progress.rows);
        writeCheckpoint(checkpoint, c);
      });
      if (ok) opts.onBranchReady?.(b.point.id);
    };
    /** A branch whose own run would have diverged here: its CSV ends with the diverged row, as that run's would. */
    const diverge = (b: BranchState) => {
      b.progress.diverged = true;
      withBranch(b, 1, 'writing its diverged run', (csv) => writeRunCsv(csv, b.progress.rows));
    };
    const report = (force = false) => reporter.report({ id: ladder.id, step, steps: until, tokens: step * tp.batchTokens, totalTokens: until * tp.batchTokens }, force);
    const result = (status: TrainPointResult['status']): TrainPointResult => ({
      id: ladder.id, status, skipped: false, rows: [], resumedFrom, step, tokens: step * tp.batchTokens, flops: scale * step * tp.batchTokens, elapsedS: elapsed(),
    });

    // A trunk stopped right at a branch point wrote that branch's checkpoint before stopping; hand it off again if it is missing.
    for (const b of state) if (step > 0 && b.at === step && !b.progress.diverged) handOff(b);
    while (step < until) {
      const lr = lrAt(tp.schedule, tp.lr, step);
      const batch = sampler.next();
      const { loss } = trainer.trainStep(batch.inputs, batch.targets, batch.batch, lr);
      step++;
      if (!Number.isFinite(loss)) {
        // Every branch still on the trunk would have diverged at this very step.
        for (const b of state.filter(active)) {
          b.progress.rows = [...b.progress.rows, row(b, 'diverged', loss, NaN)];
          diverge(b);
        }
        save();
        report(true);
        return result('diverged');
      }
      reporter.addLoss(loss);
      const evaluating = state.filter((b) => active(b));
      for (const b of evaluating) {
        b.progress.lossSum += loss;
        b.progress.lossCount++;
      }
      // One evaluation serves every branch whose own run evaluates after this step (the same fixed windows for all).
      const due = evaluating.filter((b) => b.evalAt.has(step));
      if (due.length) {
        const te = Date.now();
        const valLoss = evaluateValidation(trainer, partBatches);
        reporter.exclude(Date.now() - te);
        for (const b of due) {
          const status: RunStatus = isDiverged(valLoss, tp.shape.vocab) ? 'diverged' : 'running';
          b.progress.rows = [...b.progress.rows, row(b, status, b.progress.lossSum / b.progress.lossCount, valLoss)];
          b.progress.lossSum = 0;
          b.progress.lossCount = 0;
          if (status === 'diverged') diverge(b);
        }
      }
      for (const b of state) if (b.at === step && !b.progress.diverged) handOff(b);
      if (state.every((b) => b.progress.diverged)) {
        save();
        return result('diverged');
      }
      report();
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
      if (step < until && opts.shouldStop?.()) {
        save();
        return result('stopped');
      }
      if (Date.now() - lastCkpt >= ckptEveryMs) save();
    }
    save();
    report(true);
    return result('done');
  }
}
