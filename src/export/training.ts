// What every export carries besides the shape: a grid point's run (tokens, steps, batch, LR schedule as phases) and the paper's optimizer.
import type { Representation } from '../flops/flops.ts';
import type { GridPoint, ScheduleSpec } from '../schema/plan.ts';
import { PAPER_OPTIMIZER_SETTINGS, initStdFor } from '../schema/settings.ts';

/** One stretch of constant LR multiplier (after warm-up, for the first): steps [startStep, endStep). */
export interface SchedulePhase {
  startStep: number;
  endStep: number;
  /** LR = lrFactor × peak LR in this phase (after the warm-up of phase 1). */
  lrFactor: number;
  lr: number;
  /** Linear warm-up steps at the start of this phase (only the first phase has any). */
  warmupSteps: number;
}

/** A grid point's training run, in the units trainers use. */
export interface TrainingSpec {
  id: string;
  tokens: number;
  steps: number;
  seqLen: number;
  globalBatch: { sequences: number; tokens: number };
  peakLr: number;
  warmupSteps: number;
  schedule: {
    name: ScheduleSpec['name'];
    /** Steps after which the multiplier changes (multistep), and the multipliers after them. */
    breakpoints: number[];
    factors: number[];
    /** cosine: final LR as a fraction of the peak. */
    minFactor?: number;
    /** Constant-multiplier stretches (multistep: three; cosine/constant: one). */
    phases: SchedulePhase[];
  };
  optimizer: { name: 'AdamW'; beta1: number; beta2: number; eps: number; weightDecay: number; weightDecayExcludes: string };
  clipGradNorm: number;
  initStd: number;
  seed: number;
}

/**
 * Phases of a schedule: multistep → one phase per stretch between breakpoints (warm-up inside the first); cosine and constant →
 * one phase (the cosine decay happens inside it, to minFactor × peak at the last step).
 */
export function schedulePhases(s: ScheduleSpec, peakLr: number): SchedulePhase[] {
  if (s.name !== 'multistep' || s.breakpoints.length === 0) return [{ startStep: 0, endStep: s.totalSteps, lrFactor: 1, lr: peakLr, warmupSteps: s.warmupSteps }];
  const edges = [0, ...s.breakpoints, s.totalSteps];
  const factors = [1, ...s.factors];
  return factors.map((f, i) => ({ startStep: edges[i], endStep: edges[i + 1], lrFactor: f, lr: peakLr * f, warmupSteps: i === 0 ? s.warmupSteps : 0 }));
}

/** The training run of a grid point: everything an external trainer needs apart from the shape (read generically from the point). */
export function trainingSpec(p: GridPoint): TrainingSpec {
  const s = p.schedule;
  return {
    id: p.id,
    tokens: p.tokens,
    steps: p.steps,
    seqLen: p.shape.seqLen,
    globalBatch: { sequences: p.batchSeqs, tokens: p.batchTokens },
    peakLr: p.lr,
    warmupSteps: s.warmupSteps,
    schedule: {
      name: s.name,
      breakpoints: [...s.breakpoints],
      factors: [...s.factors],
      ...(s.minFactor !== undefined ? { minFactor: s.minFactor } : {}),
      phases: schedulePhases(s, p.lr),
    },
    optimizer: {
      name: 'AdamW',
      beta1: PAPER_OPTIMIZER_SETTINGS.beta1,
      beta2: PAPER_OPTIMIZER_SETTINGS.beta2,
      eps: PAPER_OPTIMIZER_SETTINGS.eps,
      weightDecay: PAPER_OPTIMIZER_SETTINGS.weightDecay,
      weightDecayExcludes: 'RMSNorm gains',
    },
    clipGradNorm: PAPER_OPTIMIZER_SETTINGS.clipNorm,
    initStd: initStdFor(p.shape),
    seed: p.seed,
  };
}

/**
 * The grid point as the plan has it, minus shape and schedule (which the export writes in the target's own terms): id, budget,
 * M, N1, N2, flops and any field a later plan adds (e.g. a ladder's branch information), copied as they are.
 */
export function planRecord(p: GridPoint, representation: Representation): Record<string, unknown> {
  const { shape: _shape, schedule: _schedule, ...rest } = p;
  return { ...rest, representation };
}

/** Multi-step schedules whose factors are powers of one γ (the paper's 0.316, 0.316² = 0.0999 ≈ 0.1): that γ, else undefined. */
export function multistepGamma(s: ScheduleSpec, tolerance = 0.005): number | undefined {
  if (s.name !== 'multistep' || s.factors.length === 0) return undefined;
  const gamma = s.factors[0];
  return s.factors.every((f, i) => Math.abs(f / Math.pow(gamma, i + 1) - 1) <= tolerance) ? gamma : undefined;
}
