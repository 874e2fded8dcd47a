// The linearised (Fisher / delta-method) variance of a target for a design of runs, used to shortlist candidate runs cheaply before
// the seeded simulation judges them. Per budget: the weighted quadratic in x = log10 scale has Cov(d) = (XᵀWX)⁻¹, and the vertex
// x* = c − d1/(2d2), L* = d0 − d1²/(4d2) get their variance by the delta method at the model's curve. Across budgets: a and b are
// the least-squares slope of x* on log10 C (paper Eq. 4, b = 1 − a when D = C/M), M_opt(C0) its value at C0, and the loss at C0
// comes from L(C) = E + A·C^(−γ) fitted through the L* (unweighted least squares, sandwich covariance).
import type { LossLaw } from '../schema/laws.ts';
import type { IsoflopModel } from './model.ts';

/** A design: per budget, the distinct scales (x = log10 scale) and the runs (seeds) at each. */
export interface DesignBudget {
  budget: number;
  points: { x: number; n: number }[];
}

/** The variance parts of one run's loss: shape scatter (shared by the seeds of one shape) and seed noise. */
export interface PointNoise {
  sigma2: number;
  seedSigma2: number;
}

/** What the variance is of: 'a'/'b' (exponents), 'scale' (log10 M_opt at `compute`), 'loss' (loss at `compute`). */
export interface LinearTarget {
  kind: 'a' | 'b' | 'scale' | 'loss';
  compute?: number;
}

/** 3×3 symmetric inverse (cofactors); undefined when singular. */
function inverse3(m: number[][]): number[][] | undefined {
  const [[a, b, c], [, e, f], [, , i]] = m;
  const d = m[1][0];
  const g = m[2][0];
  const h = m[2][1];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  const scale = Math.abs(a * e * i) + Math.abs(b * f * g) + Math.abs(c * d * h) + 1e-300;
  if (!(Math.abs(det) > 1e-13 * scale)) return undefined;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

const quadForm = (g: number[], M: number[][], h: number[] = g) => g.reduce((s, gi, i) => s + gi * h.reduce((t, hj, j) => t + M[i][j] * hj, 0), 0);

/** Variance of the vertex (x*, L*) of one budget's quadratic, and their covariance; undefined with fewer than 3 distinct scales. */
export function vertexCovariance(b: DesignBudget, model: IsoflopModel, noise: PointNoise): { vx: number; vy: number; cxy: number } | undefined {
  if (b.points.length < 3) return undefined;
  const shape2 = Math.max(0, noise.sigma2 - noise.seedSigma2);
  const w = b.points.map((p) => 1 / (shape2 + noise.seedSigma2 / p.n));
  const wsum = w.reduce((s, v) => s + v, 0);
  const center = b.points.reduce((s, p, i) => s + w[i] * p.x, 0) / wsum;
  const F = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  b.points.forEach((p, i) => {
    const u = p.x - center;
    const row = [1, u, u * u];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) F[r][c] += w[i] * row[r] * row[c];
  });
  const cov = inverse3(F);
  if (!cov) return undefined;
  const curve = model.curveAt(b.budget);
  const d2 = curve.kappa;
  const d1 = -2 * d2 * (curve.x0 - center);
  const gx = [0, -1 / (2 * d2), d1 / (2 * d2 * d2)];
  const gy = [1, -d1 / (2 * d2), (d1 * d1) / (4 * d2 * d2)];
  return { vx: quadForm(gx, cov), vy: quadForm(gy, cov), cxy: quadForm(gx, cov, gy) };
}

/** Linearised variance of the target for the design (Infinity when the design cannot determine it). */
export function targetVariance(design: DesignBudget[], model: IsoflopModel, noise: PointNoise, t: LinearTarget): number {
  const used = design
    .map((b) => ({ b, v: vertexCovariance(b, model, noise) }))
    .filter((e): e is { b: DesignBudget; v: NonNullable<typeof e.v> } => e.v !== undefined && Number.isFinite(e.v.vx));
  if (used.length < 2) return Infinity;
  const u = used.map((e) => Math.log10(e.b.budget));
  const ubar = u.reduce((s, v) => s + v, 0) / u.length;
  const suu = u.reduce((s, v) => s + (v - ubar) ** 2, 0);
  if (!(suu > 0)) return Infinity;
  if (t.kind === 'a' || t.kind === 'b') return used.reduce((s, e, j) => s + ((u[j] - ubar) / suu) ** 2 * e.v.vx, 0);
  const u0 = Math.log10(t.compute!);
  if (t.kind === 'scale') return used.reduce((s, e, j) => s + (1 / u.length + ((u0 - ubar) * (u[j] - ubar)) / suu) ** 2 * e.v.vx, 0);
  return lossVariance(used.map((e) => e.b.budget), used.map((e) => e.v.vy), model.lossLaw, t.compute!);
}

/** Sandwich variance of the loss curve's prediction at C0 from independent per-budget optimum losses with variances `vy`. */
function lossVariance(C: number[], vy: number[], law: LossLaw, C0: number): number {
  const offset = law.form === 'offset-power' && C.length >= 3;
  // Parameters (E, A, γ) or (A, γ): ∂L/∂θ at C.
  const grad = (c: number) => {
    const p = Math.pow(c, -law.gamma);
    const g = [p, -law.A * Math.log(c) * p];
    return offset ? [1, ...g] : g;
  };
  const J = C.map(grad);
  const k = J[0].length;
  const JtJ = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => J.reduce((s, row) => s + row[r] * row[c], 0)));
  const inv = k === 3 ? inverse3(JtJ) : inverse2(JtJ);
  if (!inv) return Infinity;
  // Cov(θ) = (JᵀJ)⁻¹ Jᵀ diag(vy) J (JᵀJ)⁻¹.
  const meat = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => J.reduce((s, row, i) => s + row[r] * vy[i] * row[c], 0)));
  const mul = (X: number[][], Y: number[][]) => X.map((row) => Y[0].map((_, c) => row.reduce((s, v, i) => s + v * Y[i][c], 0)));
  const cov = mul(mul(inv, meat), inv);
  return quadForm(grad(C0), cov);
}

function inverse2(m: number[][]): number[][] | undefined {
  const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  if (!(Math.abs(det) > 1e-13 * (Math.abs(m[0][0] * m[1][1]) + 1e-300))) return undefined;
  return [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]];
}
