// Approach 2 (the paper's, Chinchilla's approach 2): per budget, a parabola of loss in x = log10(scale) on a window around the
// lowest points; its vertex gives M_opt(C), D_opt(C) = C/M_opt, L_opt(C); then M_opt = M_base·C^a, D_opt = D_base·C^b (paper Eq. 4).
import type { BudgetOptimum, PowerLaw } from '../schema/laws.ts';
import type { Observation } from './types.ts';
import { addPoint, emptySums, solveSums, vertex, type Quadratic } from './parabola.ts';
import { fitPowerLaw } from './powerlaw.ts';
import { sci } from '../util/format.ts';

/** One distinct model scale of a budget: several runs at the same scale (e.g. a learning-rate sweep) count once, at their lowest loss. */
export interface ScalePoint {
  scale: number;
  x: number;
  loss: number;
  tokens: number;
  /** Indices (into PreparedBudget.obs) of the runs at this scale. */
  runs: number[];
}

/** A budget's runs, grouped by distinct scale and sorted by scale, with the window chosen for its parabola. */
export interface PreparedBudget {
  budget: number;
  obs: Observation[];
  scales: ScalePoint[];
  /** Scale index of each run. */
  runScale: number[];
  /** Inclusive index range [lo, hi] into `scales` of the parabola's window. */
  window: [number, number];
}

export interface Approach2Options {
  /** 0 = auto (see autoWindow), otherwise the number of distinct scales in the window (at least 3: a parabola needs them). */
  window: number;
  /**
   * How D_opt is read at the vertex: 'budget' (paper: D_opt = C/M_opt with C the budget) or 'interpolate' (log tokens fitted
   * linearly in log scale over the window, evaluated at the vertex; C_opt = M_opt·D_opt — used when the runs of a budget do not
   * share one compute, as in the representation comparison).
   */
  dataAt?: 'budget' | 'interpolate';
}

export interface Approach2Result {
  optima: BudgetOptimum[];
  /** Compute each optimum is attributed to (the budget, or M_opt·D_opt with dataAt 'interpolate'), aligned with `optima`. */
  computeOpt: number[];
  scale?: PowerLaw;
  data?: PowerLaw;
  warnings: string[];
  prepared: PreparedBudget[];
}

/** Relative tolerance under which two scales of a budget are the same model. */
const SAME_SCALE = 1e-6;

/**
 * Auto window: every point up to 6, else the lowest-loss point and its neighbours in scale, max(6, ⌈2n/3⌉) points in all
 * (measured on synthetic 10-point curves with 0.3% noise: 5 points give sd(a) ≈ 0.022, 7 points 0.008, all 10 points 0.005;
 * the trimmed third guards against the asymmetric tails of real IsoFLOP curves).
 */
export function autoWindow(n: number): number {
  return n <= 6 ? n : Math.max(6, Math.ceil((2 * n) / 3));
}

/** Contiguous block of `w` scales (in scale order) centred on the lowest-loss scale, shifted inwards at the edges. */
export function windowRange(scales: ScalePoint[], w: number): [number, number] {
  const n = scales.length;
  const size = Math.min(Math.max(w, 1), n);
  let best = 0;
  for (let i = 1; i < n; i++) if (scales[i].loss < scales[best].loss) best = i;
  let lo = best - Math.floor((size - 1) / 2);
  lo = Math.max(0, Math.min(lo, n - size));
  return [lo, lo + size - 1];
}

/** Groups observations by budget (ascending) and each budget's runs by distinct scale. */
export function prepareBudgets(obs: Observation[], window: number): PreparedBudget[] {
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
    out.push({ budget, obs: runs, scales, runScale, window: windowRange(scales, w) });
  }
  return out;
}

