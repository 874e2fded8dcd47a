// Bootstrap uncertainty: resample runs with replacement within each budget (seeded), refit approach 2 (on each budget's original
// window), the allocation laws, the loss curve, the hyperparameter laws and approach 3, and report percentile intervals.
import { evalLossLaw, evalPowerLaw } from '../schema/laws.ts';
import type { Interval, LossLaw, PowerLaw } from '../schema/laws.ts';
import type { Representation } from '../flops/flops.ts';
import { makeRng } from '../util/rng.ts';
import { parabolaOptimum, type PreparedBudget } from './approach2.ts';
import { addLine, emptyLine, powerLawFromSums, fitPowerLaw } from './powerlaw.ts';
import { fitLossCurve, fitLossPower, type LossFit } from './losscurve.ts';
import { refitApproach3, type A3Data, type Approach3Fit } from './approach3.ts';
import { predictOne, type PredictionTarget } from './predict.ts';

export interface BootstrapInput {
  /** Approach 2's budgets with their windows (kept fixed: each resample refits the parabola on the runs inside the window). */
  prepared: PreparedBudget[];
  /** Budgets approach 2 kept (not dropped), aligned with `prepared`. */
  used: boolean[];
  /** Whether the full fit has allocation laws (else their resamples are not reported). */
  allocation?: boolean;
  /** Warm start of the loss curve (the full fit); absent → no loss-curve intervals. */
  lossWarm?: LossFit;
  /** Hyperparameter laws to resample (threshold and which laws were fitted). */
  hyper?: { threshold: number; lr: boolean; batch: boolean };
  /** Approach 3: the full fit (best start + inverse Hessian) and its data, whose rows are the prepared budgets' runs in order. */
  a3?: { fit: Approach3Fit & { Hinv?: Float64Array }; data: A3Data };
  targets: PredictionTarget[];
  representation: Representation;
  resamples: number;
  seed: number;
  level: number;
  progress?: (done: number, total: number) => void;
  /** Compute values at which to record each resample's scale, data and loss curves (→ percentile bands). */
  bandComputes?: number[];
}

export interface BootstrapResult {
  /** Percentile interval of each quantity, keyed like 'scale.exponent', 'loss.E', 'a3.alpha', 'budget.3.scaleOpt', 'pred.0.loss'. */
  intervals: Record<string, Interval>;
  /** Resamples in which a quantity could not be computed (e.g. a degenerate budget), by key. */
  failures: Record<string, number>;
  resamples: number;
  /** Percentile bands of the fitted curves at `bandComputes` (only where the curve was fitted in resamples). */
  bands: { scale?: BandPoint[]; data?: BandPoint[]; loss?: BandPoint[] };
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

  // Per budget: the window's scales, their x, and for each run its scale index (−1 outside the window).
  const budgets = inp.prepared.map((p) => {
    const [lo, hi] = p.window;
    const win = p.scales.slice(lo, hi + 1);
    const center = win.reduce((a, s) => a + s.x, 0) / win.length;
    return { p, lo, win, center, x: new Float64Array(win.map((s) => s.x)), counts: new Int32Array(p.obs.length) };
  });
  const offsets: number[] = [];
  let total = 0;
  for (const b of budgets) {
    offsets.push(total);
    total += b.p.obs.length;
  }
  const a3w = inp.a3 ? new Float64Array(total) : undefined;
  const a3data: A3Data | undefined = inp.a3 ? { ...inp.a3.data, w: a3w! } : undefined;

  for (let r = 0; r < inp.resamples; r++) {
    const C: number[] = [];
    const Mopt: number[] = [];
    const Dopt: number[] = [];
    const Lopt: number[] = [];
    const lrSums = emptyLine();
    const bSums = emptyLine();
    budgets.forEach((b, bi) => {
      const n = b.p.obs.length;
      b.counts.fill(0);
      for (let k = 0; k < n; k++) b.counts[rng.int(n)]++;
      if (a3w) for (let k = 0; k < n; k++) a3w[offsets[bi] + k] = b.counts[k];
      if (inp.hyper) {
        // Near-optimal runs of the resample (paper Eq. 1 procedure), each counted as often as it was drawn.
        let min = Infinity;
        for (let j = 0; j < n; j++) if (b.counts[j] > 0 && b.p.obs[j].loss < min) min = b.p.obs[j].loss;
        const lim = (1 + inp.hyper.threshold) * min;
        const u = Math.log10(b.p.budget);
        for (let j = 0; j < n; j++) {
          const o = b.p.obs[j];
          if (b.counts[j] === 0 || o.loss > lim) continue;
          if (o.lr !== undefined && o.lr > 0) addLine(lrSums, u, Math.log10(o.lr), b.counts[j]);
          if (o.batchTokens !== undefined && o.batchTokens > 0) addLine(bSums, u, Math.log10(o.batchTokens), b.counts[j]);
        }
      }
      if (!inp.used[bi]) return;
      // Approach 2 on the resample: each window scale at the lowest loss among its drawn runs, weighted by its draws per run.
      const m = b.win.length;
      const w = new Float64Array(m);
      const loss = new Float64Array(m);
      for (let s = 0; s < m; s++) {
        let cnt = 0;
        let best = Infinity;
        for (const j of b.win[s].runs) {
          if (b.counts[j] > 0) {
            cnt += b.counts[j];
            if (b.p.obs[j].loss < best) best = b.p.obs[j].loss;
          }
        }
        w[s] = cnt / b.win[s].runs.length;
        loss[s] = best;
      }
      const v = parabolaOptimum(b.x, loss, w, b.center);
      const ok = Number.isFinite(v.x) && Number.isFinite(v.loss) && v.loss > 0;
      const scaleOpt = 10 ** v.x;
      put(`budget.${bi}.scaleOpt`, ok ? scaleOpt : undefined);
      put(`budget.${bi}.lossOpt`, ok ? v.loss : undefined);
      if (ok) {
        C.push(b.p.budget);
        Mopt.push(scaleOpt);
        Dopt.push(b.p.budget / scaleOpt);
        Lopt.push(v.loss);
      }
    });
    const allocation = inp.allocation ?? true;
    const scale = allocation && C.length >= 2 ? fitPowerLaw(C, Mopt) : undefined;
    const data = allocation && C.length >= 2 ? fitPowerLaw(C, Dopt) : undefined;
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
    let lr: PowerLaw | undefined;
    let batch: PowerLaw | undefined;
    if (inp.hyper) {
      if (inp.hyper.lr) putLaw('lr', (lr = powerLawFromSums(lrSums)));
      if (inp.hyper.batch) putLaw('batch', (batch = powerLawFromSums(bSums)));
    }
    if (inp.a3 && a3data) {
      const f = refitApproach3(a3data, inp.a3.fit);
      for (const k of ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b', 'G'] as const) put(`a3.${k}`, f?.[k]);
    }
    inp.targets.forEach((t, k) => {
      const p = predictOne(t, { scale, loss: lossLaw, lr, batch }, inp.representation);
      // Only what the full fit predicts too (no LR interval without an LR law).
      if (inp.lossWarm) put(`pred.${k}.loss`, p?.loss);
      if (t.kind === 'budget' && allocation) {
        put(`pred.${k}.scale`, p?.scale);
        put(`pred.${k}.tokens`, p?.tokens);
      }
      if (inp.hyper?.lr) put(`pred.${k}.lr`, p?.lr);
      if (inp.hyper?.batch) put(`pred.${k}.batch`, p?.batchTokens);
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
  return { intervals, failures, resamples: inp.resamples, bands };
}
