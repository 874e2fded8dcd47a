// Shared chart vocabulary: a colour-blind-safe palette with a second channel per series (dash for lines, shape for points), log
// axes with 1e17-style labels, bounded ranges, log-spaced sampling, fonts and sizes.

/** Font family every chart uses; the PNG rasteriser is given exactly this font (npm dejavu-fonts-ttf). */
export const FONT = 'DejaVu Sans';
export const PANEL = { width: 360, height: 260 };
/** Colour of the paper's reference laws and of context marks. */
export const REFERENCE_COLOR = '#666666';
export const CONTEXT_COLOR = '#8a8a8a';

/** Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, reddish purple, orange, sky blue, yellow). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442'];
/** Dash patterns per series (the second channel of lines): solid, long dash, dots, dash-dot, short dash, dash-dot-dot. */
export const DASHES: number[][] = [[1, 0], [8, 3], [2, 2], [8, 3, 2, 3], [4, 2], [8, 2, 2, 2, 2, 2]];
/** The reference law's dash (distinct from every series dash). */
export const REFERENCE_DASH = [12, 4];
/** Point shapes per series (the second channel of points). */
export const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'triangle-down', 'cross'];
/** Two-colour pair for a and b (Okabe–Ito blue and orange: safe for every colour-vision deficiency). */
export const PAIR = ['#0072B2', '#E69F00'];

/** Scales of one set of series: colour, dash and shape per label, the reference (if any) in grey with its own dash. */
export interface SeriesScales {
  color: { domain: string[]; range: string[] };
  dash: { domain: string[]; range: number[][] };
  shape: { domain: string[]; range: string[] };
}

export function seriesScales(labels: string[], reference?: string): SeriesScales {
  const domain = [...labels, ...(reference !== undefined ? [reference] : [])];
  return {
    color: { domain, range: domain.map((_, i) => (i < labels.length ? PALETTE[i % PALETTE.length] : REFERENCE_COLOR)) },
    dash: { domain, range: domain.map((_, i) => (i < labels.length ? DASHES[i % DASHES.length] : REFERENCE_DASH)) },
    shape: { domain, range: domain.map((_, i) => (i < labels.length ? SHAPES[i % SHAPES.length] : 'stroke')) },
  };
}

/** Colour scale only: one colour per label, in order; the reference label (if any) in grey. */
export function colorScale(labels: string[], reference?: string): { domain: string[]; range: string[] } {
  return seriesScales(labels, reference).color;
}

/** An ordered quantity (budgets, learning rates): viridis without its pale yellow end, so every colour reads on white. */
export function orderedColors(labels: string[]): { domain: string[]; scheme: { name: string; extent: [number, number] } } {
  return { domain: labels, scheme: { name: 'viridis', extent: [0, 0.82] } };
}

/** n points log-spaced over [lo, hi] (inclusive). */
export function logspace(lo: number, hi: number, n: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => Math.pow(10, a + ((b - a) * i) / (n - 1)));
}

/** Tick values for a log axis over [lo, hi]: powers of ten inside, plus 2× and 5× under three decades, 3× under one and a half. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const span = Math.log10(hi) - Math.log10(lo);
  const mults = span < 1.2 ? [1, 2, 3, 5] : span < 3 ? [1, 2, 5] : [1];
  const step = span > 8 ? 2 : 1;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e += step) {
    for (const m of mults) {
      const v = m * Math.pow(10, e);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  // A narrow window may hold no tick at all: label its ends.
  return ticks.length >= 2 ? ticks : [lo, hi];
}

/** Ticks for a linear axis over [lo, hi]: a 1-2-5 step giving at most `max` labels (so labels never collide). */
export function linearTicks(lo: number, hi: number, max = 7): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / max;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = Math.ceil(lo / step - 1e-9); k <= Math.floor(hi / step + 1e-9); k++) out.push(Number((k * step).toFixed(decimals)) || 0);
  return out;
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
  if (hi - lo < (opts.log ? 0.3 : 1e-9)) {
    const mid = (lo + hi) / 2;
    const half = opts.log ? 0.15 : Math.max(Math.abs(mid) * 0.02, 0.01);
    lo = mid - half;
    hi = mid + half;
  }
  const pad = (hi - lo) * opts.pad;
  return [inv(lo - pad), inv(hi + pad)];
}

