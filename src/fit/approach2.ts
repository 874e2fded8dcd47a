// Approach 2 (the paper's, Chinchilla's approach 2): per budget, the optimum of loss in x = log10(scale) — the vertex of a parabola on
// a window around the lowest points, or the argmin of an Akima spline of log loss through every scale (Porian et al. 2024) — gives
// M_opt(C), D_opt(C) = C/M_opt, L_opt(C); then M_opt = M_base·C^a, D_opt = D_base·C^b (paper Eq. 4) through the budgets whose
// minimum the data resolve: bracketed (lowest loss not at an edge) and significantly curved.
import type { BudgetOptimum, FitWarning, PowerLaw } from '../schema/laws.ts';
import type { Observation } from './types.ts';
import { addPoint, emptySums, solveSums, vertex, type Quadratic } from './parabola.ts';
import { fitPowerLaw } from './powerlaw.ts';
import { akimaSpline, splineMinimum } from './akima.ts';
import { sci } from '../util/format.ts';
import { aggregateBudgetNotes, WarningSet, type BudgetNote } from './warnings.ts';

export type OptimumMethod = 'parabola' | 'spline';
export const OPTIMUM_METHODS: readonly OptimumMethod[] = ['parabola', 'spline'];

/** One distinct model scale of a budget: several runs at the same scale (e.g. a learning-rate sweep) count once, at their lowest loss. */
export interface ScalePoint {
  scale: number;
  x: number;
  loss: number;
  tokens: number;
  /** Indices (into PreparedBudget.obs) of the runs at this scale. */
  runs: number[];
}

/** A budget's runs, grouped by distinct scale and sorted by scale, with the points its optimum is computed from. */
export interface PreparedBudget {
  budget: number;
  obs: Observation[];
  scales: ScalePoint[];
  /** Scale index of each run. */
  runScale: number[];
  /** Inclusive index range [lo, hi] into `scales` of the points the optimum uses (the parabola's window; every scale for the spline). */
  window: [number, number];
  /** Index of the lowest-loss scale. */
  best: number;
  method: OptimumMethod;
}

export interface Approach2Options {
  /** Parabola window: 0 = auto (see autoWindow), otherwise the number of distinct scales (at least 3). Ignored by the spline. */
  window: number;
  /** Per-budget optimum: parabola vertex (default) or Akima-spline argmin. */
  method?: OptimumMethod;
  /** Keep unbracketed and flat budgets in the power laws (default: excluded, with a warning naming them). */
  keepUnbracketed?: boolean;
  /**
   * How D_opt is read at the optimum: 'budget' (paper: D_opt = C/M_opt with C the budget) or 'interpolate' (log tokens fitted
   * linearly in log scale over the points used, evaluated at the optimum; C_opt = M_opt·D_opt — used when the runs of a budget do not
   * share one compute, as in the representation comparison).
   */
  dataAt?: 'budget' | 'interpolate';
  /** Weights of the budgets' optima in the power laws (aligned with the budgets in ascending order), e.g. 1/σ² from the bootstrap. */
  weights?: number[];
  /** Name of the scale in advice ('M', '6N2', …). */
  scaleName?: string;
}

export interface Approach2Result {
  optima: BudgetOptimum[];
  /** Compute each optimum is attributed to (the budget, or M_opt·D_opt with dataAt 'interpolate'), aligned with `optima`. */
  computeOpt: number[];
  /** Budgets whose optimum enters the power laws (not dropped, not excluded). */
  used: boolean[];
  scale?: PowerLaw;
  data?: PowerLaw;
  /** Structured warnings, one per code. */
  warnings: FitWarning[];
  prepared: PreparedBudget[];
  /** Median residual standard deviation of the budgets' curvature parabolas (loss units), when any budget has more than 4 scales. */
  sigma?: number;
  /** Budgets that enter the laws with a resolved minimum (bracketed and significantly curved): fewer than 3 → the laws are unsupported. */
  resolved: number;
}

