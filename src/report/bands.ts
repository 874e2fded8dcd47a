// Confidence bands of fitted laws over compute: from the fit's own bands when it wrote them (details.bands), else rebuilt for a power law from its marginal intervals.
import type { FitDetails, LawsFile, PowerLaw } from '../schema/laws.ts';
import { InputError } from '../util/errors.ts';

/** The band [lo, hi] of a fitted curve at one compute value. */
export interface BandPoint {
  compute: number;
  lo: number;
  hi: number;
}

/** Optional `details.bands` a fitter may write (e.g. bootstrap percentiles of each curve over a compute grid). */
export interface FitBands {
  scale?: BandPoint[];
  data?: BandPoint[];
  loss?: BandPoint[];
  lr?: BandPoint[];
  batch?: BandPoint[];
}

/** Reads `details.bands.<key>` when present; malformed → InputError naming the field. */
export function storedBand(details: FitDetails | undefined, key: keyof FitBands, file?: string): BandPoint[] | undefined {
  const bands = details?.bands as Record<string, unknown> | undefined;
  if (bands === undefined) return undefined;
  const arr = bands[key];
  if (arr === undefined) return undefined;
  if (!Array.isArray(arr)) throw new InputError('expected an array of {compute, lo, hi}', { file, field: `details.bands.${key}` });
  return arr.map((p, i) => {
    const o = p as Record<string, unknown>;
    for (const f of ['compute', 'lo', 'hi']) {
      if (typeof o?.[f] !== 'number' || !Number.isFinite(o[f] as number)) throw new InputError(`expected a finite number`, { file, field: `details.bands.${key}[${i}].${f}` });
    }
    return { compute: o.compute as number, lo: o.lo as number, hi: o.hi as number };
  });
}

/**
 * Band of y = k·C^e rebuilt from the marginal intervals of k and e, in the form of a least-squares line in log space
 * (log10 y = log10 k + e·x, x = log10 C): Var ŷ(x) = Var ŷ(x̄) + Var(e)·(x − x̄)², and Var(log10 k) = Var ŷ(x̄) + Var(e)·x̄²,
 * so the half-width at the data's centre x̄ follows from the two intervals: h0² = h_k² − h_e²·x̄². Intervals are used by half-width.
 */
export function powerLawBand(law: PowerLaw, centerLog10C: number, compute: number[]): BandPoint[] | undefined {
  if (!law.ci) return undefined;
  const hk = (Math.log10(law.ci.coefficient[1]) - Math.log10(law.ci.coefficient[0])) / 2;
  const he = (law.ci.exponent[1] - law.ci.exponent[0]) / 2;
  if (!Number.isFinite(hk) || !Number.isFinite(he)) return undefined;
  const h0sq = Math.max(0, hk * hk - he * he * centerLog10C * centerLog10C);
  return compute.map((c) => {
    const x = Math.log10(c);
    const yhat = Math.log10(law.coefficient) + law.exponent * x;
    const h = Math.sqrt(h0sq + he * he * (x - centerLog10C) ** 2);
    return { compute: c, lo: Math.pow(10, yhat - h), hi: Math.pow(10, yhat + h) };
  });
}

/** Mean log10 budget of the optima the laws were fitted on (x̄ of the regression), when the file has details. */
export function fitCenter(laws: LawsFile): number | undefined {
  const used = (laws.details?.optima ?? []).filter((o) => !o.dropped && o.budget > 0);
  if (used.length === 0) return undefined;
  return used.reduce((s, o) => s + Math.log10(o.budget), 0) / used.length;
}

/** Band for a power law of a fits file: the stored one if any, else the rebuilt one (needs intervals and the fit's budgets). */
export function lawBand(laws: LawsFile, key: 'scale' | 'data', compute: number[], file?: string): BandPoint[] | undefined {
  const stored = storedBand(laws.details, key, file);
  if (stored) return stored;
  const law = laws.laws[key];
  const center = fitCenter(laws);
  if (!law || center === undefined) return undefined;
  return powerLawBand(law, center, compute);
}

/** Student-t CDF P(T ≤ t) with `dof` degrees of freedom, through the regularized incomplete beta function I_x(dof/2, 1/2). */
export function studentTCdf(t: number, dof: number): number {
  const x = dof / (dof + t * t);
  const tail = 0.5 * incompleteBeta(x, dof / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (bisection on the CDF; |error| < 1e-10). */
export function studentTQuantile(p: number, dof: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-11; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, dof) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function logGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  z -= 1;
  let x = c[0];
  for (let i = 1; i < 9; i++) x += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}

/** Regularized incomplete beta I_x(a, b) by its continued fraction (Numerical Recipes' betacf). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  let f = 1, c = 1, d = 0;
  for (let i = 0; i <= 300; i++) {
    const m = i >> 1;
    const num = i === 0 ? 1 : i % 2 === 0 ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    d = Math.abs(d) < 1e-30 ? 1e-30 : d;
    d = 1 / d;
    c = 1 + num / c;
    c = Math.abs(c) < 1e-30 ? 1e-30 : c;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-12) break;
  }
  return (front * (f - 1)) / a;
}

/**
 * Band of a power law y = k·C^e fitted through points (C_i, y_i), pivoting at their centroid in log space: the level there
 * from the points' scatter (t_{n−2} · s/√n, s the residual standard deviation of log10 y about the law), the slope from the
 * file's interval of e (half-width h_e): half-width(x) = √((t·s/√n)² + (h_e·(x − x̄))²), x = log10 C. Needs ≥ 3 points.
 */
export function pivotBand(law: PowerLaw, points: { compute: number; y: number }[], compute: number[], level = 0.95): BandPoint[] | undefined {
  const pts = points.filter((p) => p.compute > 0 && p.y > 0);
  if (!law.ci || pts.length < 3) return undefined;
  const xs = pts.map((p) => Math.log10(p.compute));
  const res = pts.map((p, i) => Math.log10(p.y) - (Math.log10(law.coefficient) + law.exponent * xs[i]));
  const n = pts.length;
  const xbar = xs.reduce((s, x) => s + x, 0) / n;
  const s = Math.sqrt(res.reduce((a, r) => a + r * r, 0) / (n - 2));
  const h0 = studentTQuantile(1 - (1 - level) / 2, n - 2) * (s / Math.sqrt(n));
  const he = (law.ci.exponent[1] - law.ci.exponent[0]) / 2;
  return compute.map((c) => {
    const x = Math.log10(c);
    const yhat = Math.log10(law.coefficient) + law.exponent * x;
    const h = Math.sqrt(h0 * h0 + (he * (x - xbar)) ** 2);
    return { compute: c, lo: Math.pow(10, yhat - h), hi: Math.pow(10, yhat + h) };
  });
}

/** The most a drawn band may span: 2 decades (lo to hi) for a log quantity. Wider, it no longer tells the reader anything. */
export const BAND_MAX_DECADES = 2;

/** The part of a band that means something: points whose width is at most `maxDecades` (log) or `maxWidth` (linear). */
export function meaningfulBand<T extends BandPoint>(band: T[] | undefined, opts: { log: true; maxDecades?: number } | { log: false; maxWidth: number }): T[] {
  return (band ?? []).filter((b) => {
    if (!Number.isFinite(b.lo) || !Number.isFinite(b.hi)) return false;
    if (opts.log) return b.lo > 0 && Math.log10(b.hi / b.lo) <= (opts.maxDecades ?? BAND_MAX_DECADES);
    return b.hi - b.lo <= opts.maxWidth;
  });
}
