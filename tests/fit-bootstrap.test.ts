// Bootstrap: percentile arithmetic, determinism by seed, and coverage of the true exponent in seeded repeats.
import { describe, expect, it } from 'vitest';
import { optimumWeights, percentileInterval, quantile, runBootstrap } from '../src/fit/bootstrap.ts';
import { DEFAULT_FIT_OPTIONS, fitObservations } from '../src/fit/fit.ts';
import { fitPowerLaw } from '../src/fit/powerlaw.ts';
import { approach2, prepareBudgets } from '../src/fit/approach2.ts';
import { fitLossCurve } from '../src/fit/losscurve.ts';
import { EQ1, chinchillaOptimum, hyperGridRuns, isoflopRuns, lawWithExponent } from '../src/fit/synthetic.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
const law = lawWithExponent(0.5243);

function boot(seed: number, resamples: number, bootSeed = 1, withLoss = true) {
  const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 10, spanDecades: 1.4, shift: 0.15, noise: 0.003, seed });
  const a2 = approach2(obs, { window: 0 });
  const lossWarm = !withLoss ? undefined : fitLossCurve(a2.optima.map((o) => o.budget), a2.optima.map((o) => o.lossOpt));
  const b = runBootstrap({ prepared: a2.prepared, used: a2.optima.map((o) => !o.dropped), lossWarm, targets: [], representation: 'M', resamples, seed: bootSeed, level: 0.95 });
  return { a2, b };
}

