// Hyperparameter laws (paper Eq. 1): near-optimal selection and exponents recovered from LR × batch grids around known laws.
import { describe, expect, it } from 'vitest';
import { fitHyper, selectNearOptimal } from '../src/fit/hyper.ts';
import { hyperGridRuns, EQ1 } from '../src/fit/synthetic.ts';
import type { Observation } from '../src/fit/types.ts';
import { makeRng } from '../src/util/rng.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 2e19];

describe('near-optimal hyperparameter laws', () => {
  it('selects runs with loss ≤ (1 + threshold)·budget minimum', () => {
    const mk = (budget: number, loss: number, i: number): Observation => ({ runId: `r${i}`, dataset: 't', budget, compute: budget, scale: 1e8, tokens: budget / 1e8, loss, lr: 1e-3, source: { file: 't', line: i } });
    const obs = [mk(1e18, 2.0, 0), mk(1e18, 2.005, 1), mk(1e18, 2.0051, 2), mk(1e19, 1.8, 3), mk(1e19, 1.9, 4)];
    expect(selectNearOptimal(obs, 0.0025).map((o) => o.runId)).toEqual(['r0', 'r1', 'r3']);
  });

  it('recovers Eq. 1 exponents (p = −0.125, q = 0.3271) within ±0.03 through all near-optimal points, several seeds', () => {
    for (const seed of [1, 2, 3]) {
      const obs = hyperGridRuns({ budgets: BUDGETS, perAxis: 11, stepDecades: 0.1, bowl: { lrCurvature: 0.08, batchCurvature: 0.05 }, noise: 0.001, seed });
      const h = fitHyper(obs, 0.0025, 'compute');
      expect(h.nearOptimal.length).toBeGreaterThan(BUDGETS.length * 3);
      expect(Math.abs(h.lr!.exponent - EQ1.lr.p)).toBeLessThan(0.03);
      expect(Math.abs(h.batch!.exponent - EQ1.batch.q)).toBeLessThan(0.03);
      // The coefficient reproduces the law inside the data range within 15%.
      expect(Math.abs((h.lr!.coefficient * 1e18 ** h.lr!.exponent) / (EQ1.lr.k * 1e18 ** EQ1.lr.p) - 1)).toBeLessThan(0.15);
    }
  });

  it('fits no law for a hyperparameter the runs never varied within a budget (it would only echo the plan)', () => {
    // An IsoFLOP grid: model sizes vary, LR and batch per budget come from Eq. 1 and are the same for every run of a budget.
    const obs: Observation[] = [];
    let i = 0;
    for (const C of [1e17, 1e18, 1e19]) for (const scale of [1e8, 2e8, 4e8]) {
      obs.push({ runId: `r${i}`, dataset: 't', budget: C, compute: C, scale, tokens: C / scale, loss: 2 + Math.abs(Math.log(scale / 2e8)), lr: EQ1.lr.k * C ** EQ1.lr.p, batchTokens: EQ1.batch.k * C ** EQ1.batch.q, source: { file: 't', line: i++ } });
    }
    const h = fitHyper(obs, 0.0025, 'compute');
    expect(h.lr).toBeUndefined();
    expect(h.batch).toBeUndefined();
    const notSwept = h.warnings.find((w) => w.code === 'hyper-not-swept')!;
    expect(notSwept.message).toMatch(/learning rate was not varied/);
    expect(notSwept.message).toMatch(/batch size was not varied/);
    expect(notSwept.laws).toEqual(['lr', 'batch']);
    expect(h.swept).toEqual({ lr: false, batch: false });
  });

  it('other generating exponents too (p = −0.3, q = 0.15)', () => {
    const obs = hyperGridRuns({ budgets: BUDGETS, perAxis: 11, stepDecades: 0.1, bowl: { lrCurvature: 0.08, batchCurvature: 0.05 }, noise: 0.001, seed: 9, lr: { k: 5, p: -0.3 }, batch: { k: 30, q: 0.15 } });
    const h = fitHyper(obs, 0.0025, 'compute');
    expect(Math.abs(h.lr!.exponent + 0.3)).toBeLessThan(0.03);
    expect(Math.abs(h.batch!.exponent - 0.15)).toBeLessThan(0.03);
  });

  it('Step Law form recovers η = k·N^α·D^β and B = k·D^γ', () => {
    const r = makeRng(2);
    const obs: Observation[] = [];
    let i = 0;
    for (const N of [1e8, 3e8, 1e9]) for (const D of [1e10, 4e10, 2e11]) {
      const lr = 1.79 * N ** -0.713 * D ** 0.307;
      const B = 0.58 * D ** 0.571;
      for (let k = 0; k < 3; k++) obs.push({ runId: `s${i}`, dataset: 't', budget: 6 * N * D, compute: 6 * N * D, scale: 6 * N, tokens: D, params: N, loss: 2 + 0.001 * k, lr: lr * Math.exp(0.01 * r.normal()), batchTokens: B * Math.exp(0.01 * r.normal()), source: { file: 't', line: i++ } });
    }
    const h = fitHyper(obs, 0.0025, 'steplaw');
    expect(h.stepLaw!.lrExponentN).toBeCloseTo(-0.713, 1);
    expect(Math.abs(h.stepLaw!.lrExponentN + 0.713)).toBeLessThan(0.03);
    expect(Math.abs(h.stepLaw!.lrExponentD - 0.307)).toBeLessThan(0.03);
    expect(Math.abs(h.stepLaw!.batchExponentD! - 0.571)).toBeLessThan(0.03);
    // Without a batch column the learning-rate part is still fitted (and the batch part is said to be missing).
    const noBatch = fitHyper(obs.map(({ batchTokens: _b, ...o }) => o), 0.0025, 'steplaw');
    expect(Math.abs(noBatch.stepLaw!.lrExponentN + 0.713)).toBeLessThan(0.03);
    expect(noBatch.stepLaw!.batchExponentD).toBeUndefined();
    expect(noBatch.warnings.find((w) => w.code === 'steplaw-underdetermined')!.message).toMatch(/learning-rate part only/);
  });

  it('a budget holding several swept (N, D) groups selects near-optimal runs within each group (Step Law procedure), with a note', () => {
    // Budget 1e19 holds two models, each with an LR sweep; the second model is 1% worse at its best: a budget-wide 0.25% cut would
    // drop all of its runs. Budget 1e20 holds one model.
    const obs: Observation[] = [];
    let i = 0;
    const sweep = (C: number, scale: number, base: number, lrOpt: number) => {
      for (const k of [-2, -1, 0, 1, 2]) obs.push({ runId: `g${i}`, dataset: 't', budget: C, compute: C, scale, tokens: C / scale, lr: lrOpt * 2 ** k, loss: base * (1 + 0.01 * k * k), source: { file: 't', line: i++ } });
    };
    sweep(1e19, 1e9, 2.5, 3e-3);
    sweep(1e19, 4e9, 2.525, 1e-3);
    sweep(1e20, 3e9, 2.3, 1e-3);
    const h = fitHyper(obs, 0.0025, 'compute');
    expect(h.perGroup).toBe(true);
    expect(h.nearOptimal.map((o) => o.lr)).toEqual([3e-3, 1e-3, 1e-3]);
    expect(h.warnings.find((w) => w.code === 'hyper-per-group')!.message).toMatch(/2 groups/);
    // Budget-wide selection (the second model removed) keeps only the first model's optimum at 1e19.
    const single = fitHyper(obs.filter((o) => o.scale !== 4e9), 0.0025, 'compute');
    expect(single.perGroup).toBe(false);
    expect(single.nearOptimal.map((o) => o.lr)).toEqual([3e-3, 1e-3]);
  });

  it('an LR that differs between models but never within one (a size schedule, a ladder) is rule-set: no law', () => {
    // Two sizes per budget, one run each, each size its own LR: varied within budgets, but not within any (N, D) group.
    const obs: Observation[] = [];
    let i = 0;
    for (const C of [1e18, 1e19, 1e20]) for (const scale of [1e8, 4e8]) obs.push({ runId: `l${i}`, dataset: 't', budget: C, compute: C, scale, tokens: C / scale, lr: 0.01 / Math.sqrt(scale / 1e8), loss: 3 - i * 0.01, source: { file: 't', line: i++ } });
    const h = fitHyper(obs, 0.0025, 'compute');
    expect(h.swept.lr).toBe(false);
    expect(h.lr).toBeUndefined();
    expect(h.warnings.find((w) => w.code === 'hyper-not-swept')!.message).toMatch(/learning rate was not varied within any \(N, D\) group/);
  });

  it('warns instead of fitting with near-optimal runs at a single budget', () => {
    const obs = hyperGridRuns({ budgets: [1e18], perAxis: 5, stepDecades: 0.2, bowl: { lrCurvature: 0.08, batchCurvature: 0.05 }, noise: 0.001, seed: 1 });
    const h = fitHyper(obs, 0.0025, 'compute');
    expect(h.lr).toBeUndefined();
    expect(h.warnings.find((w) => w.code === 'hyper-one-budget')!.message).toMatch(/only 1 budget/);
  });
});
