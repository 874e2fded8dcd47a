// Power laws in log space and the multiple regression used by the Step Law form.
import { describe, expect, it } from 'vitest';
import { fitPowerLaw, multiLinear } from '../src/fit/powerlaw.ts';
import { makeRng } from '../src/util/rng.ts';

describe('fitPowerLaw', () => {
  it('recovers the paper Eq. 4 law exactly from noiseless points, r² = 1', () => {
    const C = [1e17, 3e17, 1e18, 1e19, 3e20];
    const M = C.map((c) => 0.1715 * c ** 0.5243);
    const p = fitPowerLaw(C, M)!;
    expect(p.exponent).toBeCloseTo(0.5243, 10);
    expect(p.coefficient / 0.1715).toBeCloseTo(1, 8);
    expect(p.r2).toBeCloseTo(1, 12);
  });

  it('with log-normal noise the exponent stays within its standard error', () => {
    const r = makeRng(5);
    const C = Array.from({ length: 40 }, (_, i) => 10 ** (17 + (3 * i) / 39));
    const y = C.map((c) => 0.3118 * c ** -0.125 * Math.exp(0.02 * r.normal()));
    const p = fitPowerLaw(C, y)!;
    expect(Math.abs(p.exponent + 0.125)).toBeLessThan(0.01);
    expect(p.r2).toBeLessThan(1);
  });

  it('undefined with one distinct C; throws on non-positive values', () => {
    expect(fitPowerLaw([1e18, 1e18], [1, 2])).toBeUndefined();
    expect(() => fitPowerLaw([1e18, 1e19], [1, 0])).toThrow(/non-positive/);
  });
});

describe('multiLinear', () => {
  it('recovers y = 1 + 2·u − 0.5·v', () => {
    const X: number[][] = [];
    const y: number[] = [];
    for (let u = 0; u < 4; u++) for (let v = 0; v < 3; v++) {
      X.push([1, u, v * v + u]);
      y.push(1 + 2 * u - 0.5 * (v * v + u));
    }
    const f = multiLinear(X, y)!;
    expect(f.coef[0]).toBeCloseTo(1, 10);
    expect(f.coef[1]).toBeCloseTo(2, 10);
    expect(f.coef[2]).toBeCloseTo(-0.5, 10);
    expect(f.r2).toBeCloseTo(1, 10);
  });
});