describe('bootstrap', () => {
  it('quantiles interpolate linearly; the 95% interval of 0…100 is [2.5, 97.5]', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    const [lo, hi] = percentileInterval(Array.from({ length: 101 }, (_, i) => 100 - i), 0.95);
    expect(lo).toBeCloseTo(2.5, 10);
    expect(hi).toBeCloseTo(97.5, 10);
  });

  it('bands of the fitted curves: contain the true law inside the data, and widen when extrapolated', () => {
    const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 10, spanDecades: 1.4, shift: 0.15, noise: 0.003, seed: 4 });
    const a2 = approach2(obs, { window: 0 });
    const lossWarm = fitLossCurve(a2.optima.map((o) => o.budget), a2.optima.map((o) => o.lossOpt));
    const grid = [1e17, 1e18, 1e19, 1e20, 1e22, 1e24];
    const b = runBootstrap({ prepared: a2.prepared, used: a2.optima.map((o) => !o.dropped), lossWarm, targets: [], representation: 'M', resamples: 200, seed: 1, level: 0.95, bandComputes: grid });
    const scale = b.bands.scale!;
    expect(scale.map((p) => p.compute)).toEqual(grid);
    for (const p of scale) expect(p.lo).toBeLessThan(p.hi);
    // The generating optimum lies inside the band where there is data (1e17–3e20).
    const truth = (C: number) => chinchillaOptimum(law, C).M;
    for (const p of scale.slice(0, 4)) {
      expect(truth(p.compute)).toBeGreaterThan(p.lo * 0.97);
      expect(truth(p.compute)).toBeLessThan(p.hi * 1.03);
    }
    const rel = (p: { lo: number; hi: number }) => Math.log(p.hi / p.lo);
    expect(rel(scale[5])).toBeGreaterThan(2 * rel(scale[2])); // 1e24 is 4 decades beyond the data
    expect(b.bands.loss!.length).toBe(grid.length);
  });

  it('is deterministic for a seed and brackets the point estimate', () => {
    const x = boot(1, 100);
    const y = boot(1, 100);
    expect(x.b.intervals['scale.exponent']).toEqual(y.b.intervals['scale.exponent']);
    const [lo, hi] = x.b.intervals['scale.exponent'];
    expect(lo).toBeLessThan(x.a2.scale!.exponent);
    expect(hi).toBeGreaterThan(x.a2.scale!.exponent);
    expect(boot(1, 100, 2).b.intervals['scale.exponent']).not.toEqual(x.b.intervals['scale.exponent']);
    for (let i = 0; i < BUDGETS.length; i++) {
      const [l, h] = x.b.intervals[`budget.${i}.scaleOpt`];
      expect(l).toBeLessThanOrEqual(x.a2.optima[i].scaleOpt * 1.0001);
      expect(h).toBeGreaterThanOrEqual(x.a2.optima[i].scaleOpt * 0.9999);
    }
    expect(x.b.intervals['loss.gamma'][0]).toBeLessThan(x.b.intervals['loss.gamma'][1]);
  });

  it('the 95% interval of a covers the generating 0.5243 in at least 7 of 10 seeded datasets', () => {
    let covered = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const [lo, hi] = boot(100 + seed, 200, 1, false).b.intervals['scale.exponent'];
      if (lo <= 0.5243 && 0.5243 <= hi) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(7);
  });

  it('the 95% intervals of the Eq. 1 exponents p and q cover the generating values in at least 7 of 10 seeded grids', () => {
    let p = 0;
    let q = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const obs = hyperGridRuns({ budgets: [1e17, 3e17, 1e18, 3e18, 1e19, 2e19], perAxis: 11, stepDecades: 0.1, bowl: { lrCurvature: 0.08, batchCurvature: 0.05 }, noise: 0.001, seed: 50 + seed });
      const prepared = prepareBudgets(obs, 0);
      const b = runBootstrap({ prepared, used: prepared.map(() => false), allocation: false, hyper: { threshold: 0.0025, lr: true, batch: true }, targets: [], representation: 'M', resamples: 200, seed: 1, level: 0.95 });
      const [lo, hi] = b.intervals['lr.exponent'];
      const [lq, hq] = b.intervals['batch.exponent'];
      if (lo <= EQ1.lr.p && EQ1.lr.p <= hi) p++;
      if (lq <= EQ1.batch.q && EQ1.batch.q <= hq) q++;
      expect(b.intervals['scale.exponent']).toBeUndefined();
    }
    expect(p).toBeGreaterThanOrEqual(7);
    expect(q).toBeGreaterThanOrEqual(7);
  });

  it('1/σ² optimum weights: σ = each optimum’s bootstrap spread (floored at a third of the grid spacing); the law is the weighted fit', () => {
    const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.6, shift: 0.1, noise: 0.003, seed: 8 });
    const r = fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, bootstrap: 100, approach3: false, optimaWeights: 'bootstrap' });
    const w = r.details!.optimaWeights!.weights!;
    // The same first pass by hand: its spreads, the floor, and a weighted least-squares power law through the optima.
    const a2 = approach2(obs, { window: 0 });
    const first = runBootstrap({ prepared: a2.prepared, used: a2.used, targets: [], representation: 'M', resamples: 100, seed: 2, level: 0.95, optimaOnly: true });
    const expected = optimumWeights(a2.prepared, first.optimumSpread);
    w.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 8));
    expect(new Set(w.map((x) => x.toFixed(3))).size).toBeGreaterThan(3);
    const weighted = fitPowerLaw(a2.optima.map((o) => o.budget), a2.optima.map((o) => o.scaleOpt), expected)!;
    expect(r.laws.scale!.exponent).toBeCloseTo(weighted.exponent, 10);
    expect(r.provenance.method).toMatch(/1\/σ²-weighted/);
    // The floor: with no spread at all, σ = spacing/3 (decades) → weight 9/spacing².
    const spacing = 1.6 / 8;
    expect(optimumWeights(a2.prepared, a2.prepared.map(() => 0))[0]).toBeCloseTo(9 / (spacing * spacing), 6);
  });

  it('budgets with one run each are resampled as one pool (else every resample would repeat the data)', () => {
    const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.6, noise: 0.003, seed: 5 }).map((o, i) => ({ ...o, budget: o.budget * (1 + i * 1e-6) }));
    const a2 = approach2(obs, { window: 0 });
    expect(a2.prepared.every((p) => p.obs.length === 1)).toBe(true);
    const b = runBootstrap({ prepared: a2.prepared, used: a2.used, allocation: false, hyper: undefined, targets: [], representation: 'M', resamples: 20, seed: 1, level: 0.95, optimaOnly: true });
    expect(b.pooledSingletons).toBe(obs.length);
  });
});

