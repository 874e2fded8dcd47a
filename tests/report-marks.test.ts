// Every chart kind rendered to SVG with the marks it must have (points, fitted curves, bands, the near-optimal outline, target
// markers only when asked); honest axes (a micro fit's compute axis stays near its budgets); one dash or shape per dataset.
import { describe, expect, it } from 'vitest';
import { BUDGETS, syntheticFits, syntheticHparamFits } from './report-fixture.ts';
import { buildCharts } from '../src/report/report.ts';
import { isoflopChart, OPTIMUM_OUTSIDE } from '../src/report/chart-isoflop.ts';
import { CHART_KINDS } from '../src/report/charts.ts';
import { renderSvg } from '../src/report/render.ts';
import { loadDatasets, loadRuns, paperTargets, parseReportTargets } from '../src/report/inputs.ts';
import { computeAxis } from '../src/report/axis.ts';
import { summarize } from '../src/report/summary.ts';
import { readLaws } from '../src/schema/laws.ts';
import type { ChartSpec, ReportInput, VlSpec } from '../src/report/types.ts';

const REF = { label: 'DeepSeek LLM (paper)', laws: readLaws('fits/deepseek-llm.json') };
const GOOD = { name: 'good', k: 0.1715, a: 0.5243, E: 0.6, A: 40, gamma: 0.08, kappa: 0.15, budgets: BUDGETS, withCi: true, withHyper: true };
const NOISY = { name: 'noisy', k: 2.0, a: 0.45, E: 0.7, A: 50, gamma: 0.08, kappa: 0.12, budgets: BUDGETS, withCi: true, unbracketedLast: true };

/** Every `{ …, scale: { domain } }` of a channel over `field` anywhere in a spec. */
function domainsOf(spec: unknown, field: string): [number, number][] {
  const out: [number, number][] = [];
  (function walk(o: unknown) {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      if (r.field === field && (r.scale as { domain?: unknown })?.domain) out.push((r.scale as { domain: [number, number] }).domain);
      Object.values(r).forEach(walk);
    }
  })(spec);
  return out;
}

/** Number of mark groups of a type (vega writes `class="mark-TYPE role-mark …"`) that hold at least one drawn item. */
function markGroups(svg: string, type: string): number {
  return [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, 'g'))].filter((m) => /<(path|line|text|rect)\b/.test(m[1])).length;
}

const svgCache = new Map<ChartSpec, Promise<string>>();
const svgOf = (c: ChartSpec) => svgCache.get(c) ?? svgCache.set(c, renderSvg(c.spec)).get(c)!;

function richInput(showTargets: 'auto' | 'all'): ReportInput {
  const good = syntheticFits(GOOD);
  good.details!.representations = [
    { representation: 'M', scale: good.laws.scale!, data: good.laws.data!, loss: good.laws.loss },
    { representation: '6N1', scale: { coefficient: 0.3, exponent: 0.5 }, data: { coefficient: 3, exponent: 0.5 }, loss: { form: 'offset-power', E: 0.5, A: 30, gamma: 0.075 } },
  ];
  // A loss band written by the fit (bootstrap percentiles): ±2% around the generating curve over the fitted budgets.
  good.details!.bands = { loss: BUDGETS.map((c) => ({ compute: c, lo: 0.98 * (0.6 + 40 * c ** -0.08), hi: 1.02 * (0.6 + 40 * c ** -0.08) })) };
  good.details!.predictions = paperTargets().map((t) => ({ label: t.key, compute: t.compute, scale: 0.1715 * t.compute ** 0.5243, tokens: t.compute / (0.1715 * t.compute ** 0.5243), loss: 0.6 + 40 * t.compute ** -0.08, lossInterval: [1.5, 1.9] }));
  return {
    title: 'marks',
    datasets: [{ label: 'good', file: 'good.json', laws: good }, { label: 'noisy', file: 'noisy.json', laws: syntheticFits(NOISY) }, { label: 'hp', file: 'hp.json', laws: syntheticHparamFits() }],
    runs: loadRuns(['results/hparams-micro/runs/curated/curated-C1.00e10-*.csv']),
    reference: REF,
    targets: paperTargets(),
    showTargets,
  };
}

