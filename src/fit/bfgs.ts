// BFGS with a backtracking (Armijo) line search on a small dense problem — the algorithm of numeric.uncmin, step for step, on
// preallocated Float64Arrays with the objective and gradient computed in one call (approach 3 runs it from 4,500 starts).

/** f(x), writing ∇f(x) into g. */
export type ObjectiveWithGradient = (x: Float64Array, g: Float64Array) => number;

export interface BfgsResult {
  x: Float64Array;
  f: number;
  /** Inverse-Hessian estimate at x (row-major n×n). */
  Hinv: Float64Array;
  iterations: number;
  message: string;
}

/**
 * Minimises f from x0. As numeric.uncmin: search direction −H·g, step t halved until f(x + t·s) − f(x) < 0.1·t·gᵀs, stop when
 * the Newton step or the accepted step is shorter than tol, or after maxit iterations (line-search halvings count); BFGS update
 * of the inverse Hessian H (identity, or `Hinv0`, at the start).
 */
export function bfgs(fg: ObjectiveWithGradient, x0: ArrayLike<number>, tol = 1e-8, maxit = 1000, Hinv0?: ArrayLike<number>): BfgsResult {
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const x1 = new Float64Array(n);
  const g1 = new Float64Array(n);
  const step = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);
  const H = new Float64Array(n * n);
  if (Hinv0) H.set(Hinv0);
  else for (let i = 0; i < n; i++) H[i * n + i] = 1;
  tol = Math.max(tol, 2.220446049250313e-16);
  let f0 = fg(x, g);
  if (Number.isNaN(f0)) return { x, f: NaN, Hinv: H, iterations: 0, message: 'f(x0) is NaN' };
  let it = 0;
  let message = '';
  while (it < maxit) {
    if (!g.every(Number.isFinite)) {
      message = 'Gradient has Infinity or NaN';
      break;
    }
    let nstep = 0;
    let df0 = 0;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      step[i] = v;
      nstep += v * v;
      df0 += g[i] * v;
    }
    if (!step.every(Number.isFinite)) {
      message = 'Search direction has Infinity or NaN';
      break;
    }
    nstep = Math.sqrt(nstep);
    if (nstep < tol) {
      message = 'Newton step smaller than tol';
      break;
    }
    let t = 1;
    let f1 = f0;
    while (it < maxit) {
      if (t * nstep < tol) break;
      for (let i = 0; i < n; i++) {
        s[i] = step[i] * t;
        x1[i] = x[i] + s[i];
      }
      f1 = fg(x1, g1);
      if (f1 - f0 >= 0.1 * t * df0 || Number.isNaN(f1)) {
        t *= 0.5;
        ++it;
        continue;
      }
      break;
    }
    if (t * nstep < tol) {
      message = 'Line search step size smaller than tol';
      break;
    }
    if (it === maxit) {
      message = 'maxit reached during line search';
      break;
    }
    // BFGS update: H ← H + (sᵀy + yᵀHy)/(sᵀy)²·s sᵀ − (Hy sᵀ + s (Hy)ᵀ)/(sᵀy).
    let ys = 0;
    for (let i = 0; i < n; i++) {
      y[i] = g1[i] - g[i];
      ys += y[i] * s[i];
    }
    let yHy = 0;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
      Hy[i] = v;
      yHy += y[i] * v;
    }
    const c1 = (ys + yHy) / (ys * ys);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] += c1 * s[i] * s[j] - (Hy[i] * s[j] + s[i] * Hy[j]) / ys;
    x.set(x1);
    g.set(g1);
    f0 = f1;
    ++it;
  }
  return { x, f: f0, Hinv: H, iterations: it, message };
}
