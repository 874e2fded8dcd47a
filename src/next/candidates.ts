// Candidate runs for the next round, as concrete grid points from the planner (the grid's shape family, D = C/M, Eq. 1 batch/LR):
//   'point'  one more model on a budget: family members around and beyond the sampled scales (an unpinned or unbracketed vertex);
//   'budget' a new budget of p models around the law's M_opt: larger (lever arm, closer to extrapolation targets) or smaller;
//   'seed'   another seed of the run nearest a budget's optimum (only when replicates measured the seed noise).
import type { BudgetPlan, GridPoint } from '../schema/plan.ts';
import type { LawsFile } from '../schema/laws.ts';
import type { RunRow } from '../schema/runs.ts';
import type { ModelShape } from '../flops/shape.ts';
import { scalePerToken } from '../flops/flops.ts';
import { gridPoint, planBudget } from '../plan/grid.ts';
import { replicaId } from '../plan/replicas.ts';
import { InputError } from '../util/errors.ts';
import { sci } from '../util/format.ts';
import type { Observation } from '../fit/types.ts';
import type { GridContext } from './context.ts';
import type { IsoflopModel } from './model.ts';

export type CandidateKind = 'point' | 'budget' | 'seed';

/** A run not trained yet; `replicaOf` marks a new seed of an existing run (same shape, so the fitter sees the same scale). */
export interface SimRun {
  key: string;
  point: GridPoint;
  /** log10 scale in the fit's representation. */
  x: number;
  replicaOf?: Observation;
}

export interface Candidate {
  kind: CandidateKind;
  budget: number;
  runs: SimRun[];
  /** FLOPs it spends (Σ scale × tokens). */
  cost: number;
  /** Why it is a candidate, in words. */
  why: string;
  /** The planner's budget header (optimum, batch, LR, family) for the plan file. */
  header: Omit<BudgetPlan, 'points' | 'warnings'>;
}

/** The state of a design while runs are added: per budget, its scales (log10) and runs per scale. */
export interface DesignState {
  budgets: Map<number, { x: number; n: number }[]>;
}

const shapeKey = (s: ModelShape) => `${s.nLayer}x${s.dModel}x${s.nHeads}x${s.nKvHeads}x${s.dFf}`;
const sameBudget = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(a, b);
/** Two scales closer than this (decades) are the same position on a curve. */
const SAME_X = 0.01;

function budgetKey(state: DesignState, budget: number): number | undefined {
  for (const b of state.budgets.keys()) if (sameBudget(b, budget)) return b;
  return undefined;
}

/** Adds a candidate's runs to a design. */
export function addToDesign(state: DesignState, c: Candidate): DesignState {
  const budgets = new Map([...state.budgets].map(([b, pts]) => [b, pts.map((p) => ({ ...p }))]));
  const key = budgetKey(state, c.budget) ?? c.budget;
  const pts = budgets.get(key) ?? [];
  for (const r of c.runs) {
    const hit = pts.find((p) => Math.abs(p.x - r.x) < 1e-9);
    if (hit) hit.n++;
    else pts.push({ x: r.x, n: 1 });
  }
  pts.sort((p, q) => p.x - q.x);
  budgets.set(key, pts);
  return { budgets };
}

/** The design of the observed runs. */
export function observedDesign(obs: Observation[]): DesignState {
  const budgets = new Map<number, { x: number; n: number }[]>();
  for (const o of obs) {
    const x = Math.log10(o.scale);
    const pts = budgets.get(o.budget) ?? [];
    const hit = pts.find((p) => Math.abs(p.x - x) < 1e-6);
    if (hit) hit.n++;
    else pts.push({ x, n: 1 });
    budgets.set(o.budget, pts);
  }
  for (const pts of budgets.values()) pts.sort((p, q) => p.x - q.x);
  return { budgets };
}

export interface CandidateOptions {
  laws: LawsFile;
  model: IsoflopModel;
  grid: GridContext;
  /** Models per new budget (the existing grid's typical count, ≥ 3). */
  pointsPerBudget: number;
  /** The new budget grid reaches M_opt/span … M_opt·span (the existing grid's typical span). */
  span: number;
  /** Allow budgets below the smallest (cheap lever arm; small models may follow the law less well). */
  smaller: boolean;
  /** Seed candidates need a measured seed noise. */
  seeds: boolean;
  /** Existing runs (for seeds) and their final rows (shapes). */
  observations: Observation[];
  rows: Map<string, RunRow>;
}

