// Shared chart vocabulary: colours per dataset, log axes with 1e17-style labels, log-spaced sampling, font and sizes.

/** Font family every chart uses; the PNG rasteriser is given exactly this font (npm dejavu-fonts-ttf). */
export const FONT = 'DejaVu Sans';
export const PANEL = { width: 360, height: 260 };
/** Colour of the paper's reference laws and of context points. */
export const REFERENCE_COLOR = '#555555';
export const CONTEXT_COLOR = '#9e9e9e';
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** Colour scale: one colour per label, in order; the reference label (if any) in grey. */
export function colorScale(labels: string[], reference?: string): { domain: string[]; range: string[] } {
  const domain = [...labels];
  const range = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  if (reference !== undefined) {
    domain.push(reference);
    range.push(REFERENCE_COLOR);
  }
  return { domain, range };
}

/** n points log-spaced over [lo, hi] (inclusive). */
export function logspace(lo: number, hi: number, n: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => Math.pow(10, a + ((b - a) * i) / (n - 1)));
}

/** Tick values for a log axis over [lo, hi]: the powers of ten inside, plus 2× and 5× when the range spans under two decades. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const span = Math.log10(hi) - Math.log10(lo);
  const mults = span < 3 ? [1, 2, 5] : [1];
  const step = span > 8 ? 2 : 1;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e += step) {
    for (const m of mults) {
      const v = m * Math.pow(10, e);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/** The domain [lo, hi] of positive values, widened by `pad` decades on each side. */
export function logDomain(values: number[], pad = 0.1): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return [1, 10];
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return [lo / Math.pow(10, pad), hi * Math.pow(10, pad)];
}

/**
 * An axis range that always shows the `core` values (estimates, fitted lines) and stretches for `extra` values (interval ends)
 * by at most `maxGrow` × the core span on each side (in decades when `log`): one absurd interval must not flatten the chart.
 * Marks beyond the range are clipped; the page's text gives the numbers.
 */
export function boundedDomain(core: number[], extra: number[], opts: { log: boolean; maxGrow: number; pad: number }): [number, number] {
  const f = (v: number) => (opts.log ? Math.log10(v) : v);
  const inv = (v: number) => (opts.log ? Math.pow(10, v) : v);
  const ok = (v: number) => Number.isFinite(v) && (!opts.log || v > 0);
  const c = core.filter(ok).map(f);
  if (c.length === 0) return opts.log ? [1, 10] : [0, 1];
  let lo = Math.min(...c);
  let hi = Math.max(...c);
  const span = Math.max(hi - lo, opts.log ? 0.5 : Math.abs(hi) * 0.05 || 0.1);
  const e = extra.filter(ok).map(f);
  if (e.length) {
    lo = Math.max(Math.min(lo, ...e), lo - opts.maxGrow * span);
    hi = Math.min(Math.max(hi, ...e), hi + opts.maxGrow * span);
  }
  const pad = (hi - lo) * opts.pad;
  return [inv(lo - pad), inv(hi + pad)];
}

/** A quantitative log-scale encoding channel with readable tick labels (1e17, 3e18 …). */
export function logChannel(field: string, title: string, domain: [number, number]): Record<string, unknown> {
  return {
    field,
    type: 'quantitative',
    title,
    scale: { type: 'log', domain, nice: false },
    axis: { values: logTicks(domain[0], domain[1]), labelExpr: "replace(format(datum.value, '.0e'), 'e+', 'e')", grid: true },
  };
}

/** Top-level config: fonts, sizes, legend placement, white background. */
export function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    background: 'white',
    padding: 8,
    title: { font: FONT, fontSize: 14, anchor: 'start' },
    axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12, labelOverlap: true },
    legend: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 11, labelLimit: 260, orient: 'right', symbolOpacity: 1 },
    header: { labelFont: FONT, titleFont: FONT, labelFontSize: 12 },
    text: { font: FONT },
    view: { stroke: '#cccccc' },
    concat: { spacing: 28 },
  };
}

/** Wraps panels into one spec with a title and the shared config; numbers are kept to 6 significant digits (far below a pixel). */
export function assemble(title: string, panels: Record<string, unknown>[], opts: { columns?: number; resolve?: Record<string, unknown> } = {}): Record<string, unknown> {
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, config: baseConfig() };
  const spec: Record<string, unknown> = panels.length === 1 ? { ...base, ...panels[0] } : { ...base, concat: panels, columns: opts.columns ?? 2 };
  if (panels.length > 1 && opts.resolve) spec.resolve = opts.resolve;
  return JSON.parse(JSON.stringify(spec, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v)));
}

/** Unit label for an axis: a file's `units.loss` with a readable name. */
export function lossTitle(units: string): string {
  return `Loss (${units})`;
}

/** Short scientific number for labels: 8.66e23. */
export function sciLabel(x: number, digits = 2): string {
  return x.toExponential(digits).replace('e+', 'e');
}