/** Relative tolerance under which two scales of a budget are the same model. */
const SAME_SCALE = 1e-6;
/** One-sided 95% quantiles of Student's t by degrees of freedom (1–30; beyond, the normal 1.645): the curvature test's threshold. */
const T95 = [NaN, 6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697];
export function studentT95(dof: number): number {
  if (!(dof >= 1)) return Infinity;
  return dof < T95.length ? T95[Math.floor(dof)] : 1.645;
}

/**
 * Auto window: every point up to 6, else the lowest-loss point and its neighbours in scale, max(6, ⌈2n/3⌉) points in all
 * (measured on synthetic 10-point curves with 0.3% noise: 5 points give sd(a) ≈ 0.022, 7 points 0.008, all 10 points 0.005;
 * the trimmed third guards against the asymmetric tails of real IsoFLOP curves).
 */
export function autoWindow(n: number): number {
  return n <= 6 ? n : Math.max(6, Math.ceil((2 * n) / 3));
}

function lowest(scales: ScalePoint[]): number {
  let best = 0;
  for (let i = 1; i < scales.length; i++) if (scales[i].loss < scales[best].loss) best = i;
  return best;
}

/**
 * Window of `w` consecutive scales around the lowest-loss scale (every scale when w covers the budget), balanced: at most one more
 * point on one side than on the other, so
 * a minimum next to an edge gets a small window (e.g. 1 point on its left, 2 on its right) instead of a lopsided block whose vertex can
 * land beyond the data minimum's neighbours. A minimum on an edge (unbracketed) keeps the block of `w` scales from that edge.
 */
export function windowRange(scales: ScalePoint[], w: number): [number, number] {
  const n = scales.length;
  const size = Math.min(Math.max(w, 1), n);
  const best = lowest(scales);
  // A window as large as the budget uses every scale (a budget of ≤ 6 scales under the auto rule: all its points carry information).
  if (size >= n) return [0, n - 1];
  if (best === 0) return [0, size - 1];
  if (best === n - 1) return [n - size, n - 1];
  const half = Math.floor((size - 1) / 2);
  let left = Math.min(half, best);
  let right = Math.min(size - 1 - half, n - 1 - best);
  if (left > right + 1) left = right + 1;
  if (right > left + 1) right = left + 1;
  return [best - left, best + right];
}

/** Groups observations by budget (ascending) and each budget's runs by distinct scale. */
export function prepareBudgets(obs: Observation[], window: number, method: OptimumMethod = 'parabola'): PreparedBudget[] {
  const byBudget = new Map<number, Observation[]>();
  for (const o of obs) {
    const list = byBudget.get(o.budget);
    if (list) list.push(o);
    else byBudget.set(o.budget, [o]);
  }
  const out: PreparedBudget[] = [];
  for (const budget of [...byBudget.keys()].sort((p, q) => p - q)) {
    const runs = byBudget.get(budget)!;
    const order = runs.map((_, i) => i).sort((i, j) => runs[i].scale - runs[j].scale);
    const scales: ScalePoint[] = [];
    const runScale = new Array<number>(runs.length);
    for (const i of order) {
      const o = runs[i];
      const last = scales[scales.length - 1];
      if (last && Math.abs(o.scale - last.scale) <= SAME_SCALE * last.scale) {
        last.runs.push(i);
        if (o.loss < last.loss) {
          last.loss = o.loss;
          last.tokens = o.tokens;
        }
      } else {
        scales.push({ scale: o.scale, x: Math.log10(o.scale), loss: o.loss, tokens: o.tokens, runs: [i] });
      }
      runScale[i] = scales.length - 1;
    }
    const w = window > 0 ? Math.max(3, window) : autoWindow(scales.length);
    const win: [number, number] = method === 'spline' ? [0, scales.length - 1] : windowRange(scales, w);
    out.push({ budget, obs: runs, scales, runScale, window: win, best: scales.length ? lowest(scales) : 0, method });
  }
  return out;
}

