// Chinchilla approach 3: L(N, D) = E + A/N^α + B/D^β fitted as LSE(a − α·log N, b − β·log D, e) by minimising the SUMMED Huber
// loss (δ = 1e-3) of log residuals with BFGS (the numeric.uncmin algorithm on typed arrays, analytic gradient) from the full grid of starts (Hoffmann et al. 2022).
import { bfgs } from './bfgs.ts';
import type { Observation } from './types.ts';

export interface Approach3Fit {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
  /** Allocation exponents implied by the fit: scale_opt ∝ C^a, D_opt ∝ C^b, a = β/(α+β), b = α/(α+β). */
  a: number;
  b: number;
  /** scale_opt = G·(C/k)^a with k = 6 for N (C = 6ND) and 1 for M (C = M·D); G = (αA/(βB))^(1/(α+β)). */
  G: number;
  /** Summed Huber objective at the optimum. */
  objective: number;
  scaleVariable: 'N' | 'M';
  /** Raw parameters θ = [a, b, e, α, β] (A = e^a, B = e^b, E = e^e), for warm starts. */
  theta: number[];
  starts: number;
}

/** Log inputs of the fit; `w` are per-point weights (1, or resample counts in the bootstrap). */
export interface A3Data {
  logN: Float64Array;
  logD: Float64Array;
  logL: Float64Array;
  w: Float64Array;
}

export const HUBER_DELTA = 1e-3;

/** The grid of starts of Hoffmann et al.: α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25} (4,500 starts). */
export function startGrid(): number[][] {
  const out: number[][] = [];
  const ab = [0, 0.5, 1, 1.5, 2];
  const es = [-1, -0.5, 0, 0.5, 1];
  const AB = [0, 5, 10, 15, 20, 25];
  for (const alpha of ab) for (const beta of ab) for (const e of es) for (const a of AB) for (const b of AB) out.push([a, b, e, alpha, beta]);
  return out;
}

/** Scale variable of an observation: parameters N (given, or scale/6 when scale is 6N) or the FLOPs/token M. */
export function scaleVariableOf(o: Observation, v: 'N' | 'M'): number {
  return v === 'M' ? o.scale : o.params ?? o.scale / 6;
}

export function a3Data(obs: Observation[], v: 'N' | 'M'): A3Data {
  const n = obs.length;
  const d: A3Data = { logN: new Float64Array(n), logD: new Float64Array(n), logL: new Float64Array(n), w: new Float64Array(n).fill(1) };
  obs.forEach((o, i) => {
    d.logN[i] = Math.log(scaleVariableOf(o, v));
    d.logD[i] = Math.log(o.tokens);
    d.logL[i] = Math.log(o.loss);
  });
  return d;
}

/**
 * Σ_i w_i·Huber_δ(LSE(a − α·log N_i, b − β·log D_i, e) − log L_i) and its gradient in θ = [a, b, e, α, β].
 * Huber_δ(r) = r²/2 for |r| ≤ δ, δ·(|r| − δ/2) beyond.
 */
export function huberObjective(theta: ArrayLike<number>, d: A3Data, grad?: { [i: number]: number }, delta = HUBER_DELTA): number {
  const [a, b, e, alpha, beta] = [theta[0], theta[1], theta[2], theta[3], theta[4]];
  let f = 0;
  let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0;
  const n = d.logL.length;
  for (let i = 0; i < n; i++) {
    const w = d.w[i];
    if (w === 0) continue;
    const t1 = a - alpha * d.logN[i];
    const t2 = b - beta * d.logD[i];
    // LSE with the largest term factored out: two exponentials per point instead of three.
    let m: number, x1: number, x2: number, x3: number;
    if (t1 >= t2 && t1 >= e) {
      m = t1;
      x1 = 1;
      x2 = Math.exp(t2 - m);
      x3 = Math.exp(e - m);
    } else if (t2 >= e) {
      m = t2;
      x1 = Math.exp(t1 - m);
      x2 = 1;
      x3 = Math.exp(e - m);
    } else {
      m = e;
      x1 = Math.exp(t1 - m);
      x2 = Math.exp(t2 - m);
      x3 = 1;
    }
    const s = x1 + x2 + x3;
    const r = m + Math.log(s) - d.logL[i];
    const ar = Math.abs(r);
    let dr: number;
    if (ar <= delta) {
      f += w * 0.5 * r * r;
      dr = w * r;
    } else {
      f += w * delta * (ar - 0.5 * delta);
      dr = w * (r > 0 ? delta : -delta);
    }
    if (grad) {
      // ∂LSE/∂(t1, t2, e) = softmax weights.
      const p1 = (dr * x1) / s;
      const p2 = (dr * x2) / s;
      g0 += p1;
      g1 += p2;
      g2 += (dr * x3) / s;
      g3 -= p1 * d.logN[i];
      g4 -= p2 * d.logD[i];
    }
  }
  if (grad) {
    grad[0] = g0;
    grad[1] = g1;
    grad[2] = g2;
    grad[3] = g3;
    grad[4] = g4;
  }
  return f;
}

