// One log-log panel of a power law y(C) (paper Fig. 3 and Fig. 4b/c style): each dataset's points and fitted law (colour plus a
// dash and a shape per dataset), its band where the band means something, the paper's law, and the targets: within the fitted
// range's margin in the main panel, targets asked for far beyond it in a narrow second panel sharing the y axis.
import type { PowerLaw } from '../schema/laws.ts';
import { evalPowerLaw } from '../schema/laws.ts';
import { meaningfulBand, type BandPoint } from './bands.ts';
import type { ComputeAxis, ShownTarget } from './axis.ts';
import type { VlSpec } from './types.ts';
import { boundedDomain, CONTEXT_COLOR, logChannel, logspace, markLegend, MARK_SIZE, PANEL, seriesScales, tip } from './style.ts';
import { factor, isUnconstrained } from '../util/format.ts';

export const SEGMENT_FIT = 'fit (within its budgets)';
export const SEGMENT_EXTRAPOLATED = 'fit, extrapolated';
/** Point kinds (filled vs hollow). */
export const KIND_OPTIMUM = 'budget optimum';
export const KIND_UNBRACKETED = 'optimum, not bracketed';
export const KIND_RUN = 'near-optimal run';
/** Legend entries of the constant marks. */
export const LEGEND_PREDICTION = 'prediction (± interval)';
export const LEGEND_TARGET = 'target compute (C = M·D)';

/** One dataset's contribution to a law panel. */
export interface LawSeries {
  label: string;
  /** The law, when it is drawn (a law without support is passed as undefined, with `noLaw` saying why). */
  law?: PowerLaw;
  noLaw?: string;
  /** Compute range the law was fitted on (opaque line); outside it the line is faded. */
  fitRange?: [number, number];
  /** Observed values (optima or near-optimal runs) with optional intervals. */
  points: { compute: number; y: number; lo?: number; hi?: number; kind: string; run?: string; note?: string }[];
  band?: (compute: number[]) => BandPoint[] | undefined;
  /** The fit's predictions at drawn targets, with intervals and extrapolation factors. */
  predictions?: { label: string; compute: number; y: number; lo?: number; hi?: number; factor: number }[];
}

export interface LawPanelOptions {
  yTitle: string;
  series: LawSeries[];
  /** Every label of the chart in page order, so a dataset keeps its colour, dash and shape on every panel (default: the series'). */
  labels?: string[];
  reference?: { label: string; law: PowerLaw };
  axis: ComputeAxis;
  /** Fixed markers at targets (e.g. Table 2's batch and LR of DeepSeek 7B/67B), one legend entry `markerLegend`. */
  markers?: { label: string; compute: number; y: number }[];
  markerLegend?: string;
  /** Draw points in grey with a shape per dataset (Fig. 3's near-optimal runs) instead of the dataset colour. */
  greyPoints?: boolean;
  title?: string;
  /** Where this panel's legends go (default: right of the chart). */
  legendOrient?: 'right' | 'bottom';
}

const N_CURVE = 60;
const FAR_WIDTH = 150;

/** Line samples of a law over a domain: opaque within the fit range, faded outside; the segments share their end points. */
function lawLines(label: string, law: PowerLaw, fitRange: [number, number] | undefined, domain: [number, number], far: boolean): Record<string, unknown>[] {
  const grid = logspace(domain[0], domain[1], N_CURVE);
  if (far || !fitRange) return grid.map((c) => ({ label, compute: c, y: evalPowerLaw(law, c), segment: far ? SEGMENT_EXTRAPOLATED : SEGMENT_FIT, part: far ? 'far' : 'fit' }));
  const [fLo, fHi] = fitRange;
  const out: Record<string, unknown>[] = [];
  const push = (c: number, segment: string, part: string) => out.push({ label, compute: c, y: evalPowerLaw(law, c), segment, part });
  const inside = grid.filter((c) => c > fLo && c < fHi);
  for (const c of [Math.max(fLo, domain[0]), ...inside, Math.min(fHi, domain[1])]) push(c, SEGMENT_FIT, 'fit');
  const below = grid.filter((c) => c < fLo);
  if (below.length) for (const c of [...below, fLo]) push(c, SEGMENT_EXTRAPOLATED, 'below');
  const above = grid.filter((c) => c > fHi);
  if (above.length) for (const c of [fHi, ...above]) push(c, SEGMENT_EXTRAPOLATED, 'above');
  return out;
}

const within = (c: number, d: [number, number]) => c >= d[0] * (1 - 1e-9) && c <= d[1] * (1 + 1e-9);

