// The orchestrator end to end on synthetic runs: a laws file that validates, with intervals, details for reports, provenance, and
// warnings carried through; bad observations raise an InputError naming file and line.
import { describe, expect, it } from 'vitest';
import { fitObservations, DEFAULT_FIT_OPTIONS, dataHash } from '../src/fit/fit.ts';
import { hyperGridRuns, isoflopRuns, lawWithExponent } from '../src/fit/synthetic.ts';
import { validateLaws } from '../src/schema/laws.ts';
import { InputError } from '../src/util/errors.ts';
import type { Observation } from '../src/fit/types.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
const law = lawWithExponent(0.5243);
const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 8, spanDecades: 1.4, shift: 0.15, noise: 0.002, seed: 3, hyper: { lrCurvature: 0.03, batchCurvature: 0.02, spread: 0.4 }, reps: true });

describe('fitObservations', () => {
  const laws = fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset: 'synthetic', name: 'syn', bootstrap: 100, holdoutLargest: 2, predict: ['7b', '1e21'] });
  const d = laws.details!;

  it('writes a laws file that validates after a JSON round trip', () => {
    const back = validateLaws(JSON.parse(JSON.stringify(laws)), 'mem.json');
    expect(back.name).toBe('syn');
    expect(back.dataset).toBe('synthetic');
    expect(back.representation).toBe('M');
    expect(back.units.loss).toBe('bits-per-byte');
    expect(back.ciLevel).toBe(0.95);
  });

  it('fills every law with bootstrap intervals that bracket the estimate', () => {
    for (const k of ['scale', 'data'] as const) {
      const l = laws.laws[k]!;
      expect(l.ci!.exponent[0]).toBeLessThanOrEqual(l.exponent);
      expect(l.ci!.exponent[1]).toBeGreaterThanOrEqual(l.exponent);
    }
    expect(Math.abs(laws.laws.scale!.exponent - 0.5243)).toBeLessThan(0.03);
    expect(laws.laws.loss!.form).toBe('offset-power');
    expect(laws.laws.loss!.ci!.gamma[0]).toBeLessThan(laws.laws.loss!.ci!.gamma[1]);
    expect(d.lossPower!.form).toBe('power');
    // The runs' LR and batch differ from run to run but never within one (N, D): no sweep, so no Eq. 1 law — and it says why.
    expect(laws.laws.lr).toBeUndefined();
    expect(d.diagnostics!.find((w) => w.code === 'hyper-not-swept')!.laws).toEqual(['lr', 'batch']);
  });

  it('details: optima with parabolas and CIs, points, near-optimal runs, approach 3, representations, window stability', () => {
    expect(d.optima).toHaveLength(8);
    for (const o of d.optima) {
      expect(o.parabola!.c2).toBeGreaterThan(0);
      const x = Math.log10(o.scaleOpt);
      expect(o.parabola!.c0 + o.parabola!.c1 * x + o.parabola!.c2 * x * x).toBeCloseTo(o.lossOpt, 8);
      expect(o.ci!.scaleOpt![0]).toBeLessThanOrEqual(o.scaleOpt * 1.0001);
    }
    expect(d.points).toHaveLength(obs.length);
    expect(d.hyper!.nearOptimal.length).toBe(d.points.filter((p) => p.nearOptimal).length);
    expect(d.approach3!.scaleVariable).toBe('M');
    expect(d.approach3!.starts).toBe(4500);
    expect(Math.abs(d.approach3!.a - 0.5243)).toBeLessThan(0.05);
    expect(d.approach3!.ci!.alpha[0]).toBeLessThan(d.approach3!.ci!.alpha[1]);
    expect(d.representations!.map((r) => r.representation)).toEqual(['M', '6N1', '6N2']);
    expect(d.windowStability!.map((w) => `${w.method ?? ''}${w.window}`)).toEqual(['0', '3', '5', '7', '8', 'spline0']);
    expect(d.bootstrap).toMatchObject({ resamples: 100, seed: 1, level: 0.95 });
  });

  it('predictions carry intervals; backtest holds out the 2 largest budgets', () => {
    const [p7, p21] = d.predictions!;
    expect(p7.label).toBe('7b');
    expect(p7.lossInterval![0]).toBeLessThanOrEqual(p7.loss!);
    expect(p7.lossInterval![1]).toBeGreaterThanOrEqual(p7.loss!);
    expect(p7.approach3!.lossInterval![0]).toBeLessThan(p7.approach3!.loss);
    expect(p7.approach3!.lossInterval![1]).toBeGreaterThan(p7.approach3!.loss);
    expect(p21.compute).toBe(1e21);
    expect(p21.scaleInterval![0]).toBeLessThan(p21.scaleInterval![1]);
    expect(d.backtest!.heldOut).toEqual([1e20, 3e20]);
  });

  it('provenance: tool version, method, options, seed and an order-independent data hash', () => {
    const p = laws.provenance;
    expect(p.source).toBe('scaling fit');
    expect(p.tool).toMatch(/^scaling \d+\.\d+\.\d+/);
    expect(p.method).toMatch(/approach 2|IsoFLOP/);
    expect(p.seed).toBe(1);
    expect(p.options).toMatchObject({ bootstrap: 100, holdoutLargest: 2 });
    expect(p.dataHash).toBe(dataHash([...obs].reverse()));
    expect(p.dataHash).not.toBe(dataHash(obs.slice(1)));
  });

  it('carries warnings and skips what the data cannot support', () => {
    const few: Observation[] = obs.filter((o) => o.budget !== 1e17 || o.scale < obs[2].scale);
    const r = fitObservations(few, { ...DEFAULT_FIT_OPTIONS, bootstrap: 0, approach3: false });
    const dropped = r.details!.diagnostics!.find((w) => w.code === 'too-few-scales')!;
    expect(dropped.budgets).toEqual([1e17]);
    expect(dropped.message).toBe('budget 1.00e17: only 2 distinct scales (fewer than 3): budget dropped');
    expect(r.details!.warnings.some((w) => /budget dropped.*\[too-few-scales\]$/.test(w))).toBe(true);
    expect(r.details!.optima[0].dropped).toBe(true);
    expect(r.details!.approach3).toBeUndefined();
    expect(r.laws.scale!.ci).toBeUndefined();
  });

  it('LR × batch grids at one scale per budget: no allocation law, but Eq. 1 laws with intervals and no spurious warnings', () => {
    const grid = hyperGridRuns({ budgets: [1e17, 1e18, 1e19], perAxis: 7, stepDecades: 0.15, bowl: { lrCurvature: 0.08, batchCurvature: 0.05 }, noise: 0.001, seed: 2 });
    const r = fitObservations(grid, { ...DEFAULT_FIT_OPTIONS, bootstrap: 50, approach3: false });
    expect(r.laws.scale).toBeUndefined();
    expect(r.laws.lr!.ci!.exponent[0]).toBeLessThanOrEqual(r.laws.lr!.exponent);
    expect(r.laws.batch!.ci!.exponent[1]).toBeGreaterThanOrEqual(r.laws.batch!.exponent);
    expect(r.details!.warnings.filter((w) => /bootstrap/.test(w))).toEqual([]);
    expect(r.details!.optima.every((o) => o.dropped)).toBe(true);
  });

  it('rejects no observations and non-positive values with an InputError naming file and line', () => {
    expect(() => fitObservations([], DEFAULT_FIT_OPTIONS)).toThrow(InputError);
    const bad = obs.map((o, i) => (i === 5 ? { ...o, loss: -1, source: { file: 'runs/a.csv', line: 7 } } : o));
    expect(() => fitObservations(bad, DEFAULT_FIT_OPTIONS)).toThrow(/runs\/a\.csv:7: .*loss -1/);
  });
});
