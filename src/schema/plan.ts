// The plan JSON (docs/plan.md, "Plan JSON"): budgets and their IsoFLOP grids of concrete, trainable grid points. Written by `scaling plan`, read by `scaling train`.
import { InputError, requireNumber, requireObject, requireString } from '../util/errors.ts';
import { readJsonFile, writeJsonFile } from './json-file.ts';
import { validateShape, type ModelShape } from '../flops/shape.ts';
import type { Representation } from '../flops/flops.ts';
import { parseSchedule, parseStages, parseWarmup, type ScheduleName } from './settings.ts';
import { sha256 } from '../util/hash.ts';

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
  /** multistep: the stage ratios 'A/B/C' when not the paper's 80/10/10 (absent = 80/10/10, so older plans stay valid and identical). */
  stages?: string;
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

/** The shape family a budget's grid is drawn from (docs/plan.md, "The shape family"): every member follows these rules. */
export interface ShapeFamilySpec {
  /** d_model / n_heads for every member. */
  headSize: number;
  /** FFN granule: d_ff = ⌊8/3·d⌋ rounded up to lcm(multipleOf, tp); 'auto' = LLaMA's 2^⌊log2(d/16)⌋ in [8, 256]. */
  multipleOf: number | 'auto';
  /** Query heads per KV head. */
  kvGroup: number;
  /** Tensor- and pipeline-parallel degrees the shapes respect. */
  tp: number;
  pp: number;
  /** Widths are multiples of headSize·kvGroup·tp. */
  widthStep: number;
  /** The depth rule, in words. */
  depthRule: string;
}

/** GPU time of a plan at an assumed device peak and MFU (docs/plan.md, "Cost before compute"). */
export interface PlanCost {
  device: string;
  /** Dense BF16 peak of one device, TFLOP/s. */
  peakTflops: number;
  /** Model FLOPs utilisation assumed. */
  mfu: number;
  /** Which FLOPs the hours count, in words. */
  flopsRule: string;
  /** Per grid point: FLOPs the hardware does (forward + backward) and GPU-hours. */
  points: { id: string; hardwareFlops: number; gpuHours: number }[];
  budgets: { budget: number; hardwareFlops: number; gpuHours: number }[];
  totalHardwareFlops: number;
  totalGpuHours: number;
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
  /** The family its shapes come from (absent in plans written before families). */
  family?: ShapeFamilySpec;
  /** Points far from their target scale (e.g. below the smallest model), or fewer points than asked. */
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
  /** Multi-step stage ratios 'A/B/C' (default 80/10/10, the paper's; absent in older files). */
  stages?: string;
}

/**
 * A token ladder (docs/ladder.md): multistep grid points of one shape, batch, peak LR, seed and fixed warm-up share their stage 1.
 * The trunk trains at peak LR to `steps` (the last branch point) and hands each branch its state at the branch's first drop;
 * the branch trains only its stages 2 and 3 and ends bit-for-bit where a from-scratch run of that point would.
 */
export interface LadderSpec {
  /** Filesystem-safe id of the trunk: runs/<id>.ckpt is its checkpoint (it writes no run CSV: it is no run of any budget). */
  id: string;
  shape: ModelShape;
  batchSeqs: number;
  batchTokens: number;
  lr: number;
  seed: number;
  /** Warm-up in steps, the same for every branch (a share of each run would give every branch a different stage 1). */
  warmupSteps: number;
  /** Steps of the trunk at peak LR: the largest branch point. */
  steps: number;
  /** Grid points of this plan that branch off the trunk, and the step they leave it at (= the point's first breakpoint). */
  branches: { id: string; at: number }[];
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
    /** Shape-family constraints asked for (each budget's `family` records what was used). */
    kvGroup?: number;
    tp?: number;
    pp?: number;
    headSize?: number | 'auto';
    multipleOf?: number | 'auto';
  };
  budgets: BudgetPlan[];
  /** GPU-hours, when the plan was made with --device. */
  cost?: PlanCost;
  /** Token ladders among the points (docs/ladder.md); absent: every point trains from scratch. */
  ladders?: LadderSpec[];
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
  if (s.stages !== undefined) parseStages(s.stages, { file, field: `${field}.schedule.stages` });
  return o as unknown as GridPoint;
}

export function validatePlan(raw: unknown, file?: string): PlanFile {
  const o = requireObject(raw, '(root)', file);
  if (o.schema !== PLAN_SCHEMA) throw new InputError(`expected "${PLAN_SCHEMA}", got ${JSON.stringify(o.schema)}`, { file, field: 'schema' });
  if (o.version !== PLAN_VERSION) throw new InputError(`unsupported version ${JSON.stringify(o.version)}`, { file, field: 'version' });
  const opt = requireObject(o.options, 'options', file);
  for (const k of ['points', 'span', 'seqLen', 'vocab']) requireNumber(opt[k], `options.${k}`, file, { positive: true });
  parseSchedule(opt.schedule, { file, field: 'options.schedule' });
  parseWarmup(opt.warmup, { file, field: 'options.warmup' });
  requireNumber(opt.seed, 'options.seed', file, { integer: true, min: 0 });
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
  if (o.ladders !== undefined) validateLadders(o.ladders, new Map(allPoints(o as unknown as PlanFile).map((p) => [p.id, p])), file);
  return o as unknown as PlanFile;
}

