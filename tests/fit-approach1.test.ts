// Approach 1: envelope of training curves (log-compute interpolation) and the optimum's power law on synthetic curves.
import { describe, expect, it } from 'vitest';
import { approach1, curveLossAt } from '../src/fit/approach1.ts';
import { curveRuns, lawWithExponent } from '../src/fit/synthetic.ts';

describe('approach 1', () => {
  it('interpolates linearly in log10 compute and is undefined outside a curve', () => {
    const curve = [{ compute: 1e18, loss: 3 }, { compute: 1e20, loss: 2 }];
    expect(curveLossAt(curve, 1e19)).toBeCloseTo(2.5, 12);
    expect(curveLossAt(curve, 1e17)).toBeUndefined();
    expect(curveLossAt(curve, 2e20)).toBeUndefined();
  });

  it('recovers a ≈ 0.5243 (±0.03) from the envelope of 30 model sizes trained far past their optimum', () => {
    const law = lawWithExponent(0.5243);
    const scales = Array.from({ length: 30 }, (_, i) => 10 ** (7.5 + (3.5 * i) / 29));
    // Each model trained to 10× the tokens at which it is compute-optimal (M = G·C^a ⇒ C = (M/G)^(1/a), D = C/M).
    const s = law.alpha + law.beta;
    const G = ((law.alpha * law.A) / (law.beta * law.B)) ** (1 / s);
    const a = law.beta / s;
    const obs = curveRuns({ law, scales, maxTokens: scales.map((m) => (10 * (m / G) ** (1 / a)) / m), evals: 60, noise: 0, seed: 1 });
    const r = approach1(obs, 40)!;
    expect(r.envelope.length).toBeGreaterThan(15);
    expect(new Set(r.envelope.map((e) => e.scale)).size).toBeGreaterThan(8);
    expect(Math.abs(r.scale.exponent - 0.5243)).toBeLessThan(0.03);
    expect(r.scale.exponent + r.data.exponent).toBeCloseTo(1, 10);
  });

  it('is skipped without curves, and warns when few sizes win the envelope', () => {
    const law = lawWithExponent(0.5);
    expect(approach1(curveRuns({ law, scales: [1e8], maxTokens: [1e10], evals: 10, noise: 0, seed: 1 }))).toBeUndefined();
    const r = approach1(curveRuns({ law, scales: [1e8, 1e10], maxTokens: [1e12, 1e12], evals: 20, noise: 0, seed: 1 }));
    expect(r?.warnings.join() ?? 'undefined').toMatch(/only 2 distinct|undefined/);
  });
});
