// One log-log panel of a power law y(C) (paper Fig. 3 and Fig. 4b/c style): points, each dataset's fitted law with its band, extrapolation to target models, and the paper's law dashed.
import type { PowerLaw } from '../schema/laws.ts';
import { evalPowerLaw } from '../schema/laws.ts';
import type { BandPoint } from './bands.ts';
import type { ReportTarget, VlSpec } from './types.ts';
import { boundedDomain, colorScale, logChannel, logDomain, logspace, PANEL } from './style.ts';

export const SEGMENT_FIT = 'fit (within budgets)';
export const SEGMENT_EXTRAPOLATED = 'fit, extrapolated';
export const SEGMENT_REFERENCE = 'paper (reference)';

/** One dataset's contribution to a law panel. */
export interface LawSeries {
  label: string;
  law?: PowerLaw;
  /** Compute range the law was fitted on (solid line); outside it the line is dotted. */
  fitRange?: [number, number];
  /** Observed values (optima or near-optimal runs) with optional intervals. */
  points: { compute: number; y: number; lo?: number; hi?: number; kind: string }[];
  band?: (compute: number[]) => BandPoint[] | undefined;
  /** Predictions at target models with intervals. */
  predictions?: { label: string; compute: number; y: number; lo?: number; hi?: number }[];
  /** Target models as actually built (a fit's shape predictions: their real scale and tokens, not a law's optimum). */
  actual?: { label: string; compute: number; y: number }[];
}

export interface LawPanelOptions {
  yTitle: string;
  series: LawSeries[];
  reference?: { label: string; law: PowerLaw };
  targets: ReportTarget[];
  /** Draw points in grey with a shape per dataset (Fig. 3's near-optimal runs) instead of the dataset colour. */
  greyPoints?: boolean;
  title?: string;
  /** Where this panel's legends go (default: right of the chart). */
  legendOrient?: 'right' | 'bottom';
}

const N_CURVE = 60;
/** The paper's IsoFLOP budgets span 1e17 … 3e20 FLOPs (Sec. 3.2). */
export const PAPER_BUDGETS: [number, number] = [1e17, 3e20];
/** Point kinds and their shapes (circle, triangle, cross). */
export const POINT_KINDS = ['budget optimum', 'optimum, not bracketed', 'run'];

/** Shapes for the point kinds present, in POINT_KINDS order (an explicit domain would list absent kinds in the legend). */
function shapeScale(kinds: string[]): { domain: string[]; range: string[] } {
  const shapes = ['circle', 'triangle-up', 'cross'];
  const present = POINT_KINDS.map((k, i) => [k, shapes[i]]).filter(([k]) => kinds.includes(k));
  const extra = [...new Set(kinds.filter((k) => !POINT_KINDS.includes(k)))].map((k) => [k, 'diamond']);
  const all = [...present, ...extra];
  return { domain: all.map((a) => a[0]), range: all.map((a) => a[1]) };
}

