// IsoFLOP grids: for each compute budget, the laws' predicted optimum and ~10 concrete model/data allocations around it (paper §3.2).
import { scaleCounts, type Representation } from '../flops/flops.ts';
import { evalLossLaw, evalPowerLaw, type LawsFile, type PowerLaw } from '../schema/laws.ts';
import { PLAN_SCHEMA, PLAN_VERSION, type BudgetPlan, type GridPoint, type GridSettings, type PlanFile } from '../schema/plan.ts';
import type { ModelShape } from '../flops/shape.ts';
import { InputError } from '../util/errors.ts';
import { DEFAULT_STAGES } from '../schema/settings.ts';
import { makeSchedule } from './schedule.ts';
import { chooseFamily, familyMembers, gridWindow, selectMembers, type FamilyConstraints, type ShapeFamily } from './shape-solver.ts';
import type { ShapeFamilySpec } from '../schema/plan.ts';

/** Paper Eq. 1, used for batch size and LR when a laws file has no hyperparameter laws. */
export const PAPER_LR: PowerLaw = { coefficient: 0.3118, exponent: -0.125 };
export const PAPER_BATCH: PowerLaw = { coefficient: 0.292, exponent: 0.3271 };

export interface PlanOptions extends GridSettings {
  /** Query heads per KV head (1 = MHA). */
  kvGroup: number;
  /** Cluster constraints of the shape family (docs/plan.md): tensor- and pipeline-parallel degrees, head size, FFN granule. */
  tp: number;
  pp: number;
  headSize: number | 'auto';
  multipleOf: number | 'auto';
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
  tp: 1, pp: 1, headSize: 'auto', multipleOf: 'auto',
};

/** The shape-family constraints of plan options, in a representation. */
export function familyConstraints(o: Pick<PlanOptions, 'seqLen' | 'vocab' | 'kvGroup' | 'tp' | 'pp' | 'headSize' | 'multipleOf'>, representation: Representation): FamilyConstraints {
  return { seqLen: o.seqLen, vocab: o.vocab, representation, kvGroup: o.kvGroup, tp: o.tp, pp: o.pp, headSize: o.headSize, multipleOf: o.multipleOf };
}

/** What a plan records of a family (the rules, without the data's l_seq and vocab, which every shape carries). */
export function familySpec(f: ShapeFamily): ShapeFamilySpec {
  return { headSize: f.headSize, multipleOf: f.multipleOf, kvGroup: f.kvGroup, tp: f.tp, pp: f.pp, widthStep: f.widthStep, depthRule: f.depthRule };
}

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
    schedule: makeSchedule(o.schedule, a.alloc.steps, o.warmup, o.stages),
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
  // A law its own fit marked unsupported (src/fit/warnings.ts) still plans, but every budget says so: its centre is a guess.
  if (laws.laws.scale.supported === false) warnings.push(`the laws' scale law (M_opt ∝ C^${laws.laws.scale.exponent.toPrecision(3)}) is marked not supported by its fit (${laws.laws.scale.reasons?.join(', ') || 'no reason given'}): this grid is centred on an optimum its data could not pin down; a wider --span keeps the true optimum inside`);
  // Targets log-spaced from S_opt/span to S_opt·span; each gets a distinct member of one family, in order (docs/plan.md).
  const targets = Array.from({ length: o.points }, (_, i) => scaleOpt * Math.pow(o.span, o.points === 1 ? 0 : -1 + (2 * i) / (o.points - 1)));
  // Members must lie within one grid step (the log distance between targets) beyond the end targets.
  const gridStep = o.points > 1 ? (2 * Math.log(o.span)) / (o.points - 1) : Math.log(o.span);
  const { family, members } = chooseFamily(scaleOpt, targets, gridStep, familyConstraints(o, rep));
  const pairs = selectMembers(targets, members.map((m) => m.scale));
  if (pairs.length < o.points) {
    const { lo, hi } = gridWindow(targets, gridStep);
    warnings.push(
      `only ${pairs.length} distinct shapes of this family (head size ${family.headSize}, widths in steps of ${family.widthStep}) lie within ` +
        `${lo.toExponential(2)} … ${hi.toExponential(2)} FLOPs/token (the targets ± one grid step): the grid has ${pairs.length} points, not ${o.points}` +
        (family.headSize > 4 ? `; a smaller --head-size (e.g. ${family.headSize / 2}), a smaller --tp/--kv-group, or fewer --points gives one per target` : ''),
    );
  }
  if (pairs.length === 0) throw new InputError(`no model of the shape family lies within one grid step of the targets at C = ${budget.toExponential(2)} (the smallest has ${familyMembers(family, 0, Infinity)[0]?.scale.toExponential(2) ?? '—'} FLOPs/token): raise the budget or --span`, { field: '--budget' });
  // A point is flagged when it is farther from its target than the targets are from each other (one grid step in log scale).
  for (const [i, k] of pairs) {
    const target = targets[i];
    const { shape, scale } = members[k];
    if (Math.abs(Math.log(scale / target)) > gridStep + 1e-12) {
      const why = target < members[0].scale ? `below the smallest model of the family (${members[0].scale.toExponential(2)})` : 'the nearest distinct member of the family';
      warnings.push(`point ${i}: target scale ${target.toExponential(2)} is ${why}; got ${scale.toExponential(2)} (×${(scale / target).toFixed(2)}); its D is set from its real scale, so C still holds`);
    }
    const alloc = allocateTokens(budget, scale, hp.batchSeqs, o.seqLen, o.tolerance);
    points.push(gridPoint({ id: pointId(o.dataset, budget, i, shape.nLayer, shape.dModel), budget, index: i, shape, targetScale: target, scale, alloc, lr: hp.lr }, o));
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
    family: familySpec(family),
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
    ...(o.stages && o.stages !== DEFAULT_STAGES ? { stages: o.stages } : {}),
    kvGroup: o.kvGroup, tp: o.tp, pp: o.pp, headSize: o.headSize, multipleOf: o.multipleOf,
  };
  return planFile(laws, lawsPath, options, budgets.map((b) => planBudget(b, laws, o)));
}