/** Optimum of one budget's points (shared by the fit and the bootstrap). */
export interface VertexResult {
  x: number;
  loss: number;
  quad?: Quadratic;
  /** 'vertex' (parabola), 'spline' (Akima argmin), or 'best-point' when the parabola could not give a minimum. */
  from: 'vertex' | 'spline' | 'best-point';
  reason?: 'too-few' | 'curvature' | 'far' | 'edge';
}

/**
 * Fits the parabola on the given (x, loss, weight) points and returns its vertex, or the best point when c2 ≤ 0, when there are
 * fewer than 3 distinct x, or when the vertex lies farther outside the fitted x range than the range is wide (an extrapolation
 * that would dominate the power-law fit).
 */
export function parabolaOptimum(x: ArrayLike<number>, loss: ArrayLike<number>, w: ArrayLike<number>, center: number): VertexResult {
  const s = emptySums(center);
  let best = -1;
  let distinct = 0;
  let xmin = Infinity;
  let xmax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (!(w[i] > 0)) continue;
    distinct++;
    addPoint(s, x[i], loss[i], w[i]);
    if (best < 0 || loss[i] < loss[best]) best = i;
    if (x[i] < xmin) xmin = x[i];
    if (x[i] > xmax) xmax = x[i];
  }
  if (best < 0) return { x: NaN, loss: NaN, from: 'best-point', reason: 'too-few' };
  const q = distinct >= 3 ? solveSums(s) : undefined;
  if (!q) return { x: x[best], loss: loss[best], from: 'best-point', reason: 'too-few' };
  if (!(q.c2 > 0)) return { x: x[best], loss: loss[best], quad: q, from: 'best-point', reason: 'curvature' };
  const v = vertex(q);
  const width = xmax - xmin;
  if (v.x < xmin - width || v.x > xmax + width) return { x: x[best], loss: loss[best], quad: q, from: 'best-point', reason: 'far' };
  return { x: v.x, loss: v.y, quad: q, from: 'vertex' };
}

/**
 * Argmin of the Akima spline of ln(loss) against x through the points with weight > 0 (x ascending), as Porian et al. (2024) do;
 * reason 'edge' when the minimum sits on the first or last point. Needs 3 points.
 */
export function splineOptimum(x: ArrayLike<number>, loss: ArrayLike<number>, w: ArrayLike<number>): VertexResult {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (!(w[i] > 0)) continue;
    xs.push(x[i]);
    ys.push(Math.log(loss[i]));
  }
  if (xs.length < 3) {
    let b = -1;
    for (let i = 0; i < xs.length; i++) if (b < 0 || ys[i] < ys[b]) b = i;
    return b < 0 ? { x: NaN, loss: NaN, from: 'best-point', reason: 'too-few' } : { x: xs[b], loss: Math.exp(ys[b]), from: 'best-point', reason: 'too-few' };
  }
  const m = splineMinimum(akimaSpline(xs, ys));
  return { x: m.x, loss: Math.exp(m.y), from: 'spline', ...(m.where === 'interior' ? {} : { reason: 'edge' as const }) };
}

/** The optimum of a budget's points by its method. */
export function budgetOptimum(method: OptimumMethod, x: ArrayLike<number>, loss: ArrayLike<number>, w: ArrayLike<number>, center: number): VertexResult {
  return method === 'spline' ? splineOptimum(x, loss, w) : parabolaOptimum(x, loss, w, center);
}

