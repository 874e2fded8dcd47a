// The fitter against published results on the public runs: Porian et al.'s 15 settings inside the paper's 95% intervals for a,
// Step Law's per-(N, D) selection reproducing the authors' procedure, the OLMo 2 ladder predicting the 7B/13B losses it was not fitted
// on, and approaches 2 and 3 flagged when they disagree (Misfitting).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approach2 } from '../src/fit/approach2.ts';
import { loadObservations, type InputOptions } from '../src/fit/input/load.ts';
import { DEFAULT_FIT_OPTIONS, fitObservations } from '../src/fit/fit.ts';
import type { FitOptions } from '../src/fit/types.ts';
import { REPO } from './helpers/cli.ts';

const FIX = join(REPO, 'tests/fixtures/public-runs');
const load = (file: string, input: InputOptions) => loadObservations([join(FIX, file)], input);
const fit = (file: string, input: InputOptions, o: Partial<FitOptions>) => {
  const l = load(file, input);
  return fitObservations(l.observations, { ...DEFAULT_FIT_OPTIONS, dataset: l.dataset, representation: l.representation, lossUnits: l.lossUnits, approach3Scale: 'N', ...o });
};

describe('Porian et al. (2024), 15 IsoFLOP settings', () => {
  const ref = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/porian2024-published-a.json'), 'utf8')) as { settings: { label: string; a: number; ci: [number, number] }[] };
  const cols = ['N=n_params', 'D=tokens', 'C=flops', 'budget=flops', 'loss=loss'];
  const a = (label: string, method: 'parabola' | 'spline') => approach2(load('porian2024_isoflop_points.csv', { columns: cols, filters: [`config_label=${label}`], representation: '6N2' }).observations, { window: 0, method }).scale!.exponent;

  it("--optimum spline (the authors' estimator, unbracketed budgets excluded): all 15 inside the published interval, |Δa| < 0.02", () => {
    expect(ref.settings).toHaveLength(15);
    for (const s of ref.settings) {
      const v = a(s.label, 'spline');
      expect(v, s.label).toBeGreaterThanOrEqual(s.ci[0]);
      expect(v, s.label).toBeLessThanOrEqual(s.ci[1]);
      expect(Math.abs(v - s.a), s.label).toBeLessThan(0.02);
    }
  });

  it('the default parabola (balanced windows, unbracketed budgets excluded) lands inside in at least 10 of 15, within 0.03 of each', () => {
    let inside = 0;
    for (const s of ref.settings) {
      const v = a(s.label, 'parabola');
      if (v >= s.ci[0] && v <= s.ci[1]) inside++;
      expect(Math.abs(v - s.a), s.label).toBeLessThan(0.03);
    }
    expect(inside).toBeGreaterThanOrEqual(10);
  });
});

describe('Step Law (Li et al. 2025): near-optimal runs per (N, D) group', () => {
  // The authors' procedure (their code/fit_tool.py) on this CSV, computed independently: group by (N, D), keep |loss/min − 1| < 0.0025,
  // least squares ln η = c + cN·ln N + cD·ln D and ln B = c' + γ·ln D (B in tokens): cN −0.7662, cD 0.1970, γ 0.6125 over 129 runs.
  const input: InputOptions = { columns: ['N=N', 'D=D', 'loss=smooth loss', 'lr=lr', 'batch=bs'], batchUnit: 'sequences:2048', snap: 0.01, representation: '6N1' };
  it('the documented command (budgets snapped within 1%, four groups sharing one) selects per group: cN, cD, γ as the authors, with intervals', () => {
    const laws = fit('steplaw_dense_lr_bs_loss.csv', input, { hyperForm: 'steplaw', approach3: false, bootstrap: 200 });
    const h = laws.details!.hyper!;
    expect(h.perGroup).toBe(true);
    expect(h.nearOptimal).toHaveLength(129);
    expect(h.stepLaw!.lrExponentN).toBeCloseTo(-0.7662, 3);
    expect(h.stepLaw!.lrExponentD).toBeCloseTo(0.197, 3);
    expect(h.stepLaw!.batchExponentD).toBeCloseTo(0.6125, 3);
    for (const k of ['lrExponentN', 'lrExponentD', 'batchExponentD'] as const) {
      const [lo, hi] = h.stepLawCi![k];
      expect(lo).toBeLessThan(h.stepLaw![k]);
      expect(hi).toBeGreaterThan(h.stepLaw![k]);
      expect(hi - lo).toBeLessThan(0.4);
    }
    expect(laws.details!.diagnostics!.some((w) => w.code === 'hyper-per-group')).toBe(true);
  });
});

describe('OLMo 2 ladder: fitted on the ladder only, predicting the released 7B and 13B', () => {
  it('approach 3 predicts the c4 losses of the 7B (3.95T tokens) and 13B (5.0T) within 1%, inside its intervals; LR by rule → no law', () => {
    const targets = 'OLMo-2-7B:N=6887575552,D=3945065873408,L=2.4829183 OLMo-2-13B:N=13202396160,D=5000088518656,L=2.4375818';
    const laws = fit('olmo_ladder_final.csv', { columns: ['N=n_params_nonembed', 'D=tokens', 'loss=c4_en_val_loss', 'lr=lr_peak', 'batch=batch_size_tokens'], filters: ['source_file~xC'], representation: '6N1' },
      { predict: targets.split(' '), bootstrap: 200, holdoutLargest: 2 });
    const d = laws.details!;
    expect(d.points).toHaveLength(25);
    const [p7, p13] = d.predictions!.map((p) => p.approach3!);
    for (const [p, released] of [[p7, 2.4829183], [p13, 2.4375818]] as const) {
      expect(Math.abs(p.error!)).toBeLessThan(0.01);
      expect(p.observed).toBe(released);
      expect(p.lossInterval![0]).toBeLessThan(released);
      expect(p.lossInterval![1]).toBeGreaterThan(released);
    }
    // The ladder has one run per budget: the pooled bootstrap still gives approach 3 non-zero intervals.
    expect(d.bootstrap!.pooledSingletons).toBeGreaterThan(10);
    expect(d.approach3!.ci!.alpha[1] - d.approach3!.ci!.alpha[0]).toBeGreaterThan(0.01);
    // OLMo's LR and batch follow a size schedule (one value per model): no law, and it says why.
    expect(laws.laws.lr).toBeUndefined();
    expect(d.diagnostics!.find((w) => w.code === 'hyper-not-swept')!.laws).toEqual(['lr', 'batch']);
    expect(d.backtest!.approach3!.length).toBe(2);
    for (const r of d.backtest!.approach3!) expect(Math.abs(r.lossErr)).toBeLessThan(0.02);
  }, 60_000);
});

describe('Misfitting (Hadas et al.): approaches 2 and 3 disagree', () => {
  it('a from approach 2 and from approach 3 have disjoint intervals: flagged with what to do', () => {
    const laws = fit('misfitting_scaling_results_last_ckpt_only.csv', { columns: ['N=N', 'D=D', 'loss=loss', 'lr=peak_lr'], dedupe: true, representation: '6N2' }, { bootstrap: 100 });
    const w = laws.details!.diagnostics!.find((x) => x.code === 'a2-a3-disagree')!;
    expect(w.message).toMatch(/approach 2 gives a = 0\.4\d+ .* approach 3 a = 0\.7\d+/);
    expect(w.action).toMatch(/holdout-largest/);
    // Peak LR swept per model: an η law through the per-model near-optimal runs.
    expect(laws.laws.lr!.exponent).toBeLessThan(0);
  }, 60_000);
});
