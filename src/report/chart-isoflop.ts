// Chart: IsoFLOP curves (paper Fig. 4a): loss against model scale per budget, each budget's fitted parabola in log10(scale), its
// optimum labelled with the budget; one panel per dataset, panels of the same loss units and representation on shared axes.
import type { ChartKind, ChartSpec, ReportDataset, ReportInput, VlSpec } from './types.ts';
import { assemble, linearChannel, logChannel, logDomain, lossTitle, orderedColors, PANEL, tip } from './style.ts';
import { sci } from '../util/format.ts';

/** 1e18, 3e18, 2.5e19: a budget as the grids name it. */
export function budgetLabel(c: number): string {
  return sci(Number(c.toPrecision(2)), Number(c.toPrecision(2)) === Number(c.toPrecision(1)) ? 0 : 1);
}

export const OPTIMUM = 'optimum (bracketed)';
export const USED = 'run in the parabola window';
export const UNUSED = 'run outside it (not fitted)';
export const OPTIMUM_UNBRACKETED = 'optimum, not bracketed';
export const OPTIMUM_OUTSIDE = "vertex outside the data minimum's bracket";

/** How an optimum is drawn: bracketed, not bracketed, or a vertex outside the interval between the data minimum's neighbours. */
function optimumStatus(o: { bracketed: boolean; bracket?: [number, number]; scaleOpt: number }): string {
  if (!o.bracketed) return OPTIMUM_UNBRACKETED;
  return o.bracket && (o.scaleOpt < o.bracket[0] || o.scaleOpt > o.bracket[1]) ? OPTIMUM_OUTSIDE : OPTIMUM;
}

/** Samples the approach-2 parabola loss = c0 + c1·x + c2·x², x = log10(scale), over [lo, hi]. */
export function parabolaPoints(p: { c0: number; c1: number; c2: number }, lo: number, hi: number, n = 40): { scale: number; loss: number }[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => {
    const x = a + ((b - a) * i) / (n - 1);
    return { scale: Math.pow(10, x), loss: p.c0 + p.c1 * x + p.c2 * x * x };
  });
}

/** Budget colours in increasing order of budget (an ordered, colour-blind-safe scale; one budget has one colour on every panel). */
export function budgetColors(labels: string[]): Record<string, unknown> {
  return orderedColors(labels);
}

/** Datasets with at least one budget optimum that was not dropped (a hyperparameter study has none: one shape per budget). */
export function isoflopDatasets(datasets: ReportDataset[]): ReportDataset[] {
  return datasets.filter((d) => (d.laws.details?.optima ?? []).some((o) => !o.dropped));
}

/** 'comma · 7 budgets · all optima bracketed' */
function subtitle(ds: ReportDataset): string {
  const used = ds.laws.details!.optima.filter((o) => !o.dropped);
  const unb = used.filter((o) => !o.bracketed).length;
  const dropped = ds.laws.details!.optima.length - used.length;
  const outside = used.filter((o) => optimumStatus(o) === OPTIMUM_OUTSIDE).length;
  return [...(ds.laws.dataset !== ds.label ? [ds.laws.dataset] : []), `${used.length} budget${used.length === 1 ? '' : 's'}`, unb ? `${unb} optimum not bracketed` : 'all optima bracketed', ...(outside ? [`${outside} vertex outside its bracket`] : []), ...(dropped ? [`${dropped} dropped`] : [])].join(' · ');
}

interface PanelData {
  points: { budget: string; scale: number; loss: number; run: string; used: string }[];
  curves: Record<string, unknown>[];
  optima: { budget: string; scale: number; loss: number; status: string; warnings: string }[];
}

function panelData(ds: ReportDataset): PanelData {
  const d = ds.laws.details!;
  // A point is 'used' when its scale lies inside its budget's parabola window (approach 2 fits only those).
  const windows = new Map(d.optima.filter((o) => !o.dropped).map((o) => [o.budget, o.window]));
  const inWindow = (budget: number, scale: number) => {
    if (!windows.has(budget)) return false;
    const w = windows.get(budget);
    return !w || (scale >= w[0] * (1 - 1e-9) && scale <= w[1] * (1 + 1e-9));
  };
  const points = d.points.filter((p) => Number.isFinite(p.loss)).map((p) => ({ budget: budgetLabel(p.budget), scale: p.scale, loss: p.loss, run: p.runId, used: inWindow(p.budget, p.scale) ? USED : UNUSED }));
  const curves: Record<string, unknown>[] = [];
  const optima: PanelData['optima'] = [];
  for (const o of d.optima) {
    if (o.dropped) continue;
    const own = d.points.filter((p) => p.budget === o.budget).map((p) => p.scale);
    const lo = o.window?.[0] ?? (own.length ? Math.min(...own) : o.scaleOpt / 3);
    const hi = o.window?.[1] ?? (own.length ? Math.max(...own) : o.scaleOpt * 3);
    if (o.parabola) {
      // The parabola over its fitted window, and on to the optimum when that lies outside (unbracketed).
      for (const q of parabolaPoints(o.parabola, Math.min(lo, o.scaleOpt), Math.max(hi, o.scaleOpt))) curves.push({ budget: budgetLabel(o.budget), ...q, bracketed: o.bracketed ? 'yes' : 'no' });
    }
    optima.push({ budget: budgetLabel(o.budget), scale: o.scaleOpt, loss: o.lossOpt, status: optimumStatus(o), warnings: o.warnings.map(String).join('; ') });
  }
  return { points, curves, optima };
}

