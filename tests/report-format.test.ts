// The one number formatter (significant digits, SI suffixes, intervals with the value's digits, "unconstrained", no -0), honest
// rankings, timestamps, relative provenance paths, warnings said once, no-signal laws, Student-t quantiles and the pivot band.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { duration, factor, fixed, num, percent, ranking, sci, si, timestamp, withInterval } from '../src/util/format.ts';
import { displayPath, summarize } from '../src/report/summary.ts';
import { fitWarnings, warningText } from '../src/report/warnings.ts';
import { lawSupport } from '../src/report/support.ts';
import { pivotBand, studentTQuantile } from '../src/report/bands.ts';
import { syntheticHparamFits } from './report-fixture.ts';
import { buildPage } from '../src/report/page.ts';
import type { LawsFile } from '../src/schema/laws.ts';

describe('number formatter', () => {
  it('significant digits, fixed or scientific, never -0', () => {
    expect(num(0.52431)).toBe('0.524');
    expect(num(2.5361)).toBe('2.54');
    expect(num(0.000877)).toBe('8.77e-4');
    expect(num(-0.00001)).toBe('-1.00e-5');
    expect(num(123456)).toBe('1.23e5');
    expect(num(0)).toBe('0');
    expect(fixed(-0.00004, 4)).toBe('0.0000');
    expect(fixed(-0.4, 0)).toBe('0');
    expect(sci(3e20)).toBe('3.00e20');
    expect(percent(0.0025)).toBe('0.25%');
    expect(factor(3.24)).toBe('×3.2');
    expect(factor(2.83e11)).toBe('×2.8e11');
  });

  it('SI suffixes for counts, rounded before the unit is chosen', () => {
    expect(si(25.2e6)).toBe('25.2M');
    expect(si(164e6)).toBe('164M');
    expect(si(3.02e9)).toBe('3.02B');
    expect(si(2e12)).toBe('2.00T');
    expect(si(999_960)).toBe('1.00M');
    expect(si(256)).toBe('256');
    expect(si(1e15)).toBe('1.00e15');
  });

  it("intervals carry the value's digits (no finer than the interval warrants) and say 'unconstrained' when they are", () => {
    expect(withInterval(0.52431, [0.5043, 0.5443])).toBe('0.524 [0.504, 0.544]');
    expect(withInterval(-0.00115, [-0.0718, 0.178])).toBe('-0.001 [-0.072, 0.178]');
    expect(withInterval(-0.00001, [-0.00002, 0.00001])).toBe('-1.00e-5 [-2.00e-5, 1.00e-5]');
    // micro-hparams' η_opt coefficient: [1.93e-4, 7.00e5] spans 9.6 decades.
    expect(withInterval(10.6458, [0.000192911, 700366], { kind: 'log' })).toBe('1.06e1 [unconstrained]');
    expect(withInterval(122.8, [9.47, 698], { kind: 'log' })).toBe('1.23e2 [9.47e0, 6.98e2]');
    expect(withInterval(2e12, [1e12, 4e12], { kind: 'log', style: 'si' })).toBe('2.00T [1.00T, 4.00T]');
    expect(withInterval(0.5, [-0.6, 1.6], { maxWidth: 1 })).toBe('0.500 [unconstrained]');
    expect(withInterval(0.5, [0.1, Infinity])).toBe('0.500 [unconstrained]');
  });

  it('rankings claim an order only where the numbers and intervals support it', () => {
    // marin-dclm and marin-nemotron: a = 0.390 each, overlapping intervals.
    expect(ranking([{ text: 'A', value: 0.38977, interval: [0.277, 0.455] }, { text: 'B', value: 0.39012, interval: [0.351, 0.445] }])).toBe('B ≈ A');
    expect(ranking([{ text: 'A', value: 0.6, interval: [0.55, 0.65] }, { text: 'B', value: 0.4, interval: [0.35, 0.45] }])).toBe('A > B');
    expect(ranking([{ text: 'A', value: 0.390 }, { text: 'B', value: 0.3904 }])).toBe('B ≈ A');
    expect(ranking([{ text: 'A', value: 0.5 }, { text: 'B', value: 0.4 }])).toBe('A > B');
  });

  it('timestamps and durations for people', () => {
    expect(timestamp('2026-11-28T19:02:53.004Z')).toBe('2026-11-28 19:02 UTC');
    expect(timestamp('2024-01-05')).toBe('2024-01-05');
    expect(timestamp('DeepSeek LLM paper')).toBe('DeepSeek LLM paper');
    expect(duration(65)).toBe('1m05s');
    expect(duration(7380)).toBe('2h03m');
    expect(duration(NaN)).toBe('?');
  });
});

