// Representation comparison (paper App. A.2) on synthetic data generated in M: M recovers the law, 6N1 predicts lower large-model
// loss (over-estimates performance) and 6N2 higher, as the paper reports.
import { describe, expect, it } from 'vitest';
import { compareRepresentations, inRepresentation } from '../src/fit/representations.ts';
import { parseTargets } from '../src/fit/predict.ts';
import { chinchillaOptimum, isoflopRuns, lawWithExponent } from '../src/fit/synthetic.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { PRESETS } from '../src/flops/presets.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
const law = lawWithExponent(0.5243);
const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 10, spanDecades: 1.4, shift: 0.15, noise: 0.001, seed: 1, reps: true });

describe('representations', () => {
  it('re-expresses scale and compute, keeping budgets and tokens', () => {
    const six = inRepresentation(obs, '6N1');
    expect(six[3].scale).toBe(obs[3].reps!.sixN1);
    expect(six[3].compute).toBeCloseTo(obs[3].reps!.sixN1 * obs[3].tokens, 0);
    expect(six[3].budget).toBe(obs[3].budget);
  });

  it('M recovers a and the compute-optimal 7B/67B loss; 6N1 predicts lower loss, 6N2 higher (paper App. A.2)', () => {
    const r = compareRepresentations(obs, 0, parseTargets(['7b', '67b']));
    const by = Object.fromEntries(r.entries!.map((e) => [e.representation, e]));
    expect(Object.keys(by)).toEqual(['M', '6N1', '6N2']);
    expect(Math.abs(by.M.scale.exponent - 0.5243)).toBeLessThan(0.02);
    expect(Math.abs(by['6N1'].scale.exponent - by.M.scale.exponent)).toBeGreaterThan(0.01);
    for (const [k, i] of [['7b', 0], ['67b', 1]] as const) {
      const truth = chinchillaOptimum(law, scaleCounts(PRESETS[k]).M * 2e12).loss;
      const lM = by.M.predictions![i].loss!;
      expect(Math.abs(lM / truth - 1)).toBeLessThan(0.01);
      expect(by['6N1'].predictions![i].loss!).toBeLessThan(lM);
      expect(by['6N2'].predictions![i].loss!).toBeGreaterThan(lM);
      expect(by['6N1'].predictions![i].scale).toBe(6 * scaleCounts(PRESETS[k]).N1);
    }
  });

  it('is skipped unless every observation has its representations', () => {
    const partial = obs.map((o, i) => (i === 0 ? { ...o, reps: undefined } : o));
    expect(compareRepresentations(partial, 0, []).entries).toBeUndefined();
  });
});
