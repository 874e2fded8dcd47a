// The plan JSON (docs/plan.md, "Plan JSON"): budgets and their IsoFLOP grids of concrete, trainable grid points. Written by `scaling plan`, read by `scaling train`.
import { InputError, requireNumber, requireObject, requireString } from '../util/errors.ts';
import { readJsonFile, writeJsonFile } from './json-file.ts';
import { validateShape, type ModelShape } from '../flops/shape.ts';
import type { Representation } from '../flops/flops.ts';
import { parseSchedule, type ScheduleName } from './settings.ts';

export const PLAN_SCHEMA = 'scaling.plan';
export const PLAN_VERSION = 1;

/** Learning-rate schedule of one run, in optimizer steps. */
export interface ScheduleSpec {
  name: ScheduleName;
  warmupSteps: number;
  totalSteps: number;
  /** multistep: steps after which the LR drops to 31.6% (80% of tokens) and 10% (90% of tokens); [] for other schedules. */
  breakpoints: number[];
  /** multistep: the LR multipliers after each breakpoint (paper: [0.316, 0.1]). */
  factors: number[];
  /** cosine: final LR as a fraction of the peak. */
  minFactor?: number;
}

/** One model/data allocation on a budget's IsoFLOP curve: everything needed to train it. */
export interface GridPoint {
  /** Unique, filesystem-safe: e.g. 'C1e+12-i03-L2-d32'. With a dataset prefix when a plan covers several datasets. */
  id: string;
  budget: number;
  index: number;
  shape: ModelShape;
  /** Target model scale this point was solved for (in the plan's representation). */
  targetScale: number;
  M: number;
  N1: number;
  N2: number;
  /** Training tokens: C / M rounded to whole batches. */
  tokens: number;
  /** M × tokens: the compute this point really spends (within 1% of budget). */
  flops: number;
  batchTokens: number;
  batchSeqs: number;
  lr: number;
  steps: number;
  schedule: ScheduleSpec;
  seed: number;
  /** A seed replica (src/plan/replicas.ts): the id of the point it repeats with another seed; absent for the point itself. */
  replicaOf?: string;
}

export interface BudgetPlan {
  budget: number;
  /** Predicted optimum from the laws (scale in the laws' representation). */
  scaleOpt: number;
  tokensOpt: number;
  batchTokens: number;
  batchSeqs: number;
  lr: number;
  predictedLoss?: number;
  points: GridPoint[];
  /** Points whose shape misses its target scale by more than the solver's tolerance (e.g. below the smallest model). */
  warnings?: string[];
}

/** How a grid is laid out and trained: shared by plan options, plan files and experiment files. */
export interface GridSettings {
  /** Grid points per budget (≥ 3). */
  points: number;
  /** The grid reaches from S_opt/span to S_opt·span, log-spaced. */
  span: number;
  seqLen: number;
  vocab: number;
  schedule: ScheduleName;
  /** Warm-up rule: 'auto' (min(2000, 5% of steps)), a step count, or a percentage like '2%'. */
  warmup: string;
  seed: number;
}

export interface PlanFile {
  schema: typeof PLAN_SCHEMA;
  version: typeof PLAN_VERSION;
  created: string;
  representation: Representation;
  /** Laws used: name and path (or 'builtin:deepseek-llm') and their provenance source. */
  laws: { name: string; path: string; source: string };
  options: GridSettings & {
    dataset?: string;
    /** Overrides of the laws' batch size / LR, when given. */
    batchTokens?: number;
    lr?: number;
    /** Seed replicas (src/plan/replicas.ts): seeds per replicated point and which points of each budget get them. */
    seeds?: number;
    seedPoints?: 'all' | number;
  };
  budgets: BudgetPlan[];
}

function validatePoint(p: unknown, field: string, file?: string): GridPoint {
  const o = requireObject(p, field, file);
  requireString(o.id, `${field}.id`, file);
  if (!/^[A-Za-z0-9._+-]+$/.test(o.id as string)) throw new InputError(`id must be filesystem-safe, got ${JSON.stringify(o.id)}`, { file, field: `${field}.id` });
  validateShape(requireObject(o.shape, `${field}.shape`, file) as unknown as ModelShape, { file, prefix: `${field}.shape.` });
  for (const k of ['budget', 'M', 'N1', 'N2', 'tokens', 'flops', 'batchTokens', 'batchSeqs', 'lr', 'steps']) requireNumber(o[k], `${field}.${k}`, file, { positive: true });
  requireNumber(o.seed, `${field}.seed`, file, { integer: true, min: 0 });
  const s = requireObject(o.schedule, `${field}.schedule`, file);
  parseSchedule(s.name, { file, field: `${field}.schedule.name` });
  requireNumber(s.warmupSteps, `${field}.schedule.warmupSteps`, file, { integer: true, min: 0 });
  requireNumber(s.totalSteps, `${field}.schedule.totalSteps`, file, { integer: true, positive: true });
  if (!Array.isArray(s.breakpoints) || !Array.isArray(s.factors)) throw new InputError('breakpoints and factors must be arrays', { file, field: `${field}.schedule` });
  return o as unknown as GridPoint;
}

export function validatePlan(raw: unknown, file?: string): PlanFile {
  const o = requireObject(raw, '(root)', file);
  if (o.schema !== PLAN_SCHEMA) throw new InputError(`expected "${PLAN_SCHEMA}", got ${JSON.stringify(o.schema)}`, { file, field: 'schema' });
  if (o.version !== PLAN_VERSION) throw new InputError(`unsupported version ${JSON.stringify(o.version)}`, { file, field: 'version' });
  if (!Array.isArray(o.budgets) || o.budgets.length === 0) throw new InputError('expected a non-empty array', { file, field: 'budgets' });
  const ids = new Set<string>();
  o.budgets.forEach((b: unknown, i: number) => {
    const bo = requireObject(b, `budgets[${i}]`, file);
    requireNumber(bo.budget, `budgets[${i}].budget`, file, { positive: true });
    if (!Array.isArray(bo.points)) throw new InputError('expected an array', { file, field: `budgets[${i}].points` });
    bo.points.forEach((p: unknown, j: number) => {
      const gp = validatePoint(p, `budgets[${i}].points[${j}]`, file);
      if (ids.has(gp.id)) throw new InputError(`duplicate grid point id '${gp.id}'`, { file, field: `budgets[${i}].points[${j}].id` });
      ids.add(gp.id);
    });
  });
  return o as unknown as PlanFile;
}

export function readPlan(file: string): PlanFile {
  return validatePlan(readJsonFile(file, 'plan'), file);
}

export function writePlan(file: string, plan: PlanFile): void {
  writeJsonFile(file, plan);
}

/** Every grid point of a plan, in budget order. */
export function allPoints(plan: PlanFile): GridPoint[] {
  return plan.budgets.flatMap((b) => b.points);
}