describe('page text', () => {
  it("provenance shows paths relative to the working directory, and never an author's home directory", () => {
    expect(displayPath(join(process.cwd(), 'results', 'x.csv'))).toBe('results/x.csv');
    expect(displayPath('/home/author/secret/runs/hp.csv')).toBe('…/runs/hp.csv');
    expect(displayPath('fits/a.json')).toBe('fits/a.json');
    const laws = syntheticHparamFits();
    laws.provenance.options = { runsDir: '/home/author/secret/runs', nested: { file: join(process.cwd(), 'fits', 'x.json') } };
    const s = summarize({ label: 'hp', file: '/home/author/fits/hp.json', laws });
    const all = JSON.stringify(s);
    expect(all).not.toContain('/home/author');
    expect(all).toContain('…/runs/hp.csv');
    expect(all).toContain('"file\\":\\"fits/x.json');
    expect(s.provenance.find(([k]) => k === 'created')![1]).toBe('2026-11-28 19:02 UTC');
    const html = buildPage({ title: 't', datasets: [{ label: 'hp', file: '/home/author/fits/hp.json', laws }], targets: [] }, [], { generated: '2026-12-01T10:00:00.000Z', tool: 'scaling test', files: [] });
    expect(html).not.toContain('/home/author');
    expect(html).toMatch(/<p class="meta">Generated 2026-12-01 10:00 UTC by scaling test/);
  });

  it('warnings appear once: the same message for several budgets is one line naming them; structured ones say what to do', () => {
    const laws = syntheticHparamFits();
    const ws = fitWarnings(laws);
    expect(ws.length).toBe(1);
    expect(warningText(ws[0])).toBe('budget 1.00e17: only 1 distinct scale (fewer than 3): budget dropped (also budgets 1.00e18, 1.00e19)');
    const structured: LawsFile = structuredClone(laws);
    structured.details!.diagnostics = [
      { code: 'bootstrap-undefined', message: 'bootstrap: a3.A undefined in 2 of 1000 resamples', action: 'nothing to do' },
      { code: 'too-few-budgets', message: 'only 0 usable budgets', action: 'add budgets with 3+ model scales' },
      { code: 'too-few-budgets', message: 'only 0 usable budgets', action: 'add budgets with 3+ model scales' },
    ];
    const ss = fitWarnings(structured).map(warningText);
    expect(ss).toEqual(['only 0 usable budgets — what to do: add budgets with 3+ model scales [too-few-budgets]', 'bootstrap: a3.A undefined in 2 of 1000 resamples — what to do: nothing to do [bootstrap-undefined]']);
  });

  it('a law without signal or marked unsupported is not drawn, with its reason spelled out', () => {
    expect(lawSupport({ coefficient: 1e-3, exponent: -0.001, r2: 5.6e-5 })).toMatchObject({ drawn: false, reason: 'no signal, R² 5.6e-5 < 0.05' });
    expect(lawSupport({ coefficient: 1, exponent: 0.5, r2: 0.99 }).drawn).toBe(true);
    const unsupported = { coefficient: 1, exponent: 0.5, supported: false, reasons: ['too-few-budgets'] };
    expect(lawSupport(unsupported, [{ code: 'too-few-budgets', message: 'fewer than 3 resolved budgets' }]).reason).toBe('not supported by the data: fewer than 3 resolved budgets [too-few-budgets]');
  });
});

describe('statistics behind the bands', () => {
  it("Student t quantiles match the published table (t_0.975: 12.706, 4.303, 2.571, 2.228, 1.984 for 1, 2, 5, 10, 100 dof)", () => {
    for (const [dof, t] of [[1, 12.706], [2, 4.303], [5, 2.571], [10, 2.228], [100, 1.984]]) expect(studentTQuantile(0.975, dof)).toBeCloseTo(t, 3);
    expect(studentTQuantile(0.95, 3)).toBeCloseTo(2.353, 3);
  });

  it('the pivot band: at the centroid of the points the half-width is t_{n−2}·s/√n, away from it the exponent interval adds in quadrature', () => {
    const law = { coefficient: 0.3118, exponent: -0.125, ci: { coefficient: [0.1, 1] as [number, number], exponent: [-0.2, -0.05] as [number, number] } };
    const scatter = [0.05, -0.03, 0.02, -0.04, 0.01];
    const pts = [1e17, 3e17, 1e18, 3e18, 1e19].map((c, i) => ({ compute: c, y: law.coefficient * c ** law.exponent * 10 ** scatter[i] }));
    const xs = pts.map((p) => Math.log10(p.compute));
    const xbar = xs.reduce((a, b) => a + b, 0) / 5;
    const s = Math.sqrt(scatter.reduce((a, r) => a + r * r, 0) / 3);
    const h0 = 3.18245 * s / Math.sqrt(5);
    const [at, far] = pivotBand(law, pts, [10 ** xbar, 1e22])!;
    expect(Math.log10(at.hi / at.lo) / 2).toBeCloseTo(h0, 4);
    expect(Math.log10(far.hi / far.lo) / 2).toBeCloseTo(Math.sqrt(h0 ** 2 + (0.075 * (22 - xbar)) ** 2), 4);
  });
});