/** Curvature check: least-squares parabola through every scale of a budget; c2, the (X'X)⁻¹ element of c2, and the residual sum of squares. */
function curvatureFit(scales: ScalePoint[]): { c2: number; inv22: number; ssr: number; dof: number } | undefined {
  const n = scales.length;
  if (n < 3) return undefined;
  const center = scales.reduce((a, s) => a + s.x, 0) / n;
  const s = emptySums(center);
  for (const p of scales) addPoint(s, p.x, p.loss, 1);
  const q = solveSums(s);
  if (!q) return undefined;
  // Inverse of [s0 s1 s2; s1 s2 s3; s2 s3 s4] at (2,2) = (s0·s2 − s1²)/det.
  const det = s.s0 * (s.s2 * s.s4 - s.s3 * s.s3) - s.s1 * (s.s1 * s.s4 - s.s3 * s.s2) + s.s2 * (s.s1 * s.s3 - s.s2 * s.s2);
  const inv22 = (s.s0 * s.s2 - s.s1 * s.s1) / det;
  let ssr = 0;
  for (const p of scales) ssr += (p.loss - (q.c0 + q.c1 * p.x + q.c2 * p.x * p.x)) ** 2;
  return { c2: q.c2, inv22, ssr, dof: n - 3 };
}

/** One budget's optimum, with the findings approach 2 owes the user (before the pooled curvature test). */
export function fitBudget(
  p: PreparedBudget,
  dataAt: 'budget' | 'interpolate' = 'budget',
  scaleName = 'scale',
): { optimum: BudgetOptimum; computeOpt: number; notes: BudgetNote[]; curvature?: { c2: number; inv22: number; ssr: number; dof: number } } {
  const n = p.scales.length;
  const warnings: string[] = [];
  const notes: BudgetNote[] = [];
  const note = (code: BudgetNote['code'], message: string, action?: string) => {
    warnings.push(message);
    notes.push({ budget: p.budget, code, message, ...(action ? { action } : {}) });
  };
  const [lo, hi] = p.window;
  const win = p.scales.slice(lo, hi + 1);
  const base: BudgetOptimum = {
    budget: p.budget,
    points: n,
    usedPoints: win.length,
    scaleOpt: NaN,
    dataOpt: NaN,
    lossOpt: NaN,
    window: win.length ? [win[0].scale, win[win.length - 1].scale] : undefined,
    bracketed: false,
    warnings,
    method: p.method,
  };
  if (p.obs.length > n && n >= 3) note('duplicate-scales', `${p.obs.length} runs at ${n} distinct scales: each scale enters at its lowest loss`);
  if (n < 3) {
    note('too-few-scales', `only ${n} distinct scale${n === 1 ? '' : 's'} (fewer than 3): budget dropped`, 'run at least 3 (better 5–9) sizes per budget');
    return { optimum: { ...base, dropped: true, codes: notes.map((x) => x.code) }, computeOpt: NaN, notes };
  }
  if (n < 5) note('few-scales', `only ${n} distinct scales (fewer than 5): the optimum is poorly constrained`, 'run 5–9 sizes per budget');
  const x = win.map((s) => s.x);
  const loss = win.map((s) => s.loss);
  const center = x.reduce((a, b) => a + b, 0) / x.length;
  const v = budgetOptimum(p.method, x, loss, win.map(() => 1), center);
  const best = p.best;
  const step = (p.scales[n - 1].x - p.scales[0].x) / (n - 1);
  let bracketed = best > 0 && best < n - 1;
  let bracket: [number, number] | undefined;
  if (!bracketed) {
    const edge = best === 0 ? 'smallest' : 'largest';
    const s = p.scales[best].scale;
    note('unbracketed', `lowest loss at the ${edge} sampled scale ${sci(s)}: minimum not bracketed`,
      best === 0 ? `add ${scaleName} below ${sci(s)} (e.g. ${sci(10 ** (p.scales[0].x - step))}) at ${sci(p.budget)}` : `add ${scaleName} above ${sci(s)} (e.g. ${sci(10 ** (p.scales[n - 1].x + step))}) at ${sci(p.budget)}`);
  } else bracket = [p.scales[best - 1].scale, p.scales[best + 1].scale];
  if (v.from === 'best-point') {
    bracketed = false;
    if (v.reason === 'curvature') note('unbracketed', "the window's parabola has non-positive curvature (no vertex): the lowest-loss point stands in", `add sizes farther from ${sci(p.scales[best].scale)} on both sides at ${sci(p.budget)}`);
    else if (v.reason === 'far') note('vertex-far', `vertex at ${sci(10 ** vertex(v.quad!).x)} lies more than the window's width outside it: the lowest-loss point stands in (excluded like an unbracketed budget)`, `widen the grid around ${sci(p.scales[best].scale)} at ${sci(p.budget)}`);
  } else if (bracket && (v.x < Math.log10(bracket[0]) || v.x > Math.log10(bracket[1]))) {
    note('vertex-outside-bracket', `${p.method === 'spline' ? 'spline minimum' : 'vertex'} at ${sci(10 ** v.x)} lies outside the interval [${sci(bracket[0])}, ${sci(bracket[1])}] around the data minimum`,
      `${p.method === 'spline' ? 'the curve is noisy or bumpy here: compare --optimum parabola' : 'compare --optimum spline or a narrower --window'}; add sizes around ${sci(p.scales[best].scale)}`);
  }
  const scaleOpt = 10 ** v.x;
  let dataOpt = p.budget / scaleOpt;
  let computeOpt = p.budget;
  if (dataAt === 'interpolate') {
    // log10 D ≈ α + β·log10 scale over the points used, read at the optimum.
    const fit = fitPowerLaw(win.map((s) => s.scale), win.map((s) => s.tokens));
    if (fit) dataOpt = fit.coefficient * Math.pow(scaleOpt, fit.exponent);
    computeOpt = scaleOpt * dataOpt;
  } else {
    const ratios = p.obs.map((o) => o.compute / p.budget).sort((a, b) => a - b);
    const med = ratios[Math.floor(ratios.length / 2)];
    if (Math.abs(med - 1) > 0.1) note('compute-mismatch', `runs' compute is ${med.toFixed(2)}× the budget (median): D_opt = C/${scaleName}_opt uses the budget`, 'check the budget labels (--budget-factor rescales them)');
  }
  const optimum: BudgetOptimum = {
    ...base,
    scaleOpt,
    dataOpt,
    lossOpt: v.loss,
    bracketed,
    ...(bracket ? { bracket } : {}),
  };
  if (v.quad && p.method === 'parabola') optimum.parabola = { c0: v.quad.c0, c1: v.quad.c1, c2: v.quad.c2 };
  if (p.method === 'spline') {
    const sp = akimaSpline(x, loss.map(Math.log));
    optimum.spline = { x: Array.from(sp.x), y: Array.from(sp.y), t: Array.from(sp.t) };
  }
  return { optimum, computeOpt, notes, curvature: curvatureFit(p.scales) };
}