export interface Minimum {
  theta: number[];
  f: number;
  /** BFGS inverse-Hessian estimate at the solution (warm start for the bootstrap). */
  Hinv?: Float64Array;
}

/** BFGS (backtracking line search; src/fit/bfgs.ts, the numeric.uncmin algorithm) from one start on the summed Huber objective. */
export function minimiseFrom(d: A3Data, start: ArrayLike<number>, tol = 1e-10, maxit = 1000, Hinv?: Float64Array): Minimum {
  const r = bfgs((x, g) => huberObjective(x, d, g), start, tol, maxit, Hinv);
  return Number.isFinite(r.f) ? { theta: Array.from(r.x), f: r.f, Hinv: r.Hinv } : { theta: Array.from(start), f: Infinity };
}

/** Derived quantities of θ (paper: A = e^a, B = e^b, E = e^e; a = β/(α+β), b = α/(α+β), G = (αA/(βB))^(1/(α+β))). */
export function derive(theta: number[], f: number, v: 'N' | 'M', starts: number): Approach3Fit {
  const [la, lb, le, alpha, beta] = theta;
  const s = alpha + beta;
  return {
    E: Math.exp(le),
    A: Math.exp(la),
    B: Math.exp(lb),
    alpha,
    beta,
    a: beta / s,
    b: alpha / s,
    G: Math.exp((Math.log(alpha) + la - Math.log(beta) - lb) / s),
    objective: f,
    scaleVariable: v,
    theta,
    starts,
  };
}

/**
 * Above this many runs, the grid phase runs on an evenly spaced subsample (every k-th run, in budget then input order); the polish
 * uses every run. Checked on the Llama 3 (133 runs), Misfitting (261) and Epoch Chinchilla (240) data: same optimum as the full grid.
 */
export const PHASE1_POINTS = 64;
/** Grid phase: BFGS tolerance and iteration cap per start; then the POLISHED best end points are refined to 1e-10 on all runs. */
const PHASE1_TOL = 1e-5;
const PHASE1_MAXIT = 60;
const POLISHED = 20;

function subsample(d: A3Data, cap: number): A3Data {
  const k = Math.ceil(d.logL.length / cap);
  const idx: number[] = [];
  for (let i = 0; i < d.logL.length; i += k) idx.push(i);
  const pick = (a: Float64Array) => new Float64Array(idx.map((i) => a[i]));
  return { logN: pick(d.logN), logD: pick(d.logD), logL: pick(d.logL), w: pick(d.w) };
}

/**
 * Full fit: BFGS from every start of the grid (tolerance 1e-5, ≤ 60 iterations each; on at most PHASE1_POINTS runs), then the
 * 20 best end points are polished on all runs to tolerance 1e-10; the lowest objective wins. (Measured on ~100 points: the same
 * optimum as running every start to 1e-9, in 40% of the evaluations.) Undefined with fewer than 5 points.
 */
