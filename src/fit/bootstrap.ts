// Bootstrap uncertainty: resample runs with replacement within each budget — runs of budgets that hold a single run are resampled
// together, as one pool, so ladders (one run per budget) vary too — (seeded), refit every budget's optimum (parabola on its fixed
// window, or spline), the allocation laws, the loss curve, the hyperparameter laws (Eq. 1 and Step Law, near-optimal runs re-selected
// per unit), approach 3 and every prediction, and report percentile intervals.
import { evalLossLaw, evalPowerLaw } from '../schema/laws.ts';
import type { Interval, LossLaw, PowerLaw } from '../schema/laws.ts';
import type { Representation } from '../flops/flops.ts';
import type { Observation } from './types.ts';
import { makeRng } from '../util/rng.ts';
import { budgetOptimum, type PreparedBudget } from './approach2.ts';
import { addLine, emptyLine, powerLawFromSums, fitPowerLaw } from './powerlaw.ts';
import { fitLossCurve, fitLossPower, type LossFit } from './losscurve.ts';
import { refitApproach3, type A3Data, type Approach3Fit } from './approach3.ts';
import { predictApproach3, predictOne, type FitTarget } from './predict.ts';
import { selectionUnits, stepLawFit } from './hyper.ts';
import { evalQuadratic, fitQuadratic } from './parabola.ts';

export interface BootstrapInput {
  /** Approach 2's budgets with their windows (kept fixed: each resample refits the optimum on the runs inside the window). */
  prepared: PreparedBudget[];
  /** Budgets whose optimum enters the allocation laws (not dropped, not excluded), aligned with `prepared`. */
  used: boolean[];
  /** Whether the full fit has allocation laws (else their resamples are not reported). */
  allocation?: boolean;
  /** Weights of the budgets' optima in the allocation laws (aligned with `prepared`), e.g. 1/σ² from a first bootstrap pass. */
  weights?: number[];
  /** Warm start of the loss curve (the full fit); absent → no loss-curve intervals. */
  lossWarm?: LossFit;
  /** Hyperparameter laws to resample (threshold, which laws were fitted, and the Step Law form). */
  hyper?: { threshold: number; lr: boolean; batch: boolean; stepLaw?: boolean };
  /** Approach 3: the full fit (best start + inverse Hessian) and its data, whose rows are the prepared budgets' runs in order. */
  a3?: { fit: Approach3Fit & { Hinv?: Float64Array }; data: A3Data };
  targets: FitTarget[];
  representation: Representation;
  resamples: number;
  seed: number;
  level: number;
  progress?: (done: number, total: number) => void;
  /** Compute values at which to record each resample's scale, data and loss curves (→ percentile bands). */
  bandComputes?: number[];
  /**
   * Budgets the backtest held out (details.backtest.heldOut): each resample refits the allocation law and the loss curve on the
   * other budgets' resampled optima and records the relative errors predicting the held-out budgets' resampled optima
   * (`backtest.<j>.lossErr`, `backtest.<j>.scaleErr`, j in heldOut's order).
   */
  holdout?: number[];
  /** Only the per-budget optima (the first pass of 1/σ² weighting): skips laws, approach 3 and predictions. */
  optimaOnly?: boolean;
  /**
   * 'cases' (default): runs resampled with replacement as described above. 'parametric': every run kept, its loss redrawn as the
   * budget's fitted parabola (over the window) plus Gaussian noise of the pooled residual σ (parametricNoise; runs outside the
   * window keep their observed loss as the centre). Calibrated coverage on synthetic grids: docs/fit-methods.md §8.
   */
  scheme?: BootstrapScheme;
}

export type BootstrapScheme = 'cases' | 'parametric';
export const BOOTSTRAP_SCHEMES: readonly BootstrapScheme[] = ['cases', 'parametric'];

/**
 * The parametric scheme's model: per budget, a least-squares parabola in x = log10(scale) through the runs of its window, and the
 * pooled residual σ = √(SSR / Σ(m_b − 3)) over budgets with ≥ 4 runs in their window. Undefined when no budget leaves a residual.
 */
