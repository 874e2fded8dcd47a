// IsoFLOP grids: for each compute budget, the laws' predicted optimum and ~10 concrete model/data allocations around it (paper §3.2).
import { scaleCounts, scalePerToken, type Representation } from '../flops/flops.ts';
import { evalLossLaw, evalPowerLaw, type LawsFile, type PowerLaw } from '../schema/laws.ts';
import { PLAN_SCHEMA, PLAN_VERSION, type BudgetPlan, type GridPoint, type GridSettings, type PlanFile } from '../schema/plan.ts';
import type { ModelShape } from '../flops/shape.ts';
import { InputError } from '../util/errors.ts';
import { makeSchedule } from './schedule.ts';
import { solveShapes, SOLVER_TOLERANCE } from './shape-solver.ts';

/** Paper Eq. 1, used for batch size and LR when a laws file has no hyperparameter laws. */
export const PAPER_LR: PowerLaw = { coefficient: 0.3118, exponent: -0.125 };
export const PAPER_BATCH: PowerLaw = { coefficient: 0.292, exponent: 0.3271 };

export interface PlanOptions extends GridSettings {
  /** Query heads per KV head (1 = MHA). */
  kvGroup: number;
  /** Optional label; grid point ids get it as a prefix. */
  dataset?: string;
  /** Override the laws' batch size (tokens) and/or peak LR for every point. */
  batchTokens?: number;
  lr?: number;
  /** Max relative compute error of a grid point (default 0.01). */
  tolerance: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  points: 10, span: 4, seqLen: 4096, vocab: 102400, schedule: 'multistep', warmup: 'auto', seed: 0, kvGroup: 1, tolerance: 0.01,
};

/** Hyperparameters of a budget: Eq. 1 of the laws file (or the paper's, when the file has none), unless overridden. */
export function hyperparameters(laws: LawsFile, budget: number, o: Pick<PlanOptions, 'seqLen' | 'batchTokens' | 'lr'>): { batchTokens: number; batchSeqs: number; lr: number } {
  const b = o.batchTokens ?? evalPowerLaw(laws.laws.batch ?? PAPER_BATCH, budget);
  const batchSeqs = Math.max(1, Math.round(b / o.seqLen));
  return { batchSeqs, batchTokens: batchSeqs * o.seqLen, lr: o.lr ?? evalPowerLaw(laws.laws.lr ?? PAPER_LR, budget) };
}

function pointId(dataset: string | undefined, budget: number, index: number, L: number, d: number): string {
  const c = budget.toExponential(2).replace('e+', 'e');
  const safe = dataset ? dataset.replace(/[^A-Za-z0-9._-]+/g, '-') + '-' : '';
  return `${safe}C${c}-i${String(index).padStart(2, '0')}-L${L}-d${d}`;
}

/**
 * Steps and batch for a point: D = C / S rounded to whole batches. When rounding would miss C by more than the tolerance
 * (very short runs), the batch shrinks (whole sequences) until it does not.
 */
export function allocateTokens(budget: number, scale: number, batchSeqs: number, seqLen: number, tolerance: number): { batchSeqs: number; steps: number; tokens: number } {
  for (let bs = batchSeqs; bs >= 1; bs--) {
    const bt = bs * seqLen;
    const steps = Math.max(1, Math.round(budget / (scale * bt)));
    const tokens = steps * bt;
    if (Math.abs(tokens * scale - budget) / budget <= tolerance || bs === 1) return { batchSeqs: bs, steps, tokens };
  }
  throw new Error('unreachable');
}

/** One grid point: a shape trained on `alloc` (steps × whole batches) at peak LR `lr`; compute = scale × tokens. */
export function gridPoint(a: { id: string; budget: number; index: number; shape: ModelShape; targetScale: number; scale: number; alloc: { batchSeqs: number; steps: number; tokens: number }; lr: number }, o: PlanOptions): GridPoint {
  const counts = scaleCounts(a.shape);
  return {
    id: a.id,
    budget: a.budget,
    index: a.index,
    shape: a.shape,
    targetScale: a.targetScale,
    M: counts.M,
    N1: counts.N1,
    N2: counts.N2,
    tokens: a.alloc.tokens,
    flops: a.scale * a.alloc.tokens,
    batchTokens: a.alloc.batchSeqs * o.seqLen,
    batchSeqs: a.alloc.batchSeqs,
    lr: a.lr,
    steps: a.alloc.steps,
    schedule: makeSchedule(o.schedule, a.alloc.steps, o.warmup),
    seed: o.seed,
  };
}

