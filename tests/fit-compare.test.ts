// The interval on a_A − a_B from two fits' bootstrap draws (src/fit/compare.ts), on synthetic IsoFLOP grids from laws with known
// exponents: a true difference of 0.20 is covered and resolved, equal laws are not called different, and a fit without draws is refused.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIT_OPTIONS, fitObservations } from '../src/fit/fit.ts';
import { compareExponents } from '../src/fit/compare.ts';
import { isoflopRuns, lawWithExponent } from '../src/fit/synthetic.ts';
import { exponentDifference } from '../src/report/summary.ts';
import { InputError } from '../src/util/errors.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
function fitLaw(a: number, dataset: string, seed: number, bootstrap = 300) {
  const law = lawWithExponent(a);
  const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.6, shift: 0.1, noise: 0.003, seed });
  return { truth: law.beta / (law.alpha + law.beta), laws: fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset, name: dataset, bootstrap, approach3: false, seed: 1 }) };
}

describe('compareExponents', () => {
  it('keeps 6-digit draws of a and b in details.bootstrap.draws', () => {
    const { laws } = fitLaw(0.55, 'x', 11);
    const d = laws.details!.bootstrap!.draws!;
    expect(d.a!.length).toBeGreaterThan(280);
    expect(d.b!.length).toBe(d.a!.length);
    // b = 1 − a holds per resample (D = C/M), so the draws carry it too.
    for (let i = 0; i < 20; i++) expect(d.a![i] + d.b![i]).toBeCloseTo(1, 4);
    expect(d.a!.every((x) => String(x).replace(/^-?0\.|e.*$/g, '').replace(/^0+/, '').length <= 6)).toBe(true);
  });

  it('a true difference of 0.20 is inside the interval, which excludes 0', () => {
    const A = fitLaw(0.65, 'better', 21);
    const B = fitLaw(0.45, 'worse', 22);
    const r = compareExponents(A.laws, B.laws, 'a');
    const truth = A.truth - B.truth;
    expect(r.difference).toBeCloseTo(A.laws.laws.scale!.exponent - B.laws.laws.scale!.exponent, 12);
    expect(r.interval[0]).toBeLessThanOrEqual(truth);
    expect(r.interval[1]).toBeGreaterThanOrEqual(truth);
    expect(r.significant).toBe(true);
    expect(r.shareGreater).toBeGreaterThan(0.99);
    // The difference's interval is about √2 × one fit's (independent datasets), not their sum.
    const wA = A.laws.laws.scale!.ci!.exponent[1] - A.laws.laws.scale!.ci!.exponent[0];
    const wB = B.laws.laws.scale!.ci!.exponent[1] - B.laws.laws.scale!.ci!.exponent[0];
    const w = r.interval[1] - r.interval[0];
    expect(w).toBeGreaterThan(0.8 * Math.hypot(wA, wB));
    expect(w).toBeLessThan(1.25 * Math.hypot(wA, wB));
    expect(w).toBeLessThan(wA + wB);
    expect(exponentDifference(A.laws, B.laws)!.text).toMatch(/^a\(better\) − a\(worse\) = 0\.\d+ \[0\.\d+, 0\.\d+\] \(95% interval over \d+ paired bootstrap draws; 100% of them > 0\)$/);
  });

  it('the same law on two datasets is not called different (18 of 20 pairs or more)', () => {
    let resolved = 0;
    for (let k = 0; k < 20; k++) {
      const r = compareExponents(fitLaw(0.52, 'p', 100 + k, 200).laws, fitLaw(0.52, 'q', 200 + k, 200).laws, 'a', { seed: k });
      if (r.significant) resolved++;
    }
    expect(resolved).toBeLessThanOrEqual(2);
  });

  it('a fit without bootstrap draws is refused with the field named', () => {
    const A = fitLaw(0.55, 'a', 31);
    const B = fitLaw(0.55, 'b', 32, 0);
    expect(() => compareExponents(A.laws, B.laws)).toThrow(InputError);
    expect(() => compareExponents(A.laws, B.laws)).toThrow(/refit it with --bootstrap/);
    expect(exponentDifference(A.laws, B.laws)).toBeUndefined();
  });
});
