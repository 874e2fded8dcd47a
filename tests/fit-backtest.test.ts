// Backtest: holding out the largest budgets of noiseless Eq. 4 data predicts them exactly; too few budgets → skipped with a warning.
import { describe, expect, it } from 'vitest';
import { backtest } from '../src/fit/backtest.ts';
import { approach2 } from '../src/fit/approach2.ts';
import { eq4Runs } from '../src/fit/synthetic.ts';
import { DEFAULT_FIT_OPTIONS, fitObservations } from '../src/fit/fit.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];

describe('backtest', () => {
  it('predicts the 2 held-out budgets of noiseless Eq. 4 curves to < 0.5% (loss) and < 1% (scale)', () => {
    const obs = eq4Runs({ budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.2, curvature: 0.08, noise: 0, seed: 1, lossLaw: { E: 0.5, A: 30, gamma: 0.06 } });
    const { result, warnings } = backtest(approach2(obs, { window: 0 }).optima, 2);
    expect(warnings).toEqual([]);
    expect(result!.heldOut).toEqual([1e20, 3e20]);
    for (const r of result!.rows) {
      expect(Math.abs(r.lossErr)).toBeLessThan(0.005);
      expect(Math.abs(r.scaleErr)).toBeLessThan(0.01);
      expect(r.lossErr).toBeCloseTo((r.lossPred - r.lossTrue) / r.lossTrue, 12);
    }
  });

  it('with a wrong law (γ shifted) the held-out error is visible', () => {
    const obs = eq4Runs({ budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.2, curvature: 0.08, noise: 0, seed: 1, lossLaw: { E: 0.5, A: 30, gamma: 0.06 } });
    const optima = approach2(obs, { window: 0 }).optima;
    optima[7] = { ...optima[7], lossOpt: optima[7].lossOpt * 1.05 };
    const rows = backtest(optima, 1).result!.rows;
    expect(rows[0].lossErr).toBeCloseTo(1 / 1.05 - 1, 2);
  });

  it('errors get bootstrap intervals: on noisy Eq. 4 data (true error 0) they contain 0 and the point error, and narrow with less noise', () => {
    const width: number[] = [];
    for (const noise of [0.01, 0.002]) {
      const obs = eq4Runs({ budgets: BUDGETS.slice(0, 5), pointsPerBudget: 7, spanDecades: 1, curvature: 0.08, noise, seed: 3, lossLaw: { E: 0.5, A: 30, gamma: 0.06 } });
      const d = fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset: 'bt', name: 'bt', holdoutLargest: 1, bootstrap: 300, approach3: false, seed: 2 }).details!;
      const [r] = d.backtest!.rows;
      expect(r.budget).toBe(1e19);
      for (const [err, iv] of [[r.lossErr, r.lossErrInterval!], [r.scaleErr, r.scaleErrInterval!]] as const) {
        expect(iv[0]).toBeLessThanOrEqual(0);
        expect(iv[1]).toBeGreaterThanOrEqual(0);
        expect(iv[0]).toBeLessThanOrEqual(err);
        expect(iv[1]).toBeGreaterThanOrEqual(err);
      }
      width.push(r.scaleErrInterval![1] - r.scaleErrInterval![0], r.lossErrInterval![1] - r.lossErrInterval![0]);
    }
    // 5× less noise: the loss error's interval 3.7× narrower (0.0217 → 0.0058), the scale error's 1.9× (2.61 → 1.34: the case
    // bootstrap of a flat 7-point parabola stays wide, docs/fit-methods.md §8).
    expect(width[3]).toBeLessThan(width[1] / 3);
    expect(width[2]).toBeLessThan(width[0] / 1.5);
    // Without a bootstrap the rows carry no intervals.
    const obs = eq4Runs({ budgets: BUDGETS.slice(0, 5), pointsPerBudget: 7, spanDecades: 1, curvature: 0.08, noise: 0.01, seed: 3, lossLaw: { E: 0.5, A: 30, gamma: 0.06 } });
    const d0 = fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset: 'bt', name: 'bt', holdoutLargest: 1, bootstrap: 0, approach3: false, seed: 2 }).details!;
    expect(d0.backtest!.rows[0].lossErrInterval).toBeUndefined();
  });

  it('skips with a warning when fewer than 3 budgets would remain', () => {
    const obs = eq4Runs({ budgets: BUDGETS.slice(0, 4), pointsPerBudget: 7, spanDecades: 1, curvature: 0.08, noise: 0, seed: 1, lossLaw: { E: 0.5, A: 30, gamma: 0.06 } });
    const r = backtest(approach2(obs, { window: 0 }).optima, 2);
    expect(r.result).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).toEqual(['backtest-skipped']);
    expect(r.warnings[0].message).toMatch(/fewer than 3/);
  });
});