describe('every chart kind, rendered', () => {
  const auto = buildCharts(richInput('auto'));
  const asked = buildCharts(richInput('all'));
  const chart = (cs: ChartSpec[], id: string) => cs.find((c) => c.id === id)!;

  it('builds every kind this input supports, in the registry\'s order', () => {
    const kinds = ['isoflop', 'scaling', 'loss', 'landscape', 'hyper', 'curves', 'quality', 'representations'];
    expect(auto.map((c) => c.id)).toEqual(CHART_KINDS.map((k) => k.id).filter((id) => kinds.includes(id)));
    expect(auto.length).toBe(kinds.length);
  });

  it('IsoFLOP, scaling, loss, hyper, landscape, curves, quality, representations: their points, curves and bands are drawn', async () => {
    const iso = await svgOf(chart(auto, 'isoflop'));
    expect(markGroups(iso, 'symbol')).toBeGreaterThanOrEqual(4); // runs and optima of two panels
    expect(markGroups(iso, 'line')).toBe(2 * BUDGETS.length); // one parabola per budget and panel
    const scaling = await svgOf(chart(auto, 'scaling'));
    expect(markGroups(scaling, 'symbol')).toBeGreaterThanOrEqual(2);
    expect(markGroups(scaling, 'line')).toBeGreaterThanOrEqual(2 * 2); // two datasets' laws (and the paper's) on two panels
    expect(markGroups(scaling, 'area')).toBe(2 * 2); // each dataset's band rebuilt from its laws' intervals, two panels
    const loss = await svgOf(chart(auto, 'loss'));
    expect(markGroups(loss, 'area')).toBe(1); // the band the good fit wrote
    expect(markGroups(loss, 'line')).toBeGreaterThanOrEqual(2); // both datasets' L(C)
    const hyper = await svgOf(chart(auto, 'hyper'));
    expect(markGroups(hyper, 'line')).toBeGreaterThanOrEqual(2); // η_opt and B_opt (and Eq. 1)
    expect(markGroups(hyper, 'area')).toBe(2); // pivot bands through the near-optimal runs, one per panel
    const curves = await svgOf(chart(auto, 'curves'));
    expect(markGroups(curves, 'line')).toBe(36); // one line per run of the committed 6 × 6 grid at 1e10
    expect(curves).toContain('Peak LR (colour)');
    for (const id of ['quality', 'representations']) expect(markGroups(await svgOf(chart(auto, id)), 'symbol')).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('Fig. 2: one cell per run, the near-optimal region outlined exactly where loss ≤ (1 + 0.25%) × best', async () => {
    const c = chart(auto, 'landscape');
    const svg = await svgOf(c);
    const panels = c.spec.concat as VlSpec[];
    expect(panels.length).toBe(3);
    const hp = syntheticHparamFits();
    panels.forEach((p, i) => {
      const layers = p.layer as VlSpec[];
      const budget = [1e17, 1e18, 1e19][i];
      const pts = hp.details!.points.filter((q) => q.budget === budget);
      const best = Math.min(...pts.map((q) => q.loss));
      const expected = pts.filter((q) => q.loss <= best * 1.0025).map((q) => q.runId).sort();
      expect(((layers[0].data as { values: unknown[] }).values).length).toBe(16);
      expect(((layers[1].data as { values: { run: string }[] }).values).map((v) => v.run).sort()).toEqual(expected);
      expect(expected.length).toBeGreaterThan(1);
      expect(expected.length).toBeLessThan(16);
    });
    expect(markGroups(svg, 'rect')).toBe(6); // heat cells + outline, three panels
    expect(svg).toContain('near-optimal region');
    expect(svg).toContain('paper Eq. 1 at this budget');
  }, 20_000);

  it('target markers only when asked: no 7B/67B anywhere by default; asked, they sit in a far panel with Table 2 crosses and predictions', async () => {
    for (const id of ['scaling', 'loss', 'hyper']) {
      const svg = await svgOf(chart(auto, id));
      expect(svg, id).not.toContain('DeepSeek 7B');
      expect(svg, id).not.toContain('far extrapolation');
      expect(chart(auto, id).caption).toContain('Not drawn: DeepSeek 7B');
    }
    const scaling = await svgOf(chart(asked, 'scaling'));
    expect(scaling).toContain('DeepSeek 7B');
    expect(scaling).toContain('far extrapolation');
    expect(scaling).toContain('prediction (± interval)');
    const loss = await svgOf(chart(asked, 'loss'));
    expect(loss).toContain('prediction (± interval)');
    const hyper = await svgOf(chart(asked, 'hyper'));
    expect(hyper).toContain('DeepSeek LLM as trained (Table 2)');
    // The far panel spans the targets and nothing of the data; the main panel keeps to the budgets.
    const [near, far] = (((chart(asked, 'scaling').spec.concat as VlSpec[])[0].hconcat) as VlSpec[]).map((v) => domainsOf(v, 'compute')[0]);
    expect(near[1]).toBeLessThan(1e20);
    expect(far[0]).toBeGreaterThan(1e22);
    expect(far[1]).toBeGreaterThan(8.65e23);
  }, 20_000);
});

describe('honest axes and legibility on the committed fits', () => {
  it("a micro fit's compute axis does not reach 1e20 by default (fitted 3.16e10…3.16e11): every chart stays within a quarter decade", () => {
    const micro = loadDatasets(['fits/micro-curated.json', 'fits/micro-noisy.json']);
    const charts = buildCharts({ title: 'micro', datasets: micro, reference: REF, targets: paperTargets() });
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['scaling', 'loss', 'quality']));
    const fitted = micro.flatMap((d) => d.laws.details!.optima.map((o) => o.budget));
    for (const c of charts) for (const [lo, hi] of domainsOf(c.spec, 'compute')) {
      expect(hi, c.id).toBeLessThan(1e20);
      expect(hi, c.id).toBeLessThanOrEqual(Math.max(...fitted) * Math.pow(10, 0.25) * 1.001);
      expect(lo, c.id).toBeGreaterThanOrEqual((Math.min(...fitted) / Math.pow(10, 0.25)) * 0.999);
    }
    // --targets 7b,67b,1e21 draws them, each with its factor from the largest budget.
    const asked = computeAxis({ title: '', datasets: micro, targets: parseReportTargets(['7b,67b,1e21']), showTargets: 'all' });
    expect(asked.shown.map((t) => t.label)).toEqual(['DeepSeek 7B', 'DeepSeek 67B', 'C = 1e21']);
    const fittedMax = Math.max(...micro.flatMap((d) => d.laws.details!.optima.map((o) => o.budget)));
    expect(asked.shown[2].factor).toBeCloseTo(1e21 / fittedMax, 6);
    // Every prediction of the summary states its extrapolation factor and warns beyond ×100.
    for (const p of summarize(micro[0]).predictions) {
      expect(p.text).toMatch(/×\S+ beyond the fitted budgets/);
      expect(p.far).toBe(true);
      expect(p.text).toContain('far extrapolation');
    }
  });

  it('an optimum whose vertex lies outside its bracket is drawn as a square, named in the legend and the subtitle', () => {
    const micro = loadDatasets(['fits/micro-curated.json']);
    const spec = JSON.stringify(isoflopChart(micro)!.spec);
    // The committed curated fit: at 6.81e10 the vertex lies outside the bracket around the data minimum (its warning says so).
    const o = micro[0].laws.details!.optima.find((q) => Math.abs(q.budget / 6.81e10 - 1) < 1e-9)!;
    expect(o.bracketed).toBe(true);
    expect(o.scaleOpt < o.bracket![0] || o.scaleOpt > o.bracket![1]).toBe(true);
    expect(spec).toContain(JSON.stringify(OPTIMUM_OUTSIDE));
    expect(spec).toContain('"square"');
    expect(spec).toContain('1 vertex outside its bracket');
  });

  it('each dataset gets a distinct dash (lines) and shape (points), on the spec and in the rendered SVG', async () => {
    const marin = loadDatasets(['fits/marin-dclm.json', 'fits/marin-nemotron.json', 'fits/marin-comma.json']);
    const c = buildCharts({ title: 'marin', datasets: marin, reference: REF, targets: paperTargets() }).find((x) => x.id === 'scaling')!;
    const layers = ((c.spec.concat as VlSpec[])[0].layer as VlSpec[]);
    const enc = (type: string) => (layers.find((l) => (l.mark as { type: string }).type === type && (l.encoding as Record<string, unknown>).y)!.encoding as Record<string, { scale: { domain: string[]; range: unknown[] } }>);
    const dash = enc('line').strokeDash.scale;
    const shape = enc('point').shape.scale;
    const labels = marin.map((d) => d.label);
    const dashes = labels.map((l) => JSON.stringify(dash.range[dash.domain.indexOf(l)]));
    const shapes = labels.map((l) => shape.range[shape.domain.indexOf(l)]);
    expect(new Set(dashes).size).toBe(3);
    expect(new Set(shapes).size).toBe(3);
    // Rendered: the lines carry three different dash patterns (solid has none) besides the paper's.
    const svg = await renderSvg(c.spec);
    const arrays = new Set([...svg.matchAll(/class="mark-line role-mark[\s\S]*?<\/g>/g)].flatMap((m) => [...m[0].matchAll(/stroke-dasharray="([^"]+)"/g)].map((x) => x[1])));
    expect(arrays.size).toBeGreaterThanOrEqual(3); // two dataset dashes + the reference's
    // A law without signal (an LR "law" through a rule-set LR, R² 6e-5 as marin-dclm's once was) is not drawn as a law.
    const hp = syntheticHparamFits();
    hp.laws.lr!.r2 = 5.64e-5;
    const hyper = buildCharts({ title: 'hp', datasets: [{ label: 'hp', file: 'hp.json', laws: hp }], targets: paperTargets() }).find((x) => x.id === 'hyper')!;
    expect(hyper.caption).toMatch(/hp η_opt: no signal, R² 5\.6e-5 < 0\.05/);
    const lineOf = (panel: VlSpec) => ((panel.layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'line')?.data as { values: { label: string }[] } | undefined)?.values ?? [];
    const [lrPanel, batchPanel] = hyper.spec.concat as VlSpec[];
    expect(lineOf(lrPanel).some((v) => v.label === 'hp')).toBe(false);
    expect(lineOf(batchPanel).some((v) => v.label === 'hp')).toBe(true);
  }, 20_000);
});
