// Approach 2 on synthetic IsoFLOP data from known laws: the exponent a = 0.5243, the paper's M_opt(1e17) = 1.40e8, the window
// rule and every warning (dropped, few points, not bracketed, non-positive curvature, one decade, duplicate scales).
import { describe, expect, it } from 'vitest';
import { approach2, autoWindow, prepareBudgets, windowRange } from '../src/fit/approach2.ts';
import { chinchillaOptimum, eq4Runs, isoflopRuns, lawWithExponent } from '../src/fit/synthetic.ts';
import type { Observation } from '../src/fit/types.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];

function run(budget: number, scale: number, loss: number, i: number): Observation {
  return { runId: `r${i}`, dataset: 't', budget, compute: budget, scale, tokens: budget / scale, loss, source: { file: 't.csv', line: i + 2 } };
}

describe('approach 2', () => {
  it('recovers a = 0.5243 from a Chinchilla-style law with 0.3% noise: mean error < 0.01, each of 6 seeds within 0.03 (≈ 3 sd)', () => {
    const law = lawWithExponent(0.5243);
    const errs: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 10, spanDecades: 1.4, shift: 0.15, noise: 0.003, seed });
      const r = approach2(obs, { window: 0 });
      errs.push(r.scale!.exponent - 0.5243);
      expect(Math.abs(r.scale!.exponent - 0.5243)).toBeLessThan(0.03);
      expect(Math.abs(r.data!.exponent - 0.4757)).toBeLessThan(0.03);
      expect(r.scale!.exponent + r.data!.exponent).toBeCloseTo(1, 10);
      // Each optimum near the law's own (closed form): within 25% with 5 noisy points per parabola.
      for (const o of r.optima) expect(Math.abs(o.scaleOpt / chinchillaOptimum(law, o.budget).M - 1)).toBeLessThan(0.25);
    }
    expect(Math.abs(errs.reduce((a, b) => a + b, 0) / errs.length)).toBeLessThan(0.01);
  });

  it('paper reference: optima generated from Eq. 4 give M_opt(1e17) ≈ 1.40e8 within 2%, D_opt(1e17) ≈ 7.1e8', () => {
    const obs = eq4Runs({ budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.2, curvature: 0.08, noise: 0.001, seed: 4, lossLaw: { E: 0.5, A: 30, gamma: 0.06 } });
    const r = approach2(obs, { window: 0 });
    const m17 = r.scale!.coefficient * 1e17 ** r.scale!.exponent;
    expect(Math.abs(m17 / 1.4e8 - 1)).toBeLessThan(0.02);
    const d17 = r.data!.coefficient * 1e17 ** r.data!.exponent;
    expect(Math.abs(d17 / 7.1e8 - 1)).toBeLessThan(0.03);
    expect(r.warnings).toEqual([]);
  });

  it('auto window: all points up to 6, else max(6, ⌈2n/3⌉) around the lowest loss, balanced near an edge', () => {
    expect([3, 5, 6, 7, 9, 10, 20].map(autoWindow)).toEqual([3, 5, 6, 6, 6, 7, 14]);
    const losses = [3.0, 2.6, 2.4, 2.35, 2.5, 2.7, 2.9, 3.2, 3.6];
    const p = prepareBudgets(losses.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 0)[0];
    expect(p.window).toEqual([1, 6]);
    const edge = prepareBudgets(losses.map((l, i) => run(1e18, 1e8 * 2 ** i, i === 0 ? 1 : l, i)), 0)[0];
    expect(edge.window).toEqual([0, 5]);
    expect(prepareBudgets(losses.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 5)[0].window).toEqual([1, 5]);
    expect(prepareBudgets(losses.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 7)[0].window).toEqual([0, 6]);
    // Minimum next to the left edge (index 1): one point on its left, two on its right — not a 6-point block [0, 5] leaning right.
    const nearEdge = [2.5, 2.3, 2.4, 2.6, 2.8, 3.0, 3.3, 3.6, 4.0];
    expect(prepareBudgets(nearEdge.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 0)[0].window).toEqual([0, 3]);
    // Index 2 of 9 with window 6: 2 on the left, 3 on the right.
    const two = [2.6, 2.45, 2.3, 2.4, 2.6, 2.8, 3.0, 3.3, 3.6];
    expect(prepareBudgets(two.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 0)[0].window).toEqual([0, 5]);
    expect(windowRange(prepareBudgets(two.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 0)[0].scales, 5)).toEqual([0, 4]);
    // The spline uses every scale.
    expect(prepareBudgets(losses.map((l, i) => run(1e18, 1e8 * 2 ** i, l, i)), 0, 'spline')[0].window).toEqual([0, 8]);
  });

  it('warns: budget with < 3 scales dropped, < 5 scales, minimum not bracketed, one decade of compute', () => {
    const obs: Observation[] = [];
    let i = 0;
    // 1e18: two scales → dropped. 1e19: four scales, monotone (minimum at the largest scale). 3e19: good parabola.
    obs.push(run(1e18, 1e8, 3, i++), run(1e18, 2e8, 2.9, i++));
    for (const [s, l] of [[1e8, 3.2], [2e8, 3.0], [4e8, 2.9], [8e8, 2.85]]) obs.push(run(1e19, s, l, i++));
    for (const k of [-2, -1, 0, 1, 2, 3]) obs.push(run(3e19, 1e9 * 2 ** k, 2.5 + 0.02 * k * k, i++));
    const r = approach2(obs, { window: 0 });
    const [b18, b19, b3e19] = r.optima;
    expect(b18.dropped).toBe(true);
    expect(b18.warnings.join()).toMatch(/fewer than 3\): budget dropped/);
    expect(b19.warnings.join()).toMatch(/fewer than 5/);
    expect(b19.bracketed).toBe(false);
    expect(b19.excluded).toBe(true);
    expect(b19.codes).toContain('unbracketed');
    expect(b19.warnings.join()).toMatch(/not bracketed/);
    expect(b3e19.bracketed).toBe(true);
    expect(b3e19.scaleOpt).toBeCloseTo(1e9, -3);
    // One warning per code, naming its budgets, saying what to do.
    const code = (c: string) => r.warnings.find((w) => w.code === c)!;
    expect(code('too-few-scales').budgets).toEqual([1e18]);
    expect(code('unbracketed').budgets).toEqual([1e19]);
    expect(code('unbracketed').action).toMatch(/add scale above 8\.00e8 \(e\.g\. 1\.60e9\) at 1\.00e19/);
    expect(code('unbracketed').action).toMatch(/--keep-unbracketed/);
    // Only 1 budget left in the laws: no allocation law, and the reason is named.
    expect(r.scale).toBeUndefined();
    expect(code('too-few-budgets').laws).toEqual(['scale', 'data', 'loss']);
    expect(new Set(r.warnings.map((w) => w.code)).size).toBe(r.warnings.length);
    // --keep-unbracketed keeps the edge budget in the laws (2 budgets), still not a resolved one.
    const kept = approach2(obs, { window: 0, keepUnbracketed: true });
    expect(kept.used).toEqual([false, true, true]);
    expect(kept.scale).toBeDefined();
    expect(kept.resolved).toBe(1);
    expect(kept.warnings.some((w) => w.code === 'short-span')).toBe(true);
  });

  it('non-positive curvature falls back to the best point, flagged', () => {
    const obs = [2.4, 2.45, 2.5, 2.6, 2.7].map((l, i) => run(1e19, 1e8 * 2 ** i, i === 0 ? 2.3 : 2.3 + 0.05 * Math.sqrt(i), i));
    const r = approach2(obs, { window: 0 });
    expect(r.optima[0].warnings.join()).toMatch(/non-positive curvature/);
    expect(r.optima[0].excluded).toBe(true);
    expect(r.optima[0].scaleOpt).toBe(1e8);
    expect(r.optima[0].lossOpt).toBe(2.3);
  });

  it('several runs at one scale enter once, at their lowest loss, with a warning', () => {
    const obs: Observation[] = [];
    let i = 0;
    for (const k of [-2, -1, 0, 1, 2]) {
      obs.push(run(1e19, 1e9 * 2 ** k, 2.5 + 0.02 * k * k, i++));
      obs.push(run(1e19, 1e9 * 2 ** k, 2.6 + 0.02 * k * k, i++));
    }
    const r = approach2(obs, { window: 0 });
    expect(r.optima[0].points).toBe(5);
    expect(r.optima[0].lossOpt).toBeCloseTo(2.5, 10);
    expect(r.optima[0].warnings.join()).toMatch(/10 runs at 5 distinct scales/);
  });
});