function panel(ds: ReportDataset, index: number, data: PanelData, allBudgets: string[], xDomain: [number, number], yDomain: [number, number], statuses: string[]): VlSpec {
  const rep = ds.laws.representation;
  const units = ds.laws.units.loss;
  const x = logChannel('scale', `Model scale ${rep} (FLOPs/token)`, xDomain);
  const y = linearChannel('loss', lossTitle(units), yDomain);
  const color = { field: 'budget', type: 'ordinal', title: 'Budget C (FLOPs)', scale: budgetColors(allBudgets), sort: allBudgets };
  return {
    title: { text: ds.label, subtitle: subtitle(ds) },
    width: PANEL.width,
    height: PANEL.height,
    layer: [
      { data: { values: data.points }, mark: { type: 'point', filled: true, size: 40, clip: true }, encoding: { x, y, color, opacity: { field: 'used', type: 'ordinal', title: 'Runs', scale: { domain: [USED, UNUSED], range: [0.9, 0.3] } }, tooltip: [tip('run', 'run'), tip('budget', 'C (FLOPs)'), tip('scale', `${rep} (FLOPs/token)`, '.3~e'), tip('loss', `loss (${units})`, '.4f'), tip('used', 'parabola')] } },
      { data: { values: data.curves }, mark: { type: 'line', strokeWidth: 1.8, clip: true }, encoding: { x, y, color, detail: { field: 'budget' }, strokeDash: { field: 'bracketed', type: 'nominal', scale: { domain: ['yes', 'no'], range: [[1, 0], [4, 3]] }, legend: null } } },
      {
        name: `optima_${index}`,
        data: { values: data.optima },
        mark: { type: 'point', filled: true, size: 150, stroke: 'black', strokeWidth: 1.2, opacity: 1, clip: true },
        encoding: { x, y, color, shape: { field: 'status', type: 'nominal', title: 'Optimum', scale: { domain: statuses, range: statuses.map((s) => (s === OPTIMUM ? 'diamond' : s === OPTIMUM_OUTSIDE ? 'square' : 'triangle-up')) } }, tooltip: [tip('budget', 'C (FLOPs)'), tip('scale', `${rep}_opt (FLOPs/token)`, '.3~e'), tip('loss', `L_opt (${units})`, '.4f'), tip('status', 'optimum'), tip('warnings', 'warnings')] },
      },
      // The budget written under its optimum: a second channel for the budget besides colour.
      { data: { values: data.optima }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 7, dy: 4, fontSize: 10, color: '#222222', clip: true }, encoding: { x, y, text: { field: 'budget' } } },
    ],
  };
}

export function isoflopChart(input: ReportInput | ReportDataset[]): ChartSpec | undefined {
  const datasets = isoflopDatasets(Array.isArray(input) ? input : input.datasets);
  if (datasets.length === 0) return undefined;
  const data = datasets.map(panelData);
  const allBudgets = [...new Set(datasets.flatMap((d) => [...d.laws.details!.optima.filter((o) => !o.dropped).map((o) => o.budget), ...d.laws.details!.points.map((p) => p.budget)]))].sort((a, b) => a - b).map(budgetLabel);
  // Shared axes across panels with the same loss units and representation: one range to compare datasets by eye.
  const key = (d: ReportDataset) => `${d.laws.units.loss}|${d.laws.representation}`;
  const domains = new Map<string, { x: [number, number]; y: [number, number] }>();
  for (const k of new Set(datasets.map(key))) {
    const mine = data.filter((_, i) => key(datasets[i]) === k);
    const xs = mine.flatMap((m) => [...m.points.map((p) => p.scale), ...m.optima.map((o) => o.scale)]);
    const ys = mine.flatMap((m) => [...m.points.map((p) => p.loss), ...m.optima.map((o) => o.loss)]).filter(Number.isFinite);
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const pad = (hi - lo) * 0.07 || 0.05;
    domains.set(k, { x: logDomain(xs, 0.08), y: [lo - pad, hi + pad] });
  }
  // One marker scale for every panel (statuses of all panels, in a fixed order).
  const statuses = [OPTIMUM, OPTIMUM_OUTSIDE, OPTIMUM_UNBRACKETED].filter((st) => data.some((m) => m.optima.some((o) => o.status === st)));
  const panels = datasets.map((d, i) => panel(d, i, data[i], allBudgets, domains.get(key(d))!.x, domains.get(key(d))!.y, statuses));
  const dropped = (Array.isArray(input) ? input : input.datasets).filter((d) => !datasets.includes(d));
  return {
    id: 'isoflop',
    title: 'IsoFLOP curves',
    caption: `Final loss of every run against its model scale, one colour per compute budget (ordered from dark to light) with the budget written under its optimum; the curve is the budget's parabola in log10(scale) fitted on the runs in its window (faded runs lie outside it), the diamond its minimum (a square when the vertex lies outside the interval between the data minimum's neighbours, a triangle and a dashed curve when the minimum is not bracketed by the runs). Panels of the same loss units share their axes.${dropped.length ? ` No IsoFLOP curve for ${dropped.map((d) => d.label).join(', ')}: no budget has runs at three or more model scales (e.g. a hyperparameter study, one shape per budget).` : ''}`,
    spec: assemble('IsoFLOP curves: loss vs model scale per compute budget (paper Fig. 4a)', panels, { columns: 2, resolve: { scale: { color: 'shared' } } }),
  };
}

export const isoflopKind: ChartKind = { id: 'isoflop', build: (input) => isoflopChart(input) };
