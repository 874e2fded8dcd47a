// Report charts: every spec compiles, SVGs carry the axis titles and one marker per optimum at the right place, PNGs really contain text, bands match OLS.
import { describe, expect, it } from 'vitest';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { BUDGETS, syntheticFits } from './report-fixture.ts';
import { decodePng, inkPixels } from './report-png.ts';
import { buildCharts } from '../src/report/report.ts';
import { renderSvg, svgToPng } from '../src/report/render.ts';
import { powerLawBand } from '../src/report/bands.ts';
import { paperTargets } from '../src/report/inputs.ts';
import { qualityVerdict, lawLines, warningLines } from '../src/report/summary.ts';
import { num } from '../src/util/format.ts';
import { exponentRows, GROUP_PAPER } from '../src/report/chart-quality.ts';
import { readLaws } from '../src/schema/laws.ts';
import type { ReportInput, VlSpec } from '../src/report/types.ts';
import type { RunRow } from '../src/schema/runs.ts';

const GOOD = { name: 'good', k: 0.1715, a: 0.5243, E: 0.6, A: 40, gamma: 0.08, kappa: 0.15, budgets: BUDGETS, withCi: true, withHyper: true };
const NOISY = { name: 'noisy', k: 2.0, a: 0.45, E: 0.7, A: 50, gamma: 0.08, kappa: 0.12, budgets: BUDGETS, withCi: true, unbracketedLast: true };

function runRows(dataset: string): (RunRow & { file: string })[] {
  const rows: (RunRow & { file: string })[] = [];
  for (const budget of BUDGETS) {
    for (let r = 0; r < 3; r++) {
      for (let s = 1; s <= 5; s++) {
        const tokens = s * 1e7 * (r + 1);
        rows.push({
          run_id: `${dataset}-${budget}-${r}`, dataset, budget, n_layer: 4, d_model: 128, n_heads: 4, n_kv_heads: 4, d_ff: 344, seq_len: 128, vocab: 256,
          M: 1e6, N1: 1e5, N2: 1.3e5, batch_tokens: 4096, lr_max: 1e-3, schedule: 'multistep', step: s * 100, tokens, flops: 1e6 * tokens, lr: 1e-3,
          train_loss: 3 - 0.1 * s, val_loss: 3 - 0.1 * s, val_bpb: 4 - 0.2 * s - 0.05 * r, elapsed_s: s, status: s === 5 ? 'done' : 'running', seed: 1, val_hash: 'abc', representation: 'M', file: 'runs/x.csv',
        });
      }
    }
  }
  return rows;
}

function richInput(): ReportInput {
  const good = syntheticFits(GOOD);
  good.details!.representations = [
    { representation: 'M', scale: good.laws.scale!, data: good.laws.data!, loss: good.laws.loss },
    { representation: '6N1', scale: { coefficient: 0.3, exponent: 0.5 }, data: { coefficient: 3, exponent: 0.5 }, loss: { form: 'offset-power', E: 0.5, A: 30, gamma: 0.075 } },
  ];
  return {
    title: 'test report',
    datasets: [{ label: 'good', file: 'good.json', laws: good }, { label: 'noisy', file: 'noisy.json', laws: syntheticFits(NOISY) }],
    runs: runRows('good'),
    reference: { label: 'DeepSeek LLM (paper)', laws: readLaws('fits/deepseek-llm.json') },
    targets: paperTargets(),
  };
}

