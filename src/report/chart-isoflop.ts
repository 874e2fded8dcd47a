// Chart 1, IsoFLOP curves (paper Fig. 4a): loss against model scale per budget, each budget's fitted parabola in log10(scale) and its optimum.
import type { ChartSpec, ReportDataset, VlSpec } from './types.ts';
import { assemble, logChannel, logDomain, lossTitle, PANEL } from './style.ts';

/** 1e18, 3e18, 2.5e19: a budget as the grids name it. */
export function budgetLabel(c: number): string {
  return Number(c.toPrecision(2)).toExponential().replace('e+', 'e');
}

export const OPTIMUM = 'optimum (bracketed)';
export const USED = 'run in the parabola window';
export const UNUSED = 'run outside it (not fitted)';
export const OPTIMUM_UNBRACKETED = 'optimum, not bracketed';

/** Samples the approach-2 parabola loss = c0 + c1·x + c2·x², x = log10(scale), over [lo, hi]. */
export function parabolaPoints(p: { c0: number; c1: number; c2: number }, lo: number, hi: number, n = 40): { scale: number; loss: number }[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => {
    const x = a + ((b - a) * i) / (n - 1);
    return { scale: Math.pow(10, x), loss: p.c0 + p.c1 * x + p.c2 * x * x };
  });
}

/** Distinct colours for budgets in increasing order (neighbouring budgets must stay apart, so a categorical palette). */
export function budgetColors(labels: string[]): { domain: string[]; range: string[] } {
  const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#17becf', '#1f3b73'];
  return { domain: labels, range: labels.map((_, i) => palette[i % palette.length]) };
}

/** 'comma · 7 budgets · all optima bracketed' */
function subtitle(ds: ReportDataset): string {
  const used = ds.laws.details!.optima.filter((o) => !o.dropped);
  const unb = used.filter((o) => !o.bracketed).length;
  const dropped = ds.laws.details!.optima.length - used.length;
  return [...(ds.laws.dataset !== ds.label ? [ds.laws.dataset] : []), `${used.length} budgets`, unb ? `${unb} optimum not bracketed` : 'all optima bracketed', ...(dropped ? [`${dropped} dropped`] : [])].join(' · ');
}

/** Budgets of a file's optima and points, ascending. */
function budgetsOf(ds: ReportDataset): number[] {
  const d = ds.laws.details;
  return [...new Set([...(d?.optima ?? []).map((o) => o.budget), ...(d?.points ?? []).map((p) => p.budget)])].sort((a, b) => a - b);
}