/** The panel as a Vega-Lite view (a layer, or a layer and its far panel side by side); combine with assemble(). */
export function lawPanel(o: LawPanelOptions): VlSpec {
  const labels = o.labels ?? o.series.map((s) => s.label);
  const scales = seriesScales(labels, o.reference?.label);
  const legend = o.legendOrient === 'bottom' ? { orient: 'bottom', direction: 'vertical' } : {};
  const domains: { d: [number, number]; far: boolean }[] = [{ d: o.axis.near, far: false }, ...(o.axis.far ? [{ d: o.axis.far, far: true }] : [])];

  // Data per panel.
  const perPanel = domains.map(({ d, far }) => {
    const lines: Record<string, unknown>[] = [];
    const bands: Record<string, unknown>[] = [];
    for (const s of o.series) {
      if (!s.law) continue;
      lines.push(...lawLines(s.label, s.law, s.fitRange, d, far));
      const grid = logspace(d[0], d[1], N_CURVE);
      for (const b of meaningfulBand(s.band?.(grid), { log: true })) if (within(b.compute, d)) bands.push({ label: s.label, compute: b.compute, lo: b.lo, hi: b.hi });
    }
    if (o.reference) for (const c of logspace(d[0], d[1], N_CURVE)) lines.push({ label: o.reference.label, compute: c, y: evalPowerLaw(o.reference.law, c), segment: far ? SEGMENT_EXTRAPOLATED : SEGMENT_FIT, part: 'ref' });
    const points = o.series.flatMap((s) => s.points.filter((p) => within(p.compute, d)).map((p) => ({ label: s.label, ...p })));
    const preds = o.series.flatMap((s) => (s.predictions ?? []).filter((p) => within(p.compute, d)).map((p) => ({ label: s.label, target: p.label, compute: p.compute, y: p.y, lo: p.lo, hi: p.hi, factor: p.factor })));
    const markers = (o.markers ?? []).filter((m) => within(m.compute, d));
    const targets = o.axis.shown.filter((t) => (t.panel === 'far') === far);
    return { d, far, lines, bands, points, preds, markers, targets };
  });

  // One y range for both panels: estimates and lines set it; intervals may widen it by a quarter of that span at most.
  const core = perPanel.flatMap((p) => [...p.points.map((x) => x.y), ...p.lines.map((l) => l.y as number), ...p.preds.map((x) => x.y), ...p.markers.map((m) => m.y)]);
  const extra = perPanel.flatMap((p) => [...p.points.flatMap((x) => [x.lo ?? x.y, x.hi ?? x.y]), ...p.preds.flatMap((x) => [x.lo ?? x.y, x.hi ?? x.y])]);
  const yDomain = boundedDomain(core, extra, { log: true, maxGrow: 0.25, pad: 0.05 });

  const views = perPanel.map((p) => {
    const x = logChannel('compute', p.far ? 'C (FLOPs), far' : 'Compute C (FLOPs)', p.d);
    const yBase = logChannel('y', o.yTitle, yDomain);
    const y = p.far ? { ...yBase, axis: { ...(yBase.axis as object), labels: false, ticks: false, title: null } } : yBase;
    const yLo = { ...y, field: 'lo' };
    const color = { field: 'label', type: 'nominal', title: 'Dataset', scale: scales.color, legend: { ...legend } };
    const dash = { field: 'label', type: 'nominal', title: 'Dataset', scale: scales.dash, legend: { ...legend } };
    const shape = { field: 'label', type: 'nominal', title: 'Dataset', scale: scales.shape, legend: { ...legend } };
    const layers: VlSpec[] = [];
    if (p.bands.length) layers.push({ data: { values: p.bands }, mark: { type: 'area', opacity: o.series.length > 1 ? 0.12 : 0.18, clip: true }, encoding: { x, y: yLo, y2: { field: 'hi' }, color } });
    layers.push(...targetLayers(p.targets, x, p.d));
    if (p.lines.length) {
      layers.push({
        data: { values: p.lines },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: { x, y, color, strokeDash: dash, detail: { field: 'part' }, opacity: { field: 'segment', type: 'ordinal', title: 'Line', scale: { domain: [SEGMENT_FIT, SEGMENT_EXTRAPOLATED], range: [1, 0.45] }, legend: o.series.some((q) => q.law) ? { ...legend, symbolType: 'stroke' } : null } },
      });
    }
    const bars = p.points.filter((q) => q.lo !== undefined && q.hi !== undefined && !isUnconstrained([q.lo, q.hi], { kind: 'log' }));
    if (bars.length) layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.2, clip: true }, encoding: { x, y: yLo, y2: { field: 'hi' }, color: o.greyPoints ? { value: CONTEXT_COLOR } : color } });
    if (p.points.length) {
      // Hollow when not bracketed (Vega-Lite makes no legend for a discrete fillOpacity: such points are labelled where they are).
      const fill = { condition: { test: `datum.kind === ${JSON.stringify(KIND_UNBRACKETED)}`, value: 0 }, value: o.greyPoints ? 0.25 : 0.9 };
      layers.push({
        data: { values: p.points },
        mark: { type: 'point', filled: true, strokeWidth: 1.6, size: o.greyPoints ? 70 : 60, opacity: 1, clip: true },
        encoding: {
          x, y, shape, fillOpacity: fill,
          color: o.greyPoints ? { value: CONTEXT_COLOR } : color,
          stroke: o.greyPoints ? { value: '#555555' } : color,
          tooltip: [tip('label', 'dataset'), tip('kind', 'point'), ...(p.points.some((q) => q.run) ? [tip('run', 'run')] : []), tip('compute', 'C (FLOPs)', '.3~e'), tip('y', o.yTitle, '.4~g')],
        },
      });
      const unbracketed = p.points.filter((q) => q.kind === KIND_UNBRACKETED);
      if (unbracketed.length) layers.push(unbracketedLabels(unbracketed, x, y));
    }
    if (p.preds.length) {
      // An unconstrained interval (more than 3 decades) is not drawn as a bar: it would cover the panel; the tooltip and summary give it.
      const pb = p.preds.filter((q) => q.lo !== undefined && q.hi !== undefined && !isUnconstrained([q.lo, q.hi], { kind: 'log' }));
      if (pb.length) layers.push({ data: { values: pb }, mark: { type: 'rule', strokeWidth: 2, clip: true }, encoding: { x, y: yLo, y2: { field: 'hi' }, color } });
      layers.push({
        data: { values: p.preds },
        mark: { type: 'point', shape: 'square', filled: false, strokeWidth: 2, clip: true },
        encoding: {
          x, y, color,
          size: markLegend('size', LEGEND_PREDICTION, 'Predictions', legend),
          tooltip: [tip('label', 'dataset'), tip('target', 'target'), tip('compute', 'C (FLOPs)', '.3~e'), tip('y', o.yTitle, '.4~g'), tip('lo', 'interval low', '.3~g'), tip('hi', 'interval high', '.3~g'), tip('factor', '× beyond fitted compute', '.2~e')],
        },
      });
    }
    if (p.markers.length && o.markerLegend) {
      layers.push({
        data: { values: p.markers },
        mark: { type: 'point', shape: 'cross', filled: false, color: '#111111', clip: true },
        encoding: {
          x, y,
          size: { value: MARK_SIZE + 20 },
          strokeWidth: markLegend('strokeWidth', o.markerLegend, 'Reference models', legend),
          tooltip: [tip('label', 'model'), tip('compute', 'C (FLOPs)', '.3~e'), tip('y', o.yTitle, '.4~g')],
        },
      });
    }
    const far = p.far ? { title: { text: 'far extrapolation', fontSize: 11, subtitle: p.targets.map((t) => `${t.label} ${factor(t.factor)}`), subtitleFontSize: 10 } } : {};
    return { ...far, width: p.far ? FAR_WIDTH : PANEL.width, height: PANEL.height, layer: layers };
  });
  const title = o.title ? { title: o.title } : {};
  if (views.length === 1) return { ...title, ...views[0], ...(o.title ? { title: o.title } : {}) };
  return { ...title, hconcat: views, spacing: 14, resolve: { scale: { y: 'shared' } } };
}