/** translate(x,y) of every symbol in the mark group named `name`. */
function markPositions(svg: string, name: string): [number, number][] {
  const start = svg.indexOf(`role-mark ${name}"`);
  expect(start).toBeGreaterThan(0);
  const end = svg.indexOf('</g>', start);
  return [...svg.slice(start, end).matchAll(/transform="translate\(([-\d.]+),([-\d.]+)\)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('report charts', () => {
  const input = richInput();
  const charts = buildCharts(input);

  it('builds the seven charts of a full input, and every spec compiles with vega-lite without warnings, targets drawn or not', () => {
    expect(charts.map((c) => c.id)).toEqual(['isoflop', 'scaling', 'loss', 'hyper', 'curves', 'quality', 'representations']);
    for (const c of [...charts, ...buildCharts({ ...input, showTargets: 'all' })]) {
      const warnings: unknown[] = [];
      const logger = { level: () => logger, error: (...m: unknown[]) => { warnings.push(m); return logger; }, warn: (...m: unknown[]) => { warnings.push(m); return logger; }, info: () => logger, debug: () => logger };
      expect(() => vl.compile(c.spec as unknown as vl.TopLevelSpec, { logger: logger as never })).not.toThrow();
      expect({ chart: c.id, warnings }).toEqual({ chart: c.id, warnings: [] });
    }
  });

  it('leaves out what the inputs cannot support: laws without details give only the law charts', () => {
    const paper = readLaws('fits/deepseek-llm.json');
    const only = buildCharts({ title: 't', datasets: [{ label: 'paper', file: 'p.json', laws: paper }], targets: paperTargets(), reference: { label: 'DeepSeek LLM (paper)', laws: paper } });
    // no optima → no IsoFLOP, no loss; laws.lr present → chart 4 (law lines only); no runs → no curves; no representations.
    expect(only.map((c) => c.id)).toEqual(['scaling', 'hyper', 'quality']);
    // The paper's own file is not drawn a second time as its reference; the law lines start at the paper's first budget.
    expect(JSON.stringify(only[0].spec)).not.toContain('DeepSeek LLM (paper)');
    const xDomain = (((only[0].spec.concat as VlSpec[])[0].layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'line')!.encoding as Record<string, { scale: { domain: number[] } }>).x.scale.domain;
    expect(xDomain[0]).toBeLessThan(1e17);
    const noHyper = syntheticFits({ ...GOOD, withHyper: false });
    expect(buildCharts({ title: 't', datasets: [{ label: 'g', file: 'g.json', laws: noHyper }], targets: [] }).map((c) => c.id)).not.toContain('hyper');
  });

  it('IsoFLOP SVG: axis titles, one marker per optimum, each at the known law\'s optimum', async () => {
    const c = charts.find((x) => x.id === 'isoflop')!;
    const svg = await renderSvg(c.spec);
    expect(svg).toContain('Model scale M (FLOPs/token)');
    expect(svg).toContain('Loss (bits-per-byte)');
    expect(svg).toContain('Budget C (FLOPs)');
    const pos = markPositions(svg, 'optima_0_marks');
    expect(pos.length).toBe(BUDGETS.length);
    expect(markPositions(svg, 'optima_1_marks').length).toBe(BUDGETS.length);
    // Independent reference: pixel of M_opt = k·C^a and L_opt = E + A·C^(−γ) on the panel's log-x / linear-y scales.
    const layer = ((c.spec.concat as VlSpec[])[0].layer as VlSpec[])[2];
    const enc = layer.encoding as Record<string, { scale: { domain: [number, number] } }>;
    const [xlo, xhi] = enc.x.scale.domain;
    const [ylo, yhi] = enc.y.scale.domain;
    BUDGETS.forEach((C, i) => {
      const m = GOOD.k * Math.pow(C, GOOD.a);
      const l = GOOD.E + GOOD.A * Math.pow(C, -GOOD.gamma);
      const px = (360 * (Math.log10(m) - Math.log10(xlo))) / (Math.log10(xhi) - Math.log10(xlo));
      const py = 260 * (1 - (l - ylo) / (yhi - ylo));
      expect(pos[i][0]).toBeCloseTo(px, 0);
      expect(pos[i][1]).toBeCloseTo(py, 0);
    });
  });

  it('scaling and loss SVGs carry their axis titles and, when asked, the target labels; the unbracketed optimum is flagged', async () => {
    const scaling = await renderSvg(buildCharts({ ...input, showTargets: 'all' }).find((x) => x.id === 'scaling')!.spec);
    for (const t of ['Compute C (FLOPs)', 'M_opt (FLOPs/token)', 'D_opt (tokens)', 'DeepSeek 7B', 'DeepSeek 67B', 'DeepSeek LLM (paper)', 'optimum, not bracketed']) expect(scaling).toContain(t);
    const loss = await renderSvg(charts.find((x) => x.id === 'loss')!.spec);
    expect(loss).toContain('Loss (bits-per-byte)');
    const hyper = await renderSvg(charts.find((x) => x.id === 'hyper')!.spec);
    for (const t of ['Peak learning rate η', 'Batch size B (tokens)', 'near-optimal run']) expect(hyper).toContain(t);
  });

  it('training curves: one line per run, with the bits-per-byte axis', async () => {
    const svg = await renderSvg(charts.find((x) => x.id === 'curves')!.spec);
    expect(svg.match(/class="mark-line role-mark/g)?.length).toBe(BUDGETS.length * 3);
    expect(svg).toContain('Loss (bits-per-byte)');
    expect(svg).toContain('Tokens seen D');
  });

  it('loss charts never mix units: files in nats/token get their own panel and axis title', async () => {
    const nats = syntheticFits({ ...GOOD, name: 'ext', lossUnits: 'nats/token' });
    const c = buildCharts({ ...input, datasets: [...input.datasets, { label: 'ext', file: 'e.json', laws: nats }], runs: undefined }).find((x) => x.id === 'loss')!;
    expect((c.spec.concat as VlSpec[]).length).toBe(2);
    const svg = await renderSvg(c.spec);
    expect(svg).toContain('Loss (bits-per-byte)');
    expect(svg).toContain('Loss (nats/token)');
  });

  it('PNG has text in the y-axis label area, which is blank when rendered without fonts', async () => {
    const c = charts.find((x) => x.id === 'loss')!;
    const svg = await renderSvg(c.spec);
    const m = svg.match(/<g[^>]*transform="translate\((\d+),(\d+)\)"/)!;
    const [left, top] = [Number(m[1]), Number(m[2])];
    const scale = 2;
    const img = decodePng(svgToPng(svg, scale));
    // Left of the plot, clear of the tick marks: tick labels and the axis title only.
    const area: [number, number, number, number] = [0, top * scale, (left - 8) * scale, (top + 260) * scale];
    const withFonts = inkPixels(img, ...area);
    expect(withFonts).toBeGreaterThan(500);
    const noFont = decodePng(new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: false, fontFiles: [] } }).render().asPng());
    expect(inkPixels(noFont, ...area)).toBeLessThan(withFonts / 20);
  });

  it('quality chart: each dataset\'s a and b beside all five Table 4 rows', () => {
    const rows = exponentRows(input);
    const paper = rows.filter((r) => r.group === GROUP_PAPER);
    expect(paper.length).toBe(10);
    expect(paper.find((r) => r.source === 'DeepSeek current data [M]' && r.exponent.startsWith('a'))!.value).toBe(0.524);
    // Every row says how its model scale was counted (Kaplan 6N1, Chinchilla 6N2, DeepSeek M).
    expect([...new Set(paper.map((r) => r.source))]).toEqual(['Kaplan et al. (OpenWebText2) [6N1]', 'Chinchilla (MassiveText) [6N2]', 'DeepSeek early data [M]', 'DeepSeek current data [M]', 'DeepSeek OpenWebText2 [M]']);
    const good = rows.filter((r) => r.source === 'good [M]');
    expect(good.map((r) => r.value)).toEqual([GOOD.a, 1 - GOOD.a]);
    expect(good[0].lo).toBeCloseTo(GOOD.a - 0.02, 12);
  });

  it('summary: datasets ordered by a, laws in words with intervals', () => {
    const v = qualityVerdict(input)!;
    expect(v.indexOf('good (a = 0.524')).toBeLessThan(v.indexOf('noisy (a = 0.450'));
    expect(v).toContain('do not overlap');
    // Loss comparison at the largest common budget (1e19), from L = E + A·C^(−γ) of each generating law.
    const lg = GOOD.E + GOOD.A * Math.pow(1e19, -GOOD.gamma);
    const ln = NOISY.E + NOISY.A * Math.pow(1e19, -NOISY.gamma);
    expect(v).toContain(`at C = 1.00e19: good ${num(lg)} < noisy ${num(ln)} bits-per-byte`);
    // Overlapping intervals: the verdict refuses to rank.
    const close = structuredClone(input);
    close.datasets[1].laws.laws.scale!.ci!.exponent = [0.44, 0.53];
    expect(qualityVerdict(close)).toContain('do not resolve');
    const lines = lawLines(input.datasets[0].laws).join('\n');
    expect(lines).toContain('C^0.524 [0.504, 0.544]');
    expect(lines).toContain('95%');
    // Fit warnings: the global list, plus per-budget ones it lacks (prefixed with their budget), no duplicates.
    const noisy = input.datasets[1].laws;
    expect(warningLines(noisy)).toEqual(noisy.details!.warnings);
    const extra = structuredClone(noisy);
    extra.details!.optima[0].warnings.push('only 3 points');
    expect(warningLines(extra)).toEqual([...noisy.details!.warnings, 'budget 1.00e17: only 3 points']);
  });
});