export function fitApproach3(
  obs: Observation[],
  v: 'N' | 'M',
  starts: number[][] = startGrid(),
  progress?: (done: number, total: number) => void,
): (Approach3Fit & { Hinv?: Float64Array }) | undefined {
  if (obs.length < 5) return undefined;
  const d = a3Data(obs, v);
  const coarse = obs.length > PHASE1_POINTS ? subsample(d, PHASE1_POINTS) : d;
  const ends: Minimum[] = [];
  starts.forEach((s, i) => {
    const r = minimiseFrom(coarse, s, PHASE1_TOL, PHASE1_MAXIT);
    if (Number.isFinite(r.f)) ends.push(r);
    if (progress && (i % 100 === 99 || i === starts.length - 1)) progress(i + 1, starts.length);
  });
  ends.sort((p, q) => p.f - q.f);
  let best: Minimum | undefined;
  for (const e of ends.slice(0, POLISHED)) {
    const r = minimiseFrom(d, e.theta);
    // Only fits with positive exponents are laws (α, β ≤ 0 would make loss grow with scale or data).
    if (Number.isFinite(r.f) && r.theta[3] > 0 && r.theta[4] > 0 && (!best || r.f < best.f)) best = r;
  }
  if (!best) return undefined;
  return { ...derive(best.theta, best.f, v, starts.length), Hinv: best.Hinv };
}

/**
 * Refit from a known optimum (the bootstrap: the full fit's best point and BFGS inverse Hessian, on resample-weighted data):
 * BFGS from that single start, tolerance 1e-7, ≤ 150 iterations.
 */
export function refitApproach3(d: A3Data, from: Approach3Fit & { Hinv?: Float64Array }): Approach3Fit | undefined {
  const r = minimiseFrom(d, from.theta, 1e-7, 150, from.Hinv);
  if (!Number.isFinite(r.f) || !(r.theta[3] > 0 && r.theta[4] > 0)) return undefined;
  return derive(r.theta, r.f, from.scaleVariable, 1);
}

/**
 * Whether the data can separate the N and D terms: needs ≥ 2 distinct N, ≥ 2 distinct D, and (log N, log D) not on one line — one
 * IsoFLOP line (N·D constant), one tokens-per-parameter ratio (D/N constant), or any other line: along a line only one combination
 * of α and β is identified. Returns why not, or undefined when identifiable. (RMS off the best line < 1% in D counts as a line.)
 */
export function approach3Identifiability(obs: readonly Observation[], v: 'N' | 'M'): string | undefined {
  const ln = obs.map((o) => Math.log(scaleVariableOf(o, v)));
  const ld = obs.map((o) => Math.log(o.tokens));
  const distinct = (xs: number[]) => new Set(xs.map((x) => Math.round(x * 1e4))).size;
  if (distinct(ln) < 2) return `every run has the same ${v} (${Math.exp(ln[0]).toPrecision(3)}): A and α cannot be fitted`;
  if (distinct(ld) < 2) return `every run has the same D (${Math.exp(ld[0]).toPrecision(3)}): B and β cannot be fitted`;
  const n = ln.length;
  const mx = ln.reduce((a, b) => a + b, 0) / n;
  const my = ld.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (ln[i] - mx) ** 2;
    sxy += (ln[i] - mx) * (ld[i] - my);
  }
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ld[i] - my - slope * (ln[i] - mx)) ** 2;
  if (Math.sqrt(sse / n) >= 0.01) return undefined;
  const what = Math.abs(slope + 1) < 0.05 ? 'one IsoFLOP line (N·D constant)' : Math.abs(slope - 1) < 0.05 ? 'one tokens-per-parameter ratio (D/N constant)' : `one line in (log ${v}, log D) (slope ${slope.toFixed(2)})`;
  return `all runs lie on ${what}: only one combination of α and β is identified`;
}

/** Compute-optimal scale under the fitted law: scale_opt = G·(C/k)^a, k = 6 for N, 1 for M (Chinchilla's closed form). */
export function approach3ScaleOpt(fit: Approach3Fit, C: number): number {
  const k = fit.scaleVariable === 'N' ? 6 : 1;
  return fit.G * Math.pow(C / k, fit.a);
}

/** L(N, D) = E + A/N^α + B/D^β. */
export function approach3Loss(fit: Approach3Fit, n: number, D: number): number {
  return fit.E + fit.A / Math.pow(n, fit.alpha) + fit.B / Math.pow(D, fit.beta);
}