/** Vega expression formatting a log-axis tick: 1e17, 3e18, 2.5e-3. */
export const LOG_LABEL_EXPR = "replace(format(datum.value, '.2~e'), 'e+', 'e')";

/** A quantitative log-scale encoding channel with readable tick labels (1e17, 3e18 …). */
export function logChannel(field: string, title: string, domain: [number, number]): Record<string, unknown> {
  return {
    field,
    type: 'quantitative',
    title,
    scale: { type: 'log', domain, nice: false },
    axis: { values: logTicks(domain[0], domain[1]), labelExpr: LOG_LABEL_EXPR, grid: true, labelOverlap: 'greedy', labelSeparation: 4 },
  };
}

/** A linear quantitative channel with non-colliding ticks. */
export function linearChannel(field: string, title: string | null, domain: [number, number], format = '~r'): Record<string, unknown> {
  return { field, type: 'quantitative', title, scale: { domain, zero: false, nice: false }, axis: { values: linearTicks(domain[0], domain[1], 6), format, labelOverlap: 'greedy', labelSeparation: 4 } };
}

/** Top-level config: fonts, sizes, legend placement, white background. */
export function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    background: 'white',
    padding: 10,
    title: { font: FONT, fontSize: 14, anchor: 'start', subtitleFont: FONT, subtitleFontSize: 11, subtitleColor: '#555555' },
    axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12, labelOverlap: true, labelFlush: true },
    legend: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 11, labelLimit: 300, titleLimit: 300, orient: 'right', symbolOpacity: 1 },
    header: { labelFont: FONT, titleFont: FONT, labelFontSize: 12 },
    text: { font: FONT },
    view: { stroke: '#cccccc' },
    concat: { spacing: 32 },
  };
}

/** Wraps panels into one spec with a title and the shared config; numbers are kept to 6 significant digits (far below a pixel). */
export function assemble(title: string, panels: Record<string, unknown>[], opts: { columns?: number; resolve?: Record<string, unknown>; subtitle?: string } = {}): Record<string, unknown> {
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: opts.subtitle ? { text: title, subtitle: opts.subtitle } : title, config: baseConfig() };
  const single = panels.length === 1 && !('title' in panels[0]);
  const spec: Record<string, unknown> = single ? { ...base, ...panels[0] } : { ...base, concat: panels, columns: opts.columns ?? 2 };
  if (!single && opts.resolve) spec.resolve = opts.resolve;
  return JSON.parse(JSON.stringify(spec, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v)));
}

/** Unit label for an axis: a file's `units.loss` with a readable name. */
export function lossTitle(units: string): string {
  return `Loss (${units})`;
}

/** A tooltip field with its unit in the title and a number format. */
export function tip(field: string, title: string, format?: string): Record<string, unknown> {
  return { field, title, ...(format ? { format } : {}) };
}

/** Mark size of constant marks (predictions, reference models). */
export const MARK_SIZE = 110;

/**
 * A legend entry for a mark of constant appearance: a datum on a channel the view uses for nothing else (Vega-Lite then draws
 * the legend symbol like the mark itself: □ for predictions, ✚ for models as trained). `size` and `strokeWidth` give two such legends (Vega-Lite makes legends of datum channels only for size, strokeWidth and opacity).
 */
export function markLegend(channel: 'size' | 'strokeWidth', entry: string, title: string, legend: Record<string, unknown> = {}): Record<string, unknown> {
  return { datum: entry, type: 'nominal', title, scale: { domain: [entry], range: channel === 'size' ? [MARK_SIZE, MARK_SIZE] : [2.5, 2.5] }, legend: { ...legend } };
}