/** `allBudgets`: every panel's budgets, so one budget has one colour across panels. */
function panel(ds: ReportDataset, index: number, allBudgets: number[]): VlSpec | undefined {
  const d = ds.laws.details;
  if (!d || d.optima.length === 0) return undefined;
  const rep = ds.laws.representation;
  const mine = new Set(budgetsOf(ds).map(budgetLabel));
  const palette = budgetColors(allBudgets.map(budgetLabel));
  const keep = palette.domain.map((l, i) => [l, palette.range[i]]).filter(([l]) => mine.has(l));
  const colorScaleDef = { domain: keep.map((k) => k[0]), range: keep.map((k) => k[1]) };
  // A point is 'used' when its scale lies inside its budget's parabola window (approach 2 fits only those).
  const windows = new Map(d.optima.filter((o) => !o.dropped).map((o) => [o.budget, o.window]));
  const inWindow = (budget: number, scale: number) => {
    if (!windows.has(budget)) return false;
    const w = windows.get(budget);
    return !w || (scale >= w[0] * (1 - 1e-9) && scale <= w[1] * (1 + 1e-9));
  };
  const points = d.points.filter((p) => Number.isFinite(p.loss)).map((p) => ({ budget: budgetLabel(p.budget), scale: p.scale, loss: p.loss, run: p.runId, used: inWindow(p.budget, p.scale) ? USED : UNUSED }));
  const curves: Record<string, unknown>[] = [];
  const optima: Record<string, unknown>[] = [];
  for (const o of d.optima) {
    if (o.dropped) continue;
    const own = d.points.filter((p) => p.budget === o.budget).map((p) => p.scale);
    const lo = o.window?.[0] ?? (own.length ? Math.min(...own) : o.scaleOpt / 3);
    const hi = o.window?.[1] ?? (own.length ? Math.max(...own) : o.scaleOpt * 3);
    if (o.parabola) {
      // Draw the parabola over the fitted window, and on to the optimum when it lies outside (unbracketed).
      const from = Math.min(lo, o.scaleOpt);
      const to = Math.max(hi, o.scaleOpt);
      for (const q of parabolaPoints(o.parabola, from, to)) curves.push({ budget: budgetLabel(o.budget), ...q, bracketed: o.bracketed ? 'yes' : 'no' });
    }
    optima.push({ budget: budgetLabel(o.budget), scale: o.scaleOpt, loss: o.lossOpt, status: o.bracketed ? OPTIMUM : OPTIMUM_UNBRACKETED, warnings: o.warnings.join('; ') });
  }
  const xs = [...points.map((p) => p.scale), ...optima.map((o) => o.scale as number)];
  const ys = [...points.map((p) => p.loss), ...optima.map((o) => o.loss as number)];
  const yLo = Math.min(...ys);
  const yHi = Math.max(...ys);
  const pad = (yHi - yLo) * 0.06 || 0.05;
  const x = logChannel('scale', `Model scale ${rep} (FLOPs/token)`, logDomain(xs, 0.08));
  const y = { field: 'loss', type: 'quantitative', title: lossTitle(ds.laws.units.loss), scale: { zero: false, domain: [yLo - pad, yHi + pad] } };
  const color = { field: 'budget', type: 'ordinal', title: 'Budget C (FLOPs)', scale: colorScaleDef };
  return {
    title: { text: ds.label, subtitle: subtitle(ds) },
    width: PANEL.width,
    height: PANEL.height,
    layer: [
      { data: { values: points }, mark: { type: 'point', filled: true, size: 36, clip: true }, encoding: { x, y, color, opacity: { field: 'used', type: 'ordinal', title: 'Runs', scale: { domain: [USED, UNUSED], range: [0.85, 0.25] } }, tooltip: [{ field: 'run' }, { field: 'scale', format: '.3e' }, { field: 'loss', format: '.4f' }] } },
      {
        data: { values: curves },
        mark: { type: 'line', strokeWidth: 1.6, clip: true },
        encoding: { x, y, color, detail: { field: 'budget' }, strokeDash: { field: 'bracketed', type: 'nominal', scale: { domain: ['yes', 'no'], range: [[1, 0], [4, 3]] }, legend: null } },
      },
      {
        name: `optima_${index}`,
        data: { values: optima },
        mark: { type: 'point', filled: true, size: 150, stroke: 'black', strokeWidth: 1.2, opacity: 1 },
        encoding: {
          x,
          y,
          color,
          shape: { field: 'status', type: 'nominal', title: 'Marker', scale: { domain: [OPTIMUM, OPTIMUM_UNBRACKETED], range: ['diamond', 'triangle-up'] } },
          tooltip: [{ field: 'budget' }, { field: 'scale', format: '.3e' }, { field: 'loss', format: '.4f' }, { field: 'status' }, { field: 'warnings' }],
        },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  };
}

/** One IsoFLOP panel per dataset with details (absent when none has any). */
export function isoflopChart(datasets: ReportDataset[]): ChartSpec | undefined {
  const all = [...new Set(datasets.flatMap(budgetsOf))].sort((a, b) => a - b);
  const panels = datasets.map((d, i) => panel(d, i, all)).filter((p): p is VlSpec => p !== undefined);
  if (panels.length === 0) return undefined;
  return {
    id: 'isoflop',
    title: 'IsoFLOP curves',
    caption: 'Final loss of every run against model scale, one colour per compute budget, with the parabola in log10(scale) fitted per budget (approach 2). Diamonds mark each budget\'s optimum; a triangle and a dashed parabola mark an optimum that lies outside the sampled scales (not bracketed: extrapolated, treat with care).',
    spec: assemble('IsoFLOP curves: loss vs model scale per compute budget', panels, { columns: 2, resolve: { scale: { color: 'independent', shape: 'independent', opacity: 'independent' } } }),
  };
}