export function planBudget(budget: number, laws: LawsFile, o: PlanOptions): BudgetPlan {
  if (!laws.laws.scale) throw new InputError('the laws file has no scale law (laws.scale), which planning needs', { field: 'laws.scale' });
  const rep: Representation = laws.representation;
  const scaleOpt = evalPowerLaw(laws.laws.scale, budget);
  const tokensOpt = laws.laws.data ? evalPowerLaw(laws.laws.data, budget) : budget / scaleOpt;
  const hp = hyperparameters(laws, budget, o);
  const points: GridPoint[] = [];
  const warnings: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < o.points; i++) {
    const t = o.points === 1 ? 0 : -1 + (2 * i) / (o.points - 1);
    const target = scaleOpt * Math.pow(o.span, t);
    const candidates = solveShapes(target, { seqLen: o.seqLen, vocab: o.vocab, representation: rep, kvGroup: o.kvGroup });
    const pick = candidates.find((c) => !used.has(JSON.stringify(c.shape)));
    if (!pick) continue;
    used.add(JSON.stringify(pick.shape));
    if (Math.abs(pick.logError) > Math.log(1 + SOLVER_TOLERANCE(target))) {
      warnings.push(`point ${i}: no shape within ${(SOLVER_TOLERANCE(target) * 100).toFixed(0)}% of target scale ${target.toExponential(2)} (got ${pick.scale.toExponential(2)}); its D is set from its real scale, so C still holds`);
    }
    const scale = scalePerToken(pick.shape, rep);
    const alloc = allocateTokens(budget, scale, hp.batchSeqs, o.seqLen, o.tolerance);
    points.push(gridPoint({ id: pointId(o.dataset, budget, i, pick.shape.nLayer, pick.shape.dModel), budget, index: i, shape: pick.shape, targetScale: target, scale, alloc, lr: hp.lr }, o));
  }
  return {
    budget,
    scaleOpt,
    tokensOpt,
    batchTokens: hp.batchTokens,
    batchSeqs: hp.batchSeqs,
    lr: hp.lr,
    ...(laws.laws.loss ? { predictedLoss: evalLossLaw(laws.laws.loss, budget) } : {}),
    points,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** Budgets must be finite and > 0 (one line naming the flag otherwise). */
export function checkBudgets(budgets: number[]): void {
  for (const b of budgets) if (!(b > 0) || !Number.isFinite(b)) throw new InputError(`budget must be finite and > 0, got ${b}`, { field: '--budget' });
}

/** The plan file around a list of budget plans: schema, creation time, laws used and options. Budgets in increasing C. */
export function planFile(laws: LawsFile, lawsPath: string, options: PlanFile['options'], budgets: BudgetPlan[]): PlanFile {
  return {
    schema: PLAN_SCHEMA,
    version: PLAN_VERSION,
    created: new Date().toISOString(),
    representation: laws.representation,
    laws: { name: laws.name, path: lawsPath, source: laws.provenance.source },
    options,
    budgets: [...budgets].sort((a, b) => a.budget - b.budget),
  };
}

export function makePlan(budgets: number[], laws: LawsFile, lawsPath: string, o: PlanOptions): PlanFile {
  if (!(o.points >= 3) || !Number.isInteger(o.points)) throw new InputError(`must be an integer ≥ 3, got ${o.points}`, { field: '--points' });
  if (!(o.span > 1) || !Number.isFinite(o.span)) throw new InputError(`must be a finite number > 1, got ${o.span}`, { field: '--span' });
  checkBudgets(budgets);
  const options: PlanFile['options'] = {
    points: o.points, span: o.span, seqLen: o.seqLen, vocab: o.vocab, schedule: o.schedule, warmup: o.warmup, seed: o.seed,
    ...(o.dataset ? { dataset: o.dataset } : {}),
    ...(o.batchTokens ? { batchTokens: o.batchTokens } : {}),
    ...(o.lr ? { lr: o.lr } : {}),
  };
  return planFile(laws, lawsPath, options, budgets.map((b) => planBudget(b, laws, o)));
}