/** Power laws through the optima: M_opt = k·C^a, D_opt = k'·C^b (least squares in log space, paper Eq. 4; optionally weighted). */
export function allocationLaws(compute: number[], scaleOpt: number[], dataOpt: number[], weights?: number[]): { scale?: PowerLaw; data?: PowerLaw } {
  if (compute.length < 2) return {};
  return { scale: fitPowerLaw(compute, scaleOpt, weights), data: fitPowerLaw(compute, dataOpt, weights) };
}

/** Approach 2 end to end: prepared budgets → optima → curvature test → exclusions → allocation laws, with named warnings. */
export function approach2(obs: Observation[], opts: Approach2Options): Approach2Result {
  const method = opts.method ?? 'parabola';
  const scaleName = opts.scaleName ?? 'scale';
  const prepared = prepareBudgets(obs, opts.window, method);
  const optima: BudgetOptimum[] = [];
  const computeOpt: number[] = [];
  const notes: BudgetNote[] = [];
  const curv: ({ c2: number; inv22: number; ssr: number; dof: number } | undefined)[] = [];
  for (const p of prepared) {
    const r = fitBudget(p, opts.dataAt ?? 'budget', scaleName);
    optima.push(r.optimum);
    computeOpt.push(r.computeOpt);
    notes.push(...r.notes);
    curv.push(r.curvature);
  }
  // Curvature significance: each budget's parabola through all its scales, tested against its own residual scatter (Student t,
  // one-sided 95%: no selection of a window, so pure noise passes 5% of the time); budgets with fewer than 2 residual degrees of
  // freedom use the median scatter of the others.
  const own = curv.map((c) => (c && c.dof >= 2 ? Math.sqrt(c.ssr / c.dof) : undefined));
  const others = own.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const sigma = others.length ? others[Math.floor(others.length / 2)] : undefined;
  const pooledDof = curv.reduce((a, c) => a + (c && c.dof >= 2 ? c.dof : 0), 0);
  optima.forEach((o, i) => {
    const c = curv[i];
    const sd = own[i] ?? sigma;
    if (o.dropped || !c || sd === undefined) return;
    const se = sd * Math.sqrt(Math.max(c.inv22, 0));
    const t = se > 0 ? c.c2 / se : c.c2 > 0 ? 1e9 : -1e9;
    const crit = studentT95(own[i] !== undefined ? c.dof : pooledDof);
    o.curvature = { c2: c.c2, se, t };
    if (t <= crit) {
      const msg = `curvature not significant (c2 = ${c.c2.toPrecision(3)} ± ${se.toPrecision(2)} per decade², t = ${t.toFixed(1)} ≤ ${crit.toFixed(2)}): no resolved minimum`;
      o.warnings.push(msg);
      notes.push({ budget: o.budget, code: 'flat-curvature', message: msg, action: `add sizes farther from ${sci(o.scaleOpt)} on both sides at ${sci(o.budget)}, or repeat runs to average out noise` });
    }
  });
  const codesOf = (b: number) => notes.filter((n) => n.budget === b).map((n) => n.code);
  const used = optima.map((o) => {
    o.codes = [...new Set(codesOf(o.budget))];
    if (o.dropped) return false;
    if (!o.bracketed && !opts.keepUnbracketed) o.excluded = true;
    return !o.excluded;
  });
  const ws = new WarningSet();
  aggregateBudgetNotes(notes, ws, {
    unbracketed: { action: opts.keepUnbracketed ? 'kept in the laws (--keep-unbracketed)' : 'excluded from the laws; --keep-unbracketed keeps them' },
    'flat-curvature': { action: 'kept in the laws, but not counted as resolved budgets', laws: ['scale', 'data', 'loss'] },
  });
  const keep = used.map((u, i) => (u ? i : -1)).filter((i) => i >= 0);
  const laws = ['scale', 'data', 'loss'];
  const resolved = keep.filter((i) => optima[i].bracketed && !optima[i].codes?.includes('flat-curvature')).length;
  if (resolved < 3) {
    ws.add('too-few-budgets', `only ${resolved} of ${optima.length} budgets have a resolved minimum (bracketed and significantly curved; ${keep.length} enter the laws)${keep.length < 2 ? ': no allocation law' : ''}`,
      'run at least 3 budgets whose curves have an interior, significantly curved minimum (see the per-budget warnings)', { laws });
  }
  if (keep.length < 2) return { optima, computeOpt, used, warnings: ws.list(), prepared, sigma, resolved };
  const C = keep.map((i) => computeOpt[i]);
  const decades = Math.log10(Math.max(...C) / Math.min(...C));
  if (decades <= 1) ws.add('short-span', `the used budgets span ${decades.toFixed(2)} decade${decades === 1 ? '' : 's'} of compute (one or less): exponents are poorly constrained`, `add budgets up to ${sci(Math.min(...C) * 100)} (two decades)`);
  const w = opts.weights ? keep.map((i) => opts.weights![i]) : undefined;
  const fitted = allocationLaws(C, keep.map((i) => optima[i].scaleOpt), keep.map((i) => optima[i].dataOpt), w);
  return { optima, computeOpt, used, ...fitted, warnings: ws.list(), prepared, sigma, resolved };
}