/** The panel as a layered Vega-Lite view (no top-level config; combine with assemble()). */
export function lawPanel(o: LawPanelOptions): VlSpec {
  const labels = o.series.map((s) => s.label);
  const refLabel = o.reference?.label;
  const observed = o.series.flatMap((s) => [...s.points.map((p) => p.compute), ...(s.fitRange ?? [])]);
  // Laws without their budgets (a published file) are drawn from the paper's smallest budget on.
  const computes = [...(observed.length ? observed : [PAPER_BUDGETS[0]]), ...o.targets.map((t) => t.compute)];
  const [cLo, cHi] = logDomain(computes, 0.15);
  const grid = logspace(cLo, cHi, N_CURVE);
  const lines: Record<string, unknown>[] = [];
  const bands: Record<string, unknown>[] = [];
  for (const s of o.series) {
    if (!s.law) continue;
    const [fLo, fHi] = s.fitRange ?? [cLo, cHi];
    const within = grid.filter((c) => c >= fLo && c <= fHi);
    const below = [...grid.filter((c) => c < fLo), fLo];
    const above = [fHi, ...grid.filter((c) => c > fHi)];
    for (const c of [fLo, ...within, fHi]) lines.push({ label: s.label, compute: c, y: evalPowerLaw(s.law, c), segment: SEGMENT_FIT, part: 'fit' });
    if (below.length > 1) for (const c of below) lines.push({ label: s.label, compute: c, y: evalPowerLaw(s.law, c), segment: SEGMENT_EXTRAPOLATED, part: 'below' });
    if (above.length > 1) for (const c of above) lines.push({ label: s.label, compute: c, y: evalPowerLaw(s.law, c), segment: SEGMENT_EXTRAPOLATED, part: 'above' });
    for (const b of s.band?.(grid) ?? []) bands.push({ label: s.label, compute: b.compute, lo: b.lo, hi: b.hi });
  }
  if (o.reference) for (const c of grid) lines.push({ label: o.reference.label, compute: c, y: evalPowerLaw(o.reference.law, c), segment: SEGMENT_REFERENCE, part: 'ref' });
  const points = o.series.flatMap((s) => s.points.map((p) => ({ label: s.label, dataset: s.label, ...p })));
  const preds = o.series.flatMap((s) => (s.predictions ?? []).map((p) => ({ series: s.label, ...p, label: s.label, target: p.label })));
  // Estimates and lines set the range; intervals and bands may widen it by half the core span at most, and are clipped beyond.
  const core = [...points.map((p) => p.y), ...lines.map((l) => l.y as number), ...preds.map((p) => p.y), ...o.series.flatMap((s) => (s.actual ?? []).map((a) => a.y))];
  const extra = [...points.flatMap((p) => [p.lo ?? p.y, p.hi ?? p.y]), ...preds.flatMap((p) => [p.lo ?? p.y, p.hi ?? p.y])];
  const yDomain = boundedDomain(core, extra, { log: true, maxGrow: 0.25, pad: 0.04 });
  const x = logChannel('compute', 'Compute C (FLOPs)', [cLo, cHi]);
  const y = logChannel('y', o.yTitle, yDomain);
  const colors = colorScale(labels, refLabel);
  const legend = o.legendOrient === 'bottom' ? { orient: 'bottom', direction: 'vertical' } : undefined;
  const color = { field: 'label', type: 'nominal', title: 'Dataset', scale: colors, ...(legend ? { legend } : {}) };
  const layers: VlSpec[] = [];
  if (bands.length) layers.push({ data: { values: bands }, mark: { type: 'area', opacity: o.series.length > 1 ? 0.1 : 0.16, clip: true }, encoding: { x, y: { ...logChannel('lo', o.yTitle, yDomain) }, y2: { field: 'hi' }, color } });
  if (o.targets.length) {
    const t = o.targets.map((tg) => ({ target: tg.label, compute: tg.compute }));
    layers.push({ data: { values: t }, mark: { type: 'rule', color: '#888888', strokeDash: [1, 3] }, encoding: { x } });
    layers.push({ data: { values: t }, mark: { type: 'text', color: '#444444', angle: 90, align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 10, clip: false }, encoding: { x, y: { value: 0 }, text: { field: 'target' } } });
  }
  if (lines.length) {
    // Only the line kinds drawn (an explicit domain would list absent ones in the legend).
    const kinds = ([[SEGMENT_FIT, [1, 0]], [SEGMENT_EXTRAPOLATED, [2, 3]], [SEGMENT_REFERENCE, [7, 4]]] as const).filter(([k]) => lines.some((l) => l.segment === k));
    const dash = { field: 'segment', type: 'nominal', title: 'Line', scale: { domain: kinds.map((k) => k[0]), range: kinds.map((k) => k[1]) }, ...(legend ? { legend } : {}) };
    layers.push({ data: { values: lines }, mark: { type: 'line', strokeWidth: 1.8, clip: true }, encoding: { x, y, color, strokeDash: dash, detail: { field: 'part' } } });
  }
  const withBars = points.filter((p) => p.lo !== undefined && p.hi !== undefined);
  if (withBars.length) layers.push({ data: { values: withBars }, mark: { type: 'rule', strokeWidth: 1.2, clip: true }, encoding: { x, y: { ...logChannel('lo', o.yTitle, yDomain) }, y2: { field: 'hi' }, color: o.greyPoints ? { value: '#999999' } : color } });
  if (points.length) {
    const enc: Record<string, unknown> = o.greyPoints
      ? { x, y, color: { value: '#8a8a8a' }, shape: { field: 'dataset', type: 'nominal', title: 'Near-optimal runs' } }
      : { x, y, color, shape: { field: 'kind', type: 'nominal', title: 'Points', scale: shapeScale(points.map((p) => p.kind)) } };
    enc.tooltip = [{ field: 'label' }, { field: 'compute', format: '.3e' }, { field: 'y', format: '.4g' }];
    // Grey runs of several datasets often coincide (same grid): hollow shapes keep each one visible.
    layers.push({ data: { values: points }, mark: { type: 'point', filled: !o.greyPoints, strokeWidth: 1.5, size: o.greyPoints ? 60 : 44, opacity: 0.85, clip: true }, encoding: enc });
  }
  if (preds.length) {
    const bars = preds.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (bars.length) layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 2, clip: true }, encoding: { x, y: { ...logChannel('lo', o.yTitle, yDomain) }, y2: { field: 'hi' }, color } });
    layers.push({
      data: { values: preds },
      mark: { type: 'point', shape: 'square', filled: false, strokeWidth: 2, size: 90, clip: true },
      encoding: { x, y, color, tooltip: [{ field: 'target' }, { field: 'y', format: '.4g' }, { field: 'lo', format: '.4g' }, { field: 'hi', format: '.4g' }] },
    });
  }
  // The same model seen by several fits lands on the same spot: draw it once.
  const actual = [...new Map(o.series.flatMap((s) => s.actual ?? []).map((a) => [`${a.label}@${a.compute.toPrecision(4)}@${a.y.toPrecision(4)}`, a])).values()];
  if (actual.length) {
    layers.push({
      data: { values: actual.map((a) => ({ ...a, target: a.label })) },
      mark: { type: 'point', shape: 'cross', filled: true, size: 110, color: '#222222', opacity: 0.9, clip: true },
      encoding: { x, y, tooltip: [{ field: 'target' }, { field: 'compute', format: '.3e' }, { field: 'y', format: '.4g' }] },
    });
  }
  return { ...(o.title ? { title: o.title } : {}), width: PANEL.width, height: PANEL.height, layer: layers };
}

