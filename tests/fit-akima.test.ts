// The Akima spline against scipy.interpolate.Akima1DInterpolator (values computed with scipy 1.10.1), its exact minimum, and the
// per-budget spline optima of Porian et al.'s 15 settings against the argmins in the authors' own released analysis files.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { akimaSpline, evalSpline, splineMinimum } from '../src/fit/akima.ts';
import { approach2 } from '../src/fit/approach2.ts';
import { loadObservations } from '../src/fit/input/load.ts';
import { REPO } from './helpers/cli.ts';

describe('Akima spline', () => {
  it('matches scipy Akima1DInterpolator on uneven knots (6, 3 and 4 points, flat stretches)', () => {
    const s = akimaSpline([0, 1, 2.5, 3, 4.2, 5], [3.0, 2.4, 2.1, 2.15, 2.6, 2.2]);
    // scipy: Akima1DInterpolator(x, y)([0.5, 1.5, 2.5, 3.5, 4.5])
    const scipy = [2.6464285714285714, 2.242151675485009, 2.1, 2.3280860940872645, 2.558780570652174];
    [0.5, 1.5, 2.5, 3.5, 4.5].forEach((x, i) => expect(evalSpline(s, x)).toBeCloseTo(scipy[i], 12));
    const s3 = akimaSpline([0, 1, 2], [3, 2, 2.5]);
    [0.3, 1.5, 1.9].forEach((x, i) => expect(evalSpline(s3, x)).toBeCloseTo([2.5425, 2.0625, 2.3825][i], 12));
    const s4 = akimaSpline([0, 1, 2, 3], [1, 1, 1, 2]);
    [0.5, 1.5, 2.5].forEach((x, i) => expect(evalSpline(s4, x)).toBeCloseTo([1, 1, 1.3125][i], 12));
  });

  it('reproduces a straight line exactly and finds the exact minimum of a sampled parabola between knots', () => {
    const line = akimaSpline([0, 1, 3, 4], [1, 3, 7, 9]);
    expect(evalSpline(line, 2.2)).toBeCloseTo(5.4, 12);
    // Akima is exact on a parabola's middle segments when the knots are evenly spaced; the minimum lies at x = 1.3.
    const xs = [0, 0.5, 1, 1.5, 2, 2.5, 3];
    const s = akimaSpline(xs, xs.map((x) => (x - 1.3) ** 2 + 2));
    const m = splineMinimum(s);
    expect(m.where).toBe('interior');
    expect(Math.abs(m.x - 1.3)).toBeLessThan(0.02);
    expect(m.y).toBeLessThanOrEqual(2 + (1.5 - 1.3) ** 2);
    expect(splineMinimum(akimaSpline([0, 1, 2, 3], [1, 2, 3, 4])).where).toBe('first');
    expect(splineMinimum(akimaSpline([0, 1, 2, 3], [4, 3, 2, 1])).where).toBe('last');
  });

  it("Porian et al.'s 15 settings: every per-budget spline argmin equals the authors' own (their grid's resolution)", () => {
    const ref = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/porian2024-published-a.json'), 'utf8')) as { settings: { label: string; budgets: { budget: number; argminN: number }[] }[] };
    let compared = 0;
    for (const s of ref.settings) {
      const obs = loadObservations([join(REPO, 'tests/fixtures/public-runs/porian2024_isoflop_points.csv')], { columns: ['N=n_params', 'D=tokens', 'C=flops', 'budget=flops', 'loss=loss'], filters: [`config_label=${s.label}`], representation: '6N2' }).observations;
      const a2 = approach2(obs, { window: 0, method: 'spline', keepUnbracketed: true });
      for (const b of s.budgets) {
        const i = a2.optima.findIndex((o) => Math.abs(o.budget / b.budget - 1) < 1e-9);
        const p = a2.prepared[i];
        // Their argmin is on a geometric grid of (n − 1)·25 points over the budget's N range.
        const step = (p.scales[p.scales.length - 1].x - p.scales[0].x) / ((p.scales.length - 1) * 25);
        expect(Math.abs(Math.log10(a2.optima[i].scaleOpt / 6 / b.argminN))).toBeLessThanOrEqual(0.51 * step);
        compared++;
      }
    }
    expect(compared).toBe(177);
  });
});