export function parametricNoise(prepared: PreparedBudget[]): { sd: number; dof: number; fitted: Float64Array[] } | undefined {
  let ssr = 0;
  let dof = 0;
  const fitted = prepared.map((p) => {
    const f = Float64Array.from(p.obs.map((o) => o.loss));
    const [lo, hi] = p.window;
    const runs = p.scales.slice(lo, hi + 1).flatMap((sc) => sc.runs.map((j) => ({ j, x: sc.x })));
    if (new Set(runs.map((r) => r.x)).size < 3) return f;
    const q = fitQuadratic(runs.map((r) => r.x), runs.map((r) => p.obs[r.j].loss));
    if (!q) return f;
    for (const r of runs) f[r.j] = evalQuadratic(q, r.x);
    if (runs.length >= 4) {
      for (const r of runs) ssr += (p.obs[r.j].loss - f[r.j]) ** 2;
      dof += runs.length - 3;
    }
    return f;
  });
  return dof > 0 ? { sd: Math.sqrt(ssr / dof), dof, fitted } : undefined;
}

export interface BootstrapResult {
  /** Percentile interval of each quantity, keyed like 'scale.exponent', 'loss.E', 'a3.alpha', 'budget.3.scaleOpt', 'pred.0.loss'. */
  intervals: Record<string, Interval>;
  /** Resamples in which a quantity could not be computed (e.g. a degenerate budget), by key. */
  failures: Record<string, number>;
  resamples: number;
  /** Percentile bands of the fitted curves at `bandComputes` (only where the curve was fitted in resamples). */
  bands: { scale?: BandPoint[]; data?: BandPoint[]; loss?: BandPoint[] };
  /** Standard deviation over resamples of each budget's log10 scale_opt (NaN where undefined), aligned with `prepared`. */
  optimumSpread: number[];
  /** How many runs were resampled in the pool of single-run budgets (0 when every budget has several runs). */
  pooledSingletons: number;
  /** The scheme used; for 'parametric' the residual σ and its degrees of freedom. */
  scheme: BootstrapScheme;
  noise?: { sd: number; dof: number };
  /** Every resample's value of the allocation exponents ('scale.exponent' = a, 'data.exponent' = b), for intervals on differences. */
  draws: Record<string, number[]>;
}

/** The band [lo, hi] of a fitted curve at one compute value. */
export interface BandPoint {
  compute: number;
  lo: number;
  hi: number;
}

/** Linear-interpolation quantile of sorted values. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Central percentile interval at `level` (e.g. 0.95 → 2.5% and 97.5%). */
export function percentileInterval(values: number[], level: number): Interval {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const t = (1 - level) / 2;
  return [quantile(v, t), quantile(v, 1 - t)];
}

const A3_KEYS = ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b', 'G'] as const;
const STEP_KEYS = ['lrCoefficient', 'lrExponentN', 'lrExponentD', 'batchCoefficient', 'batchExponentD'] as const;