describe('confidence band of a power law', () => {
  it('equals the OLS confidence band in log space when the intervals are the OLS ones', () => {
    // Data from a known law with deterministic scatter; OLS of log10 y on x = log10 C.
    const xs = [17, 17.5, 18, 18.5, 19, 19.5, 20];
    const ys = xs.map((x, i) => Math.log10(0.17) + 0.52 * x + 0.03 * Math.sin(3 * i + 1));
    const n = xs.length;
    const xbar = xs.reduce((s, x) => s + x, 0) / n;
    const ybar = ys.reduce((s, y) => s + y, 0) / n;
    const sxx = xs.reduce((s, x) => s + (x - xbar) ** 2, 0);
    const slope = xs.reduce((s, x, i) => s + (x - xbar) * (ys[i] - ybar), 0) / sxx;
    const icpt = ybar - slope * xbar;
    const s2 = xs.reduce((s, x, i) => s + (ys[i] - icpt - slope * x) ** 2, 0) / (n - 2);
    const z = 2.5706; // t(0.975, 5)
    const seSlope = Math.sqrt(s2 / sxx);
    const seIcpt = Math.sqrt(s2 * (1 / n + (xbar * xbar) / sxx));
    const law = { coefficient: 10 ** icpt, exponent: slope, ci: { coefficient: [10 ** (icpt - z * seIcpt), 10 ** (icpt + z * seIcpt)] as [number, number], exponent: [slope - z * seSlope, slope + z * seSlope] as [number, number] } };
    const targets = [1e17, 1e19, 8.5e22, 8.7e23];
    const band = powerLawBand(law, xbar, targets)!;
    targets.forEach((c, i) => {
      const x = Math.log10(c);
      const half = z * Math.sqrt(s2 * (1 / n + (x - xbar) ** 2 / sxx));
      const yhat = icpt + slope * x;
      expect(Math.log10(band[i].lo)).toBeCloseTo(yhat - half, 9);
      expect(Math.log10(band[i].hi)).toBeCloseTo(yhat + half, 9);
    });
    // The band is narrowest at the data's centre and widens when extrapolating.
    expect(Math.log10(band[3].hi / band[3].lo)).toBeGreaterThan(Math.log10(band[1].hi / band[1].lo));
  });
});
