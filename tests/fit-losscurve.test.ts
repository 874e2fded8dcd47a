// Loss curve through the optima: L(C) = E + A·C^(−γ) by Levenberg–Marquardt, and the pure power law.
import { describe, expect, it } from 'vitest';
import { fitLossCurve, fitLossPower } from '../src/fit/losscurve.ts';
import { evalLossLaw } from '../src/schema/laws.ts';
import { makeRng } from '../src/util/rng.ts';

const C = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];

describe('fitLossCurve', () => {
  it('recovers E, A, γ from noiseless optima', () => {
    const truth = { E: 1.7, A: 2.0e3, gamma: 0.2 };
    const L = C.map((c) => truth.E + truth.A * c ** -truth.gamma);
    const f = fitLossCurve(C, L)!;
    expect(f.law.form).toBe('offset-power');
    expect(f.law.E).toBeCloseTo(truth.E, 3);
    expect(f.law.gamma).toBeCloseTo(truth.gamma, 3);
    expect(f.law.A / truth.A).toBeCloseTo(1, 2);
    expect(f.r2).toBeGreaterThan(0.999999);
  });

  it('with 0.1% noise predicts the loss 1000× beyond the data within 1%', () => {
    const truth = { E: 1.7, A: 2.0e3, gamma: 0.2 };
    const r = makeRng(3);
    const L = C.map((c) => (truth.E + truth.A * c ** -truth.gamma) * (1 + 0.001 * r.normal()));
    const f = fitLossCurve(C, L)!;
    const c = 3e23;
    expect(Math.abs(evalLossLaw(f.law, c) / (truth.E + truth.A * c ** -truth.gamma) - 1)).toBeLessThan(0.01);
  });

  it('a warm start from the fit returns the same law', () => {
    const L = C.map((c) => 2 + 500 * c ** -0.15);
    const f = fitLossCurve(C, L)!;
    const g = fitLossCurve(C, L, f)!;
    expect(g.law.E).toBeCloseTo(f.law.E, 6);
    expect(g.law.gamma).toBeCloseTo(f.law.gamma, 6);
  });

  it('needs 3 points; the pure power law needs 2', () => {
    expect(fitLossCurve([1e18, 1e19], [3, 2.9])).toBeUndefined();
    const p = fitLossPower(C, C.map((c) => 40 * c ** -0.05))!;
    expect(p.law.form).toBe('power');
    expect(p.law.gamma).toBeCloseTo(0.05, 10);
    expect(p.law.A).toBeCloseTo(40, 6);
  });
});