export function runBootstrap(inp: BootstrapInput): BootstrapResult {
  const rng = makeRng(inp.seed);
  const samples = new Map<string, number[]>();
  const failures: Record<string, number> = {};
  const put = (k: string, v: number | undefined) => {
    let arr = samples.get(k);
    if (!arr) samples.set(k, (arr = []));
    if (v === undefined || !Number.isFinite(v)) failures[k] = (failures[k] ?? 0) + 1;
    else arr.push(v);
  };
  const putLaw = (k: string, law: PowerLaw | undefined) => {
    put(`${k}.exponent`, law?.exponent);
    put(`${k}.coefficient`, law?.coefficient);
  };
  // Curves over compute, one value per resample that fitted the curve (a resample without the law adds nothing here: its
  // failure is already counted on the law itself).
  const grid = inp.bandComputes ?? [];
  const curveSamples = { scale: grid.map(() => [] as number[]), data: grid.map(() => [] as number[]), loss: grid.map(() => [] as number[]) };
  const putCurve = (k: keyof typeof curveSamples, f: ((c: number) => number) | undefined) => {
    if (!f) return;
    grid.forEach((c, i) => {
      const v = f(c);
      if (Number.isFinite(v)) curveSamples[k][i].push(v);
    });
  };
  const putLoss = (k: string, law: LossLaw | undefined) => {
    put(`${k}.E`, law?.E);
    put(`${k}.A`, law?.A);
    put(`${k}.gamma`, law?.gamma);
  };

  // Per budget: the points its optimum uses, their x, and the selection unit of each run (near-optimal runs are relative to it).
  const units = selectionUnits(inp.prepared.flatMap((p) => p.obs)).unit;
  const unitSize = new Map<string, number>();
  for (const u of units.values()) unitSize.set(u, (unitSize.get(u) ?? 0) + 1);
  const budgets = inp.prepared.map((p) => {
    const [lo, hi] = p.window;
    const win = p.scales.slice(lo, hi + 1);
    const center = win.reduce((a, s) => a + s.x, 0) / Math.max(win.length, 1);
    const keys = [...new Set(p.obs.map((o) => units.get(o)!))];
    const unitOf = Int32Array.from(p.obs.map((o) => keys.indexOf(units.get(o)!)));
    // A single-run (N, D) group of a split budget selects nothing (as in selectNearOptimal).
    const lone = p.obs.map((o) => units.get(o)!.includes('|') && unitSize.get(units.get(o)!) === 1);
    return { p, win, center, x: new Float64Array(win.map((s) => s.x)), counts: new Int32Array(p.obs.length), unitOf, lone, nUnits: keys.length, unitMin: new Float64Array(keys.length) };
  });
  const offsets: number[] = [];
  let total = 0;
  for (const b of budgets) {
    offsets.push(total);
    total += b.p.obs.length;
  }
  // Single-run budgets form one pool: each draw picks one of the pool's runs (so a ladder's runs are resampled as cases).
  const pool = budgets.map((b, bi) => (b.p.obs.length === 1 ? bi : -1)).filter((bi) => bi >= 0);
  const pooled = pool.length >= 2;
  const a3w = inp.a3 && !inp.optimaOnly ? new Float64Array(total) : undefined;
  // Parametric: each resample redraws every run's loss around its budget's fitted parabola (see parametricNoise).
  const noise = inp.scheme === 'parametric' ? parametricNoise(inp.prepared) : undefined;
  if (inp.scheme === 'parametric' && !noise) throw new Error('parametric bootstrap needs a budget with ≥ 4 runs in its window (the caller checks parametricNoise first)');
  const lossR = budgets.map((b) => Float64Array.from(b.p.obs.map((o) => o.loss)));
  const L = (bi: number, j: number) => lossR[bi][j];
  const a3data: A3Data | undefined = a3w ? { ...inp.a3!.data, w: a3w, ...(noise ? { logL: new Float64Array(total) } : {}) } : undefined;
  const logScaleOpt = budgets.map(() => [] as number[]);
  const stepRuns: { lr: Observation[]; lrW: number[]; b: Observation[]; bW: number[] } = { lr: [], lrW: [], b: [], bW: [] };

  for (let r = 0; r < inp.resamples; r++) {
    // Draw the counts: within each multi-run budget, and within the pool of single-run budgets.
    if (noise) {
      budgets.forEach((b, bi) => {
        b.counts.fill(1);
        const f = noise.fitted[bi];
        for (let j = 0; j < b.p.obs.length; j++) {
          lossR[bi][j] = Math.max(1e-9, f[j] + noise.sd * rng.normal());
          if (a3data) a3data.logL[offsets[bi] + j] = Math.log(lossR[bi][j]);
        }
      });
    } else {
      for (const b of budgets) {
        b.counts.fill(0);
        const n = b.p.obs.length;
        if (n > 1 || !pooled) for (let k = 0; k < n; k++) b.counts[rng.int(n)]++;
      }
      if (pooled) for (let k = 0; k < pool.length; k++) budgets[pool[rng.int(pool.length)]].counts[0]++;
    }

    const C: number[] = [];
    const Mopt: number[] = [];
    const Dopt: number[] = [];
    const Lopt: number[] = [];
    const W: number[] = [];
    const lrSums = emptyLine();
    const bSums = emptyLine();
    stepRuns.lr.length = stepRuns.lrW.length = stepRuns.b.length = stepRuns.bW.length = 0;
    budgets.forEach((b, bi) => {
      const n = b.p.obs.length;
      if (a3w) for (let k = 0; k < n; k++) a3w[offsets[bi] + k] = b.counts[k];
      if (inp.hyper && !inp.optimaOnly) {
        // Near-optimal runs of the resample (paper Eq. 1 procedure) within each selection unit, each counted as often as it was drawn.
        b.unitMin.fill(Infinity);
        for (let j = 0; j < n; j++) if (b.counts[j] > 0 && L(bi, j) < b.unitMin[b.unitOf[j]]) b.unitMin[b.unitOf[j]] = L(bi, j);
        const u = Math.log10(b.p.budget);
        for (let j = 0; j < n; j++) {
          const o = b.p.obs[j];
          if (b.counts[j] === 0 || b.lone[j] || L(bi, j) > (1 + inp.hyper.threshold) * b.unitMin[b.unitOf[j]]) continue;
          if (o.lr !== undefined && o.lr > 0) {
            addLine(lrSums, u, Math.log10(o.lr), b.counts[j]);
            if (inp.hyper.stepLaw) stepRuns.lr.push(o), stepRuns.lrW.push(b.counts[j]);
          }
          if (o.batchTokens !== undefined && o.batchTokens > 0) {
            addLine(bSums, u, Math.log10(o.batchTokens), b.counts[j]);
            if (inp.hyper.stepLaw) stepRuns.b.push(o), stepRuns.bW.push(b.counts[j]);
          }
        }
      }
      if (b.p.scales.length < 3) return;
      // The budget's optimum on the resample: each scale at the lowest loss among its drawn runs, weighted by its draws per run.
      const m = b.win.length;
      const w = new Float64Array(m);
      const loss = new Float64Array(m);
      for (let s = 0; s < m; s++) {
        let cnt = 0;
        let best = Infinity;
        for (const j of b.win[s].runs) {
          if (b.counts[j] > 0) {
            cnt += b.counts[j];
            if (L(bi, j) < best) best = L(bi, j);
          }
        }
        w[s] = cnt / b.win[s].runs.length;
        loss[s] = best;
      }
      const v = budgetOptimum(b.p.method, b.x, loss, w, b.center);
      const ok = Number.isFinite(v.x) && Number.isFinite(v.loss) && v.loss > 0;
      const scaleOpt = 10 ** v.x;
      if (ok) logScaleOpt[bi].push(v.x);
      if (inp.optimaOnly) return;
      put(`budget.${bi}.scaleOpt`, ok ? scaleOpt : undefined);
      put(`budget.${bi}.lossOpt`, ok ? v.loss : undefined);
      if (ok && inp.used[bi]) {
        C.push(b.p.budget);
        Mopt.push(scaleOpt);
        Dopt.push(b.p.budget / scaleOpt);
        Lopt.push(v.loss);
        W.push(inp.weights?.[bi] ?? 1);
      }
    });
    if (inp.optimaOnly) {
      inp.progress?.(r + 1, inp.resamples);
      continue;
    }
    const allocation = inp.allocation ?? true;
    const w = inp.weights ? W : undefined;
    const scale = allocation && C.length >= 2 ? fitPowerLaw(C, Mopt, w) : undefined;
    const data = allocation && C.length >= 2 ? fitPowerLaw(C, Dopt, w) : undefined;
    if (allocation) {
      putLaw('scale', scale);
      putLaw('data', data);
      putCurve('scale', scale && ((c) => evalPowerLaw(scale, c)));
      putCurve('data', data && ((c) => evalPowerLaw(data, c)));
    }
    let lossLaw: LossLaw | undefined;
    if (inp.lossWarm) {
      const lf = C.length >= 3 ? fitLossCurve(C, Lopt, inp.lossWarm) : undefined;
      lossLaw = lf?.law;
      putLoss('loss', lossLaw);
      putCurve('loss', lossLaw && ((c) => evalLossLaw(lossLaw!, c)));
      putLoss('lossPower', C.length >= 2 ? fitLossPower(C, Lopt)?.law : undefined);
    }
    if (inp.holdout?.length) backtestResample(inp.holdout, C, Mopt, Lopt, inp.lossWarm, put);
    let lr: PowerLaw | undefined;
    let batch: PowerLaw | undefined;
    if (inp.hyper) {
      if (inp.hyper.lr) putLaw('lr', (lr = powerLawFromSums(lrSums)));
      if (inp.hyper.batch) putLaw('batch', (batch = powerLawFromSums(bSums)));
      if (inp.hyper.stepLaw) {
        const st = stepLawFit(stepRuns.lr, stepRuns.b, { lr: stepRuns.lrW, batch: stepRuns.bW });
        for (const k of STEP_KEYS) put(`stepLaw.${k}`, st?.[k]);
      }
    }
    let a3: Approach3Fit | undefined;
    if (inp.a3 && a3data) {
      a3 = refitApproach3(a3data, inp.a3.fit);
      for (const k of A3_KEYS) put(`a3.${k}`, a3?.[k]);
    }
    inp.targets.forEach((t, k) => {
      const p = predictOne(t, { scale, loss: lossLaw, lr, batch }, inp.representation);
      // Only what the full fit predicts too (no LR interval without an LR law).
      if (inp.lossWarm && t.kind !== 'point') put(`pred.${k}.loss`, p?.loss);
      if (t.kind === 'budget' && allocation) {
        put(`pred.${k}.scale`, p?.scale);
        put(`pred.${k}.tokens`, p?.tokens);
      }
      if (inp.hyper?.lr) put(`pred.${k}.lr`, p?.lr);
      if (inp.hyper?.batch) put(`pred.${k}.batch`, p?.batchTokens);
      if (inp.a3) put(`pred.${k}.a3loss`, a3 ? predictApproach3(t, a3, inp.representation)?.loss : undefined);
    });
    inp.progress?.(r + 1, inp.resamples);
  }
  const intervals: Record<string, Interval> = {};
  for (const [k, v] of samples) if (v.length > 0) intervals[k] = percentileInterval(v, inp.level);
  const bands: BootstrapResult['bands'] = {};
  for (const k of ['scale', 'data', 'loss'] as const) {
    // A band needs most resamples to have fitted the curve; otherwise its percentiles describe a biased subset.
    if (grid.length === 0 || curveSamples[k][0].length < 0.5 * inp.resamples) continue;
    bands[k] = grid.map((compute, i) => {
      const [lo, hi] = percentileInterval(curveSamples[k][i], inp.level);
      return { compute, lo, hi };
    });
  }
  const optimumSpread = logScaleOpt.map((v) => {
    if (v.length < 2) return NaN;
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  });
  const draws: Record<string, number[]> = {};
  for (const k of ['scale.exponent', 'data.exponent']) if (samples.get(k)?.length) draws[k] = samples.get(k)!;
  return { draws, intervals, failures, resamples: inp.resamples, bands, optimumSpread, pooledSingletons: pooled && !noise ? pool.length : 0, scheme: noise ? 'parametric' : 'cases', ...(noise ? { noise: { sd: noise.sd, dof: noise.dof } } : {}) };
}