/**
 * A ladder's invariants, which make every branch equal its from-scratch run: each branch is a multistep point of this plan with
 * the ladder's shape, batch, peak LR, seed and warm-up, leaving the trunk at its first breakpoint; the trunk runs to the last one.
 */
function validateLadders(raw: unknown, points: Map<string, GridPoint>, file?: string): void {
  if (!Array.isArray(raw)) throw new InputError('expected an array', { file, field: 'ladders' });
  const inLadder = new Map<string, string>();
  const trunkIds = new Set<string>();
  raw.forEach((l: unknown, i: number) => {
    const f = `ladders[${i}]`;
    const o = requireObject(l, f, file);
    const id = requireString(o.id, `${f}.id`, file);
    if (!/^[A-Za-z0-9._+-]+$/.test(id)) throw new InputError(`id must be filesystem-safe, got ${JSON.stringify(id)}`, { file, field: `${f}.id` });
    if (points.has(id) || trunkIds.has(id)) throw new InputError(`trunk id '${id}' is already used by a grid point or another ladder`, { file, field: `${f}.id` });
    trunkIds.add(id);
    const shape = validateShape(requireObject(o.shape, `${f}.shape`, file) as unknown as ModelShape, { file, prefix: `${f}.shape.` });
    for (const k of ['batchSeqs', 'batchTokens', 'lr', 'steps']) requireNumber(o[k], `${f}.${k}`, file, { positive: true });
    requireNumber(o.seed, `${f}.seed`, file, { integer: true, min: 0 });
    requireNumber(o.warmupSteps, `${f}.warmupSteps`, file, { integer: true, min: 0 });
    if (!Array.isArray(o.branches) || o.branches.length === 0) throw new InputError('expected a non-empty array', { file, field: `${f}.branches` });
    let last = 0;
    o.branches.forEach((b: unknown, j: number) => {
      const bf = `${f}.branches[${j}]`;
      const bo = requireObject(b, bf, file);
      const bid = requireString(bo.id, `${bf}.id`, file);
      const at = requireNumber(bo.at, `${bf}.at`, file, { integer: true, positive: true });
      const p = points.get(bid);
      if (!p) throw new InputError(`no grid point '${bid}' in the plan`, { file, field: `${bf}.id` });
      if (inLadder.has(bid)) throw new InputError(`point '${bid}' is already a branch of ladder '${inLadder.get(bid)}'`, { file, field: `${bf}.id` });
      inLadder.set(bid, id);
      const bp = p.schedule.breakpoints;
      const mismatch =
        p.schedule.name !== 'multistep' ? 'its schedule is not multistep'
          : JSON.stringify(p.shape) !== JSON.stringify(shape) ? 'its shape differs from the trunk\'s'
          : p.batchSeqs !== o.batchSeqs || p.batchTokens !== o.batchTokens ? 'its batch differs from the trunk\'s'
          : p.lr !== o.lr ? 'its peak LR differs from the trunk\'s'
          : p.seed !== o.seed ? 'its seed differs from the trunk\'s'
          : p.schedule.warmupSteps !== o.warmupSteps ? `its warm-up (${p.schedule.warmupSteps} steps) differs from the trunk's (${o.warmupSteps})`
          : bp[0] !== at ? `'at' must be its first breakpoint (${bp[0]})`
          : !(bp.every((x, k) => k === 0 || bp[k - 1] <= x) && at < p.steps) ? 'its breakpoints are not increasing within the run'
          : undefined;
      if (mismatch) throw new InputError(`point '${bid}' cannot branch from trunk '${id}': ${mismatch}`, { file, field: `${bf}.id` });
      last = Math.max(last, at);
    });
    if (o.steps !== last) throw new InputError(`the trunk must run to its last branch point (${last}), got ${o.steps}`, { file, field: `${f}.steps` });
  });
}

export function readPlan(file: string): PlanFile {
  return validatePlan(readJsonFile(file, 'plan'), file);
}

export function writePlan(file: string, plan: PlanFile): void {
  writeJsonFile(file, plan);
}

/** JSON with object keys sorted at every level (a hash that does not depend on key order in a hand-edited file). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/**
 * A grid point's identity as a run: 16 hex of sha256 over what decides its training (shape, batch, peak LR, steps, tokens,
 * schedule with warm-up and breakpoints, seed). Run CSVs record it (point_key), so a point edited after training is not
 * mistaken for its old run.
 */
export function pointKey(p: GridPoint): string {
  const { shape, batchSeqs, batchTokens, lr, steps, tokens, schedule, seed } = p;
  return sha256(canonicalJson({ shape, batchSeqs, batchTokens, lr, steps, tokens, schedule, seed })).slice(0, 16);
}

/** Every grid point of a plan, in budget order. */
export function allPoints(plan: PlanFile): GridPoint[] {
  return plan.budgets.flatMap((b) => b.points);
}