/** Dotted rules at the targets with their names written across the top of the plot, staggered, aligned away from the edge. */
export function targetLayers(targets: ShownTarget[], x: Record<string, unknown>, domain: [number, number]): VlSpec[] {
  if (targets.length === 0) return [];
  const span = Math.log10(domain[1]) - Math.log10(domain[0]);
  const sorted = [...targets].sort((a, b) => a.compute - b.compute);
  const values = sorted.map((t, i) => {
    const pos = (Math.log10(t.compute) - Math.log10(domain[0])) / span;
    return { target: t.label, compute: t.compute, row: i % 3, align: pos > 0.6 ? 'right' : 'left' };
  });
  // The rule is labelled where it stands (its name at the top of the plot): that label is its legend.
  const rule: VlSpec = { data: { values }, mark: { type: 'rule', color: '#777777', strokeDash: [2, 3], strokeWidth: 1.2 }, encoding: { x } };
  // One text layer per (row, side): a pixel y per layer keeps the text off the panel's y scale.
  const groups = [...new Set(values.map((v) => `${v.row}|${v.align}`))];
  return [
    rule,
    ...groups.map((g): VlSpec => {
      const [row, align] = g.split('|');
      return {
        data: { values: values.filter((v) => `${v.row}|${v.align}` === g) },
        mark: { type: 'text', color: '#333333', align, baseline: 'top', dx: align === 'left' ? 3 : -3, fontSize: 10 },
        encoding: { x, y: { value: 4 + 13 * Number(row) }, text: { field: 'target' } },
      };
    }),
  ];
}

/** 'not bracketed' written next to each hollow optimum: the legend of that mark. */
export function unbracketedLabels(points: Record<string, unknown>[], x: Record<string, unknown>, y: Record<string, unknown>): VlSpec {
  const values = points.map((p) => ({ ...p, note: p.note ?? 'not bracketed' }));
  return { data: { values }, mark: { type: 'text', align: 'left', baseline: 'middle', dx: 7, fontSize: 9, color: '#444444', clip: true }, encoding: { x, y, text: { field: 'note' } } };
}
