// Power laws y = k·C^e fitted by (weighted) least squares in log10 space, with r² in log space.
import type { PowerLaw } from '../schema/laws.ts';

/** Weighted sums for the line v = α + e·u (u = log10 C, v = log10 y). */
export interface LineSums {
  w: number;
  u: number;
  v: number;
  uu: number;
  uv: number;
  vv: number;
}

export function emptyLine(): LineSums {
  return { w: 0, u: 0, v: 0, uu: 0, uv: 0, vv: 0 };
}

export function addLine(s: LineSums, u: number, v: number, w = 1): void {
  s.w += w;
  s.u += w * u;
  s.v += w * v;
  s.uu += w * u * u;
  s.uv += w * u * v;
  s.vv += w * v * v;
}

/** Solves the sums for intercept and slope; undefined with fewer than 2 distinct u. */
export function solveLine(s: LineSums): { intercept: number; slope: number; r2: number } | undefined {
  if (!(s.w > 0)) return undefined;
  const mu = s.u / s.w;
  const mv = s.v / s.w;
  const suu = s.uu / s.w - mu * mu;
  const suv = s.uv / s.w - mu * mv;
  const svv = s.vv / s.w - mv * mv;
  if (!(suu > 1e-14 * Math.max(1, mu * mu))) return undefined;
  const slope = suv / suu;
  const r2 = svv > 0 ? (suv * suv) / (suu * svv) : 1;
  return { intercept: mv - slope * mu, slope, r2 };
}

/** y = k·C^e by least squares on log10 y = log10 k + e·log10 C. Throws on non-positive input (callers validate first). */
export function fitPowerLaw(C: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): PowerLaw | undefined {
  const s = emptyLine();
  for (let i = 0; i < C.length; i++) {
    if (!(C[i] > 0) || !(y[i] > 0)) throw new Error(`fitPowerLaw: non-positive value at ${i} (C=${C[i]}, y=${y[i]})`);
    addLine(s, Math.log10(C[i]), Math.log10(y[i]), w ? w[i] : 1);
  }
  const l = solveLine(s);
  if (!l) return undefined;
  return { coefficient: Math.pow(10, l.intercept), exponent: l.slope, r2: l.r2 };
}

/** Power law from line sums (used by the bootstrap, which accumulates sums with resample weights). */
export function powerLawFromSums(s: LineSums): PowerLaw | undefined {
  const l = solveLine(s);
  return l ? { coefficient: Math.pow(10, l.intercept), exponent: l.slope, r2: l.r2 } : undefined;
}

/** Ordinary least squares with several regressors (normal equations, Gaussian elimination with partial pivoting). */
export function multiLinear(X: number[][], y: number[], w?: number[]): { coef: number[]; r2: number } | undefined {
  const p = X[0]?.length ?? 0;
  if (p === 0 || X.length < p) return undefined;
  const A = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  let wsum = 0;
  let ymean = 0;
  for (let i = 0; i < X.length; i++) {
    const wi = w ? w[i] : 1;
    wsum += wi;
    ymean += wi * y[i];
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < p; k++) A[j][k] += wi * X[i][j] * X[i][k];
      A[j][p] += wi * X[i][j] * y[i];
    }
  }
  ymean /= wsum;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    if (!(Math.abs(A[piv][c]) > 1e-12)) return undefined;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= p; k++) A[r][k] -= f * A[c][k];
    }
  }
  const coef = A.map((row, j) => row[p] / row[j]);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < X.length; i++) {
    const wi = w ? w[i] : 1;
    let pred = 0;
    for (let j = 0; j < p; j++) pred += coef[j] * X[i][j];
    sse += wi * (y[i] - pred) ** 2;
    sst += wi * (y[i] - ymean) ** 2;
  }
  return { coef, r2: sst > 0 ? 1 - sse / sst : 1 };
}
