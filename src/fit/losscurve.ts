// Loss of the compute-optimal model against compute: L(C) = E + A·C^(−γ) by Levenberg–Marquardt, and the pure power law A·C^(−γ).
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { LossLaw } from '../schema/laws.ts';
import { fitPowerLaw } from './powerlaw.ts';

export interface LossFit {
  law: LossLaw;
  /** Sum of squared residuals and r² of the fit in loss units. */
  sse: number;
  r2: number;
  /** Internal parameters [E, ℓ, γ] with L = E + exp(ℓ − γ·ln10·(log10 C − u0)), for warm starts. */
  params: [number, number, number];
  u0: number;
}

const LN10 = Math.LN10;

function sseR2(C: number[], L: number[], law: LossLaw): { sse: number; r2: number } {
  const mean = L.reduce((a, b) => a + b, 0) / L.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < C.length; i++) {
    const pred = (law.form === 'power' ? 0 : law.E) + law.A * Math.pow(C[i], -law.gamma);
    sse += (L[i] - pred) ** 2;
    sst += (L[i] - mean) ** 2;
  }
  return { sse, r2: sst > 0 ? 1 - sse / sst : 1 };
}

/** Pure power law L = A·C^(−γ): least squares in log space. */
export function fitLossPower(C: number[], L: number[]): LossFit | undefined {
  const p = fitPowerLaw(C, L);
  if (!p) return undefined;
  const law: LossLaw = { form: 'power', E: 0, A: p.coefficient, gamma: -p.exponent };
  const u0 = C.reduce((a, c) => a + Math.log10(c), 0) / C.length;
  return { law, ...sseR2(C, L, law), params: [0, Math.log(p.coefficient) - law.gamma * LN10 * u0, law.gamma], u0 };
}

/**
 * L(C) = E + A·C^(−γ) (the loss curve through the budgets' optima), parameterised in u = log10 C − u0 for conditioning:
 * L = E + exp(ℓ − γ·ln10·u), so A = exp(ℓ + γ·ln10·u0). Starts: the pure power law of L − E0 for a few offsets E0 (and `warm`),
 * Levenberg–Marquardt with the analytic Jacobian from each, keep the lowest squared error. Needs ≥ 3 points.
 */
export function fitLossCurve(C: number[], L: number[], warm?: { params: [number, number, number]; u0: number }, maxIterations = warm ? 20 : 200): LossFit | undefined {
  if (C.length < 3) return undefined;
  const u0 = warm?.u0 ?? C.reduce((a, c) => a + Math.log10(c), 0) / C.length;
  const u = C.map((c) => Math.log10(c) - u0);
  const minL = Math.min(...L);
  const starts: number[][] = [];
  if (warm) starts.push([...warm.params]);
  else {
    for (const f of [0, 0.5, 0.8, 0.95]) {
      const E0 = f * minL;
      const p = fitPowerLaw(C, L.map((l) => l - E0));
      if (p && Number.isFinite(p.exponent)) starts.push([E0, Math.log(p.coefficient) + p.exponent * LN10 * u0, Math.max(0, -p.exponent)]);
    }
  }
  const model = ([E, l, g]: number[]) => (ui: number) => E + Math.exp(l - g * LN10 * ui);
  const jac = ([, l, g]: number[]) => (ui: number) => {
    const t = Math.exp(l - g * LN10 * ui);
    return [1, t, -LN10 * ui * t];
  };
  let best: { p: number[]; err: number } | undefined;
  for (const s of starts) {
    const r = levenbergMarquardt({ x: u, y: L }, model, {
      initialValues: s,
      jacobianFunction: jac,
      minValues: [0, -50, 0],
      maxValues: [minL, 50, 10],
      maxIterations,
      errorTolerance: 1e-14,
      improvementThreshold: 1e-3,
      damping: 1e-2,
    });
    if (Number.isFinite(r.parameterError) && (!best || r.parameterError < best.err)) best = { p: r.parameterValues, err: r.parameterError };
  }
  if (!best) return undefined;
  const [E, l, g] = best.p;
  const law: LossLaw = { form: 'offset-power', E, A: Math.exp(l + g * LN10 * u0), gamma: g };
  if (!(Number.isFinite(law.A) && law.A > 0)) return undefined;
  return { law, ...sseR2(C, L, law), params: [E, l, g], u0 };
}