/** Vertex of a budget's parabola with the fallbacks and flags of approach 2 (shared by the fit and the bootstrap). */
export interface VertexResult {
  x: number;
  loss: number;
  quad?: Quadratic;
  /** 'vertex', or 'best-point' when the parabola could not give a minimum. */
  from: 'vertex' | 'best-point';
  reason?: 'too-few' | 'curvature' | 'far';
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

/** One budget's optimum with every warning approach 2 owes the user. */
export function fitBudget(p: PreparedBudget, dataAt: 'budget' | 'interpolate' = 'budget'): { optimum: BudgetOptimum; computeOpt: number } {
  const n = p.scales.length;
  const warnings: string[] = [];
  const [lo, hi] = p.window;
  const win = p.scales.slice(lo, hi + 1);
  const base: BudgetOptimum = {
    budget: p.budget,
    points: n,
    usedPoints: win.length,
    scaleOpt: NaN,
    dataOpt: NaN,
    lossOpt: NaN,
    window: [win[0].scale, win[win.length - 1].scale],
    bracketed: false,
    warnings,
  };
  if (p.obs.length > n && n >= 3) warnings.push(`${p.obs.length} runs at ${n} distinct scales: each scale enters the parabola at its lowest loss`);
  if (n < 3) {
    warnings.push(`only ${n} distinct scale${n === 1 ? '' : 's'} (fewer than 3): budget dropped`);
    return { optimum: { ...base, dropped: true }, computeOpt: NaN };
  }
  if (n < 5) warnings.push(`only ${n} distinct scales (fewer than 5): the optimum is poorly constrained`);
  const x = win.map((s) => s.x);
  const loss = win.map((s) => s.loss);
  const center = x.reduce((a, b) => a + b, 0) / x.length;
  const v = parabolaOptimum(x, loss, win.map(() => 1), center);
  let bracketed = true;
  if (v.from === 'best-point') {
    bracketed = false;
    warnings.push(
      v.reason === 'curvature'
        ? 'non-positive curvature: optimum falls back to the lowest-loss point'
        : v.reason === 'far'
          ? `vertex at ${sci(10 ** vertex(v.quad!).x)} lies more than the window's width outside it: optimum falls back to the lowest-loss point (minimum not bracketed)`
          : 'parabola is singular: optimum falls back to the lowest-loss point',
    );
  } else if (v.x < x[0] || v.x > x[x.length - 1]) {
    bracketed = false;
    warnings.push(`vertex at ${sci(10 ** v.x)} lies outside the fitted range [${sci(win[0].scale)}, ${sci(win[win.length - 1].scale)}]: minimum not bracketed`);
  }
  let bestIdx = 0;
  for (let i = 1; i < n; i++) if (p.scales[i].loss < p.scales[bestIdx].loss) bestIdx = i;
  if (bestIdx === 0 || bestIdx === n - 1) {
    bracketed = false;
    warnings.push(`lowest loss at the ${bestIdx === 0 ? 'smallest' : 'largest'} sampled scale: minimum not bracketed`);
  }
  const scaleOpt = 10 ** v.x;
  let dataOpt = p.budget / scaleOpt;
  let computeOpt = p.budget;
  if (dataAt === 'interpolate') {
    // log10 D ≈ α + β·log10 scale over the window, read at the vertex.
    const fit = fitPowerLaw(win.map((s) => s.scale), win.map((s) => s.tokens));
    if (fit) dataOpt = fit.coefficient * Math.pow(scaleOpt, fit.exponent);
    computeOpt = scaleOpt * dataOpt;
  } else {
    const ratios = p.obs.map((o) => o.compute / p.budget).sort((a, b) => a - b);
    const med = ratios[Math.floor(ratios.length / 2)];
    if (Math.abs(med - 1) > 0.1) warnings.push(`runs' compute is ${med.toFixed(2)}× the budget (median): D_opt = C/M_opt uses the budget`);
  }
  const optimum: BudgetOptimum = {
    ...base,
    scaleOpt,
    dataOpt,
    lossOpt: v.loss,
    parabola: v.quad ? { c0: v.quad.c0, c1: v.quad.c1, c2: v.quad.c2 } : undefined,
    bracketed,
  };
  if (!optimum.parabola) delete optimum.parabola;
  return { optimum, computeOpt };
}

/** Power laws through the optima: M_opt = k·C^a, D_opt = k'·C^b (least squares in log space, paper Eq. 4). */
export function allocationLaws(compute: number[], scaleOpt: number[], dataOpt: number[]): { scale?: PowerLaw; data?: PowerLaw } {
  if (compute.length < 2) return {};
  return { scale: fitPowerLaw(compute, scaleOpt), data: fitPowerLaw(compute, dataOpt) };
}

/** Approach 2 end to end: prepared budgets → optima (with warnings) → allocation laws. */
export function approach2(obs: Observation[], opts: Approach2Options): Approach2Result {
  const prepared = prepareBudgets(obs, opts.window);
  const optima: BudgetOptimum[] = [];
  const computeOpt: number[] = [];
  const warnings: string[] = [];
  for (const p of prepared) {
    const r = fitBudget(p, opts.dataAt ?? 'budget');
    optima.push(r.optimum);
    computeOpt.push(r.computeOpt);
    for (const w of r.optimum.warnings) warnings.push(`budget ${sci(p.budget)}: ${w}`);
  }
  const keep = optima.map((o, i) => (o.dropped ? -1 : i)).filter((i) => i >= 0);
  if (keep.length < 2) {
    warnings.push(`only ${keep.length} usable budget${keep.length === 1 ? '' : 's'}: no allocation law can be fitted`);
    return { optima, computeOpt, warnings, prepared };
  }
  const C = keep.map((i) => computeOpt[i]);
  const decades = Math.log10(Math.max(...C) / Math.min(...C));
  if (decades <= 1) warnings.push(`budgets span ${decades.toFixed(2)} decade${decades === 1 ? '' : 's'} of compute (one or less): exponents are poorly constrained`);
  const laws = allocationLaws(C, keep.map((i) => optima[i].scaleOpt), keep.map((i) => optima[i].dataOpt));
  return { optima, computeOpt, ...laws, warnings, prepared };
}