/** One resample's backtest (see BootstrapInput.holdout): the same rule as src/fit/backtest.ts, on the resampled optima. */
function backtestResample(held: number[], C: number[], Mopt: number[], Lopt: number[], lossWarm: LossFit | undefined, put: (k: string, v: number | undefined) => void): void {
  const isHeld = (c: number) => held.some((h) => Math.abs(h / c - 1) < 1e-9);
  const train = C.map((c, i) => i).filter((i) => !isHeld(C[i]));
  const tc = train.map((i) => C[i]);
  const scale = train.length >= 3 ? fitPowerLaw(tc, train.map((i) => Mopt[i])) : undefined;
  const loss = lossWarm && train.length >= 3 ? fitLossCurve(tc, train.map((i) => Lopt[i]), lossWarm)?.law : undefined;
  held.forEach((h, j) => {
    const i = C.findIndex((c) => Math.abs(h / c - 1) < 1e-9);
    put(`backtest.${j}.scaleErr`, i >= 0 && scale ? evalPowerLaw(scale, h) / Mopt[i] - 1 : undefined);
    put(`backtest.${j}.lossErr`, i >= 0 && loss ? evalLossLaw(loss, h) / Lopt[i] - 1 : undefined);
  });
}

/**
 * Weights 1/σ² of the budgets' optima for the allocation laws (Porian et al.'s weighting): σ = the bootstrap spread of log10
 * scale_opt, floored at a third of the budget's mean spacing of log10 scales (an optimum cannot be located more finely than its grid).
 */
export function optimumWeights(prepared: PreparedBudget[], spread: number[]): number[] {
  return prepared.map((p, i) => {
    const n = p.scales.length;
    const spacing = n >= 2 ? (p.scales[n - 1].x - p.scales[0].x) / (n - 1) : NaN;
    const sd = Math.max(Number.isFinite(spread[i]) ? spread[i] : 0, Number.isFinite(spacing) ? spacing / 3 : 0);
    return sd > 0 ? 1 / (sd * sd) : 0;
  });
}