/** Realised scale (log10) of a grid point in the fit's representation. */
function xOf(p: GridPoint, laws: LawsFile): number {
  return Math.log10(scalePerToken(p.shape, laws.representation));
}

/** Planner call that returns undefined instead of throwing where the family has no member near the targets. */
function tryPlan(budget: number, o: CandidateOptions, points: number, span: number): BudgetPlan | undefined {
  const hp = o.grid.hyper(budget);
  try {
    // Centred on the model's scale law (the fit's, or the rough one when the fit has none).
    const laws = o.laws.laws.scale === o.model.scaleLaw ? o.laws : { ...o.laws, laws: { ...o.laws.laws, scale: o.model.scaleLaw } };
    return planBudget(budget, laws, { ...o.grid.plan, points, span, ...(hp.lr ? { lr: hp.lr } : {}), ...(hp.batchTokens ? { batchTokens: hp.batchTokens } : {}) });
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
}

/** A budget plan without its points and warnings (what every candidate of that budget shares). */
function headerOf(bp: BudgetPlan): Candidate['header'] {
  const { points: _p, warnings: _w, ...header } = bp;
  return header;
}

const memberCache = new WeakMap<CandidateOptions, Map<string, BudgetPlan | undefined>>();

/** The family members the planner offers around a budget's sampled range and its model optimum, two sampling steps beyond. */
function membersAround(budget: number, xs: number[], o: CandidateOptions): BudgetPlan | undefined {
  let cache = memberCache.get(o);
  if (!cache) memberCache.set(o, (cache = new Map()));
  const key = `${budget}|${xs[0].toFixed(2)}|${xs[xs.length - 1].toFixed(2)}`;
  if (cache.has(key)) return cache.get(key);
  const xLaw = o.model.curveAt(budget).x0;
  const step = xs.length >= 2 ? Math.max(0.05, (xs[xs.length - 1] - xs[0]) / (xs.length - 1)) : 0.2;
  const lo = Math.min(xs[0], xLaw) - 2 * step;
  const hi = Math.max(xs[xs.length - 1], xLaw) + 2 * step;
  const lawCentre = Math.log10(o.model.scaleLaw.coefficient * Math.pow(budget, o.model.scaleLaw.exponent));
  const half = Math.max(lawCentre - lo, hi - lawCentre, 0.05);
  const points = Math.max(9, Math.min(41, Math.ceil((2 * half) / (step / 2)) + 1));
  const members = tryPlan(budget, o, points, Math.pow(10, half));
  cache.set(key, members);
  return members;
}

/** Every candidate for a design (before affordability): points on each budget, new budgets, seeds. */
export function candidatesFor(state: DesignState, o: CandidateOptions): Candidate[] {
  const out: Candidate[] = [];
  const budgets = [...state.budgets.keys()].sort((p, q) => p - q);
  for (const budget of budgets) {
    const pts = state.budgets.get(budget)!;
    const xs = pts.map((p) => p.x);
    const curve = o.model.curveAt(budget);
    const unbracketed = curve.x0 <= xs[0] || curve.x0 >= xs[xs.length - 1];
    const around = membersAround(budget, xs, o);
    for (const m of around?.points ?? []) {
      const x = xOf(m, o.laws);
      if (xs.some((v) => Math.abs(v - x) < SAME_X)) continue;
      const where = x < xs[0] ? 'below its smallest model' : x > xs[xs.length - 1] ? 'above its largest model' : 'between sampled models';
      out.push({
        kind: 'point',
        budget,
        runs: [{ key: `p|${budget}|${shapeKey(m.shape)}`, point: m, x }],
        cost: m.flops,
        why: `budget ${sci(budget)}: a model ${where}${unbracketed ? ' (vertex not bracketed)' : ''}`,
        header: headerOf(around!),
      });
    }
  }
  // New budgets: half a decade and a decade above the largest, half a decade below the smallest.
  const cMax = budgets[budgets.length - 1];
  const cMin = budgets[0];
  const steps: [number, string][] = [[cMax * Math.sqrt(10), 'lever arm: half a decade above the largest budget'], [cMax * 10, 'lever arm: a decade above the largest budget']];
  if (o.smaller) steps.push([cMin / Math.sqrt(10), 'lever arm: half a decade below the smallest budget']);
  // Each with the grid's usual number of models, or 3 (the fewest that bracket a vertex: a cheaper lever arm).
  const counts = [...new Set([o.pointsPerBudget, 3])];
  for (const [C, why] of steps) {
    if (budgetKey(state, C) !== undefined) continue;
    for (const count of counts) {
      const bp = tryPlan(Number(C.toPrecision(3)), o, count, o.span);
      const pts = bp?.points ?? [];
      const distinct = new Set(pts.map((p) => shapeKey(p.shape)));
      if (distinct.size < 3) continue;
      // The grid must bracket the law's optimum (a model on each side): below the smallest model of the family it cannot.
      const budget = pts[0].budget;
      const xLaw = o.model.curveAt(budget).x0;
      const xsNew = pts.map((p) => xOf(p, o.laws));
      if (!(Math.min(...xsNew) < xLaw && Math.max(...xsNew) > xLaw)) continue;
      out.push({ kind: 'budget', budget, runs: pts.map((p) => ({ key: `b|${budget}|${shapeKey(p.shape)}`, point: p, x: xOf(p, o.laws) })), cost: pts.reduce((t, p) => t + p.flops, 0), why: `new budget ${sci(budget)} (${pts.length} models; ${why})`, header: headerOf(bp!) });
    }
  }
  if (o.seeds) out.push(...seedCandidates(state, o));
  return out;
}

/** Another seed of the observed run nearest each budget's optimum (same shape, batch, LR and tokens; the next unused seed). */
function seedCandidates(state: DesignState, o: CandidateOptions): Candidate[] {
  const out: Candidate[] = [];
  for (const budget of state.budgets.keys()) {
    const runs = o.observations.filter((x) => sameBudget(x.budget, budget) && o.rows.has(x.runId));
    if (runs.length === 0) continue;
    const x0 = o.model.curveAt(budget).x0;
    const near = runs.reduce((p, q) => (Math.abs(Math.log10(q.scale) - x0) < Math.abs(Math.log10(p.scale) - x0) ? q : p));
    const row = o.rows.get(near.runId)!;
    const n = state.budgets.get(budget)!.find((p) => Math.abs(p.x - Math.log10(near.scale)) < 1e-6)?.n ?? 1;
    const shape: ModelShape = { nLayer: row.n_layer, dModel: row.d_model, nHeads: row.n_heads, nKvHeads: row.n_kv_heads, dFf: row.d_ff, seqLen: row.seq_len, vocab: row.vocab };
    const scale = scalePerToken(shape, o.laws.representation);
    // A replica is the same run but for its seed (same tokens, batch and LR, so the fitter merges it): id P-s<k>, seed P.seed + k,
    // the next k unused by observed replicas and by those this proposal already holds (src/plan/replicas.ts).
    const observed = o.observations.filter((x) => sameBudget(x.budget, budget) && Math.abs(x.scale - near.scale) <= 1e-6 * near.scale);
    const seedOf = (x: Observation) => o.rows.get(x.runId)?.seed ?? 0;
    const base = observed.reduce((p, q) => (seedOf(q) < seedOf(p) ? q : p));
    const k = Math.max(n, 1 + Math.max(...observed.map((x) => seedOf(x) - seedOf(base))));
    const alloc = { batchSeqs: Math.max(1, Math.round(row.batch_tokens / row.seq_len)), steps: row.step, tokens: row.tokens };
    const seed = seedOf(base) + k;
    const p: GridPoint = { ...gridPoint({ id: replicaId(base.runId, k), budget, index: 0, shape, targetScale: scale, scale, alloc, lr: row.lr_max }, { ...o.grid.plan, seqLen: row.seq_len, schedule: row.schedule, seed }), replicaOf: base.runId };
    out.push({
      kind: 'seed',
      budget,
      runs: [{ key: `s|${budget}|${near.runId}|${n}`, point: p, x: Math.log10(scale), replicaOf: near }],
      cost: p.flops,
      why: `budget ${sci(budget)}: seed ${seed} of ${near.runId} (the run nearest the optimum; averages out seed noise)`,
      header: { budget, scaleOpt: 10 ** x0, tokensOpt: budget / 10 ** x0, batchTokens: p.batchTokens, batchSeqs: p.batchSeqs, lr: p.lr },
    });
  }
  return out;
}
