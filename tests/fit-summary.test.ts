// The fit report text (src/fit/summary.ts) from a hand-built laws file: every section shows the numbers it was given.
import { describe, it, expect } from 'vitest';
import { formatFitSummary, formatLossLaw, formatPowerLaw, formatStepLaw } from '../src/fit/summary.ts';
import type { LawsFile } from '../src/schema/laws.ts';

const laws: LawsFile = {
  schema: 'scaling.laws', version: 1, name: 'demo', dataset: 'sotu', representation: 'M',
  units: { compute: 'FLOPs', scale: 'FLOPs/token', data: 'tokens', batch: 'tokens', loss: 'bits-per-byte' },
  ciLevel: 0.9,
  laws: {
    scale: { coefficient: 0.1715, exponent: 0.5243, ci: { coefficient: [0.1, 0.3], exponent: [0.51, 0.54] }, r2: 0.998 },
    data: { coefficient: 5.8316, exponent: 0.4757 },
    lr: { coefficient: 0.3118, exponent: -0.125 },
    loss: { form: 'offset-power', E: 0.5, A: 30, gamma: 0.1, ci: { E: [0.4, 0.6], A: [20, 40], gamma: [0.09, 0.11] } },
  },
  provenance: { source: 'scaling fit', created: '2026-11-28', method: 'test' },
  details: {
    optima: [
      { budget: 1e17, points: 7, usedPoints: 5, scaleOpt: 2.5e8, dataOpt: 4e8, lossOpt: 1.2345, bracketed: true, warnings: [], ci: { scaleOpt: [2e8, 3e8] } },
      { budget: 3e17, points: 2, usedPoints: 0, scaleOpt: NaN, dataOpt: NaN, lossOpt: NaN, bracketed: false, dropped: true, warnings: ['only 2 distinct scales (fewer than 3): budget dropped'] },
    ],
    points: [],
    warnings: ['budget 3.00e17: only 2 distinct scales (fewer than 3): budget dropped', 'one decade or less of C'],
    approach3: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28, a: 0.4516, b: 0.5484, G: 1, objective: 0.01, scaleVariable: 'N' },
    predictions: [{ label: '1e21', compute: 1e21, scale: 4.2e9, tokens: 2.4e11, loss: 1.5, lossInterval: [1.4, 1.6] }],
    backtest: { heldOut: [3e17], rows: [{ budget: 3e17, lossPred: 1.2, lossTrue: 1.25, lossErr: -0.04, scalePred: 5e8, scaleTrue: 4e8, scaleErr: 0.25 }] },
    bootstrap: { resamples: 200, seed: 7, level: 0.9 },
  },
};

describe('fit summary', () => {
  const text = formatFitSummary(laws, { notes: ['budgets from the budget column'], warnings: ['1 run(s) diverged, excluded: r9'] });
  it('header: label, representation, units, interval level and bootstrap settings, input notes', () => {
    expect(text.split('\n')[0]).toBe("fit 'demo' — dataset sotu, scale M (FLOPs/token; C = M·D), loss in bits-per-byte");
    expect(text).toContain('intervals: 90% bootstrap percentile, 200 resamples, seed 7');
    expect(text).toContain('  · budgets from the budget column');
  });
  it('optima: numbers with SI suffixes, the dropped budget marked with its reason', () => {
    expect(text).toMatch(/1\.00e17\s+7\s+5\s+250M\s+400M\s+1\.2345\s+\[200M, 300M\]/);
    expect(text).toMatch(/3\.00e17\s+2\s+dropped\s+—.*⚠ only 2 distinct scales \(fewer than 3\): budget dropped/);
    expect(text).toContain('1 of 2 budgets used');
  });
  it('laws with intervals, the loss law, approach 3, predictions, backtest, warnings from input and fit', () => {
    expect(formatPowerLaw('M_opt (a)', laws.laws.scale)).toEqual(['M_opt (a)', '0.5243', '[0.5100, 0.5400]', '0.1715', '[0.1, 0.3]', '0.9980']);
    expect(formatLossLaw(laws.laws.loss!)).toBe('L(C) = 0.5 + 30·C^(−0.1000)   E [0.4, 0.6]  A [20, 40]  γ [0.0900, 0.1100]');
    expect(text).toMatch(/η_opt \(p\)\s+-0\.1250/);
    expect(text).toMatch(/1\.69\s+406\.4\s+410\.7\s+0\.3400\s+0\.2800\s+0\.4516\s+0\.5484/);
    expect(text).toMatch(/1e21\s+1\.00e21\s+4\.20B\s+240B\s+1\.5000\s+\[1\.4000, 1\.6000\]/);
    expect(text).toMatch(/3\.00e17\s+1\.2000\s+1\.2500\s+-4\.00%\s+500M\s+400M\s+25\.0%/);
    expect(formatStepLaw({ lrCoefficient: 1.79, lrExponentN: -0.713, lrExponentD: 0.307, lrR2: 0.9, batchCoefficient: 0.58, batchExponentD: 0.571, batchR2: 0.8 }))
      .toBe('Step Law form: η_opt = 1.79·N^-0.7130·D^0.3070 (R² 0.900)    B_opt = 0.58·D^0.5710 (R² 0.800)');
    expect(text).toContain('== Warnings (2; 1 per-budget warning in the optima table)\n⚠ 1 run(s) diverged, excluded: r9\n⚠ one decade or less of C\n');
  });
});
