// The one number formatter of every output (tables, summaries, chart labels and tooltips, closing lines): significant digits,
// SI suffixes for counts, scientific notation for FLOPs, intervals printed with the value's digits, "unconstrained" for intervals
// that say nothing, no "-0.000", durations, timestamps and rankings that never claim more than the intervals allow.
//
// Conventions (used everywhere, so a number reads the same in the terminal, the HTML page and a chart):
//   counts (parameters, tokens, batch tokens, bytes):  si()   25.2M, 164M, 3.02B, 2.00T
//   FLOPs, FLOPs/token, coefficients:                  sci()  3.00e20, 1.72e-1
//   everything else (losses, exponents, LRs, ratios):  num()  0.524, 2.536, 8.77e-3 (3 significant digits)
//   a value with its interval:                         withInterval()  0.524 [0.504, 0.544], 1.23e2 [unconstrained]

/** Zero for values that print as zero at `decimals` (so "-0.000" never appears). */
function clean(x: number, decimals: number): number {
  return Math.abs(x) < 0.5 * Math.pow(10, -decimals) ? 0 : x;
}

/** Fixed decimals without negative zero: fixed(-0.00004, 4) → "0.0000". */
export function fixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return String(x);
  return clean(x, decimals).toFixed(Math.max(0, Math.min(20, decimals)));
}

/** Decimals that show `digits` significant digits of x (0 for large x). */
export function decimalsFor(x: number, digits = 3): number {
  if (x === 0 || !Number.isFinite(x)) return Math.max(0, digits - 1);
  return Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
}

/** 3.00e+20 → "3.00e20"; digits = decimals of the mantissa. */
export function sci(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return (0).toExponential(digits).replace('e+', 'e');
  return x.toExponential(digits).replace('e+', 'e');
}

/**
 * A plain number with `digits` significant digits: fixed notation for 1e-3 ≤ |x| < 1e5, scientific otherwise.
 * num(0.52431) → "0.524", num(2.5361) → "2.54", num(0.000877) → "8.77e-4", num(-0.00001, 3) → "-1.00e-5", num(0) → "0".
 */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const r = Number(x.toPrecision(digits));
  const a = Math.abs(r);
  if (a >= 1e-3 && a < 1e5) return fixed(r, decimalsFor(r, digits));
  return sci(r, digits - 1);
}

/** 25.2M, 164M, 3.02B: counts with K/M/B/T suffixes and `digits` significant digits (the paper's Table 3 style); ≥ 1e15 → scientific. */
export function si(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e15) return sci(x, digits - 1);
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [u, s] of units) {
    // Round first: 999.96K prints as 1.00M, not 1000K.
    if (Number(a.toPrecision(digits)) >= u) return fixed(Number((x / u).toPrecision(digits)), decimalsFor(Number((x / u).toPrecision(digits)), digits)) + s;
  }
  if (a === 0) return '0';
  if (a < 1e-3) return sci(x, digits - 1);
  return fixed(Number(x.toPrecision(digits)), decimalsFor(Number(x.toPrecision(digits)), digits));
}

/** A share as a percentage: percent(0.0025) → "0.25%". */
export function percent(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  return `${num(x * 100, digits)}%`;
}

/** How far a prediction is from the data: factor(2.9e12) → "×2.9e12", factor(3.2) → "×3.2". */
export function factor(x: number): string {
  if (!Number.isFinite(x)) return `×${x}`;
  return `×${x < 1000 ? num(x, 2) : sci(x, 1)}`;
}

/** Ways an interval can be read. */
export interface IntervalOptions {
  /** 'log' for positive quantities compared by ratio (coefficients, M_opt, η): printed in scientific notation. */
  kind?: 'linear' | 'log';
  /** Significant digits of the value (default 3). */
  digits?: number;
  /** log: an interval spanning more than this many decades is unconstrained (default 3). */
  maxDecades?: number;
  /** linear: an interval wider than this is unconstrained (default: never, by width alone). */
  maxWidth?: number;
  /** Formatter of a log-kind value (default sci with digits − 1 decimals). */
  style?: 'sci' | 'si';
}

/** True when the interval tells nothing useful: non-finite ends, more than `maxDecades` decades (log), wider than `maxWidth` (linear). */
export function isUnconstrained(iv: [number, number] | undefined, opts: IntervalOptions = {}): boolean {
  if (!iv) return false;
  const [lo, hi] = iv;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return true;
  if ((opts.kind ?? 'linear') === 'log') {
    if (!(lo > 0) || !(hi > 0)) return true;
    return Math.log10(hi / lo) > (opts.maxDecades ?? 3);
  }
  return hi - lo > (opts.maxWidth ?? Infinity);
}

/**
 * A value with its interval, both with the same precision: the value's significant digits, but no finer than the interval's
 * half-width warrants (digits beyond the uncertainty are noise). withInterval(0.52431, [0.5043, 0.5443]) → "0.524 [0.504, 0.544]";
 * withInterval(-0.00115, [-0.0718, 0.178]) → "-0.001 [-0.072, 0.178]"; a log-kind interval over 24 decades → "1.23e2 [unconstrained]".
 */
export function withInterval(value: number, iv: [number, number] | undefined, opts: IntervalOptions = {}): string {
  const digits = opts.digits ?? 3;
  const kind = opts.kind ?? 'linear';
  if (kind === 'log') {
    const f = (x: number) => (opts.style === 'si' ? si(x, digits) : sci(x, digits - 1));
    if (!iv) return f(value);
    if (isUnconstrained(iv, opts)) return `${f(value)} [unconstrained]`;
    return `${f(value)} [${f(iv[0])}, ${f(iv[1])}]`;
  }
  if (!Number.isFinite(value)) return String(value);
  // An unconstrained interval says nothing about the precision: the value at its own significant digits.
  if (iv && isUnconstrained(iv, opts)) return `${num(value, digits)} [unconstrained]`;
  const big = Math.max(Math.abs(value), iv ? Math.abs(iv[1] - iv[0]) / 2 : 0);
  if (big !== 0 && (big >= 1e5 || big < 1e-3)) {
    // Out of fixed-notation range: scientific, same mantissa digits for the ends.
    if (!iv) return sci(value, digits - 1);
    if (isUnconstrained(iv, opts)) return `${sci(value, digits - 1)} [unconstrained]`;
    return `${sci(value, digits - 1)} [${sci(iv[0], digits - 1)}, ${sci(iv[1], digits - 1)}]`;
  }
  const d = iv ? decimalsFor(big, digits) : decimalsFor(value, digits);
  if (!iv) return fixed(value, d);
  if (isUnconstrained(iv, opts)) return `${fixed(value, d)} [unconstrained]`;
  return `${fixed(value, d)} [${fixed(iv[0], d)}, ${fixed(iv[1], d)}]`;
}

/** "12s", "1m05s", "2h03m" for a duration in seconds ('?' when unknown). */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An ISO timestamp for people: "2026-11-28T19:02:53.004Z" → "2026-11-28 19:02 UTC"; a bare date stays as it is; other text unchanged. */
export function timestamp(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const t = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || !Number.isFinite(t)) return iso;
  const d = new Date(t).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

/** One item of a ranking: its text and (optionally) the interval that decides whether it is really above the next. */
export interface RankItem {
  text: string;
  value: number;
  interval?: [number, number];
}

/**
 * Items sorted by value, high first, joined by " > " only where the order is real: never between values that print the same
 * (so "a = 0.390 > a = 0.390" cannot appear), and, when both neighbours have intervals, only where those do not overlap;
 * " ≈ " otherwise.
 */
export function ranking(items: RankItem[]): string {
  const sorted = [...items].sort((x, y) => y.value - x.value);
  return sorted
    .map((it, i) => {
      if (i === 0) return it.text;
      const prev = sorted[i - 1];
      const samePrinted = num(prev.value) === num(it.value);
      const separated = prev.interval && it.interval ? prev.interval[0] > it.interval[1] : true;
      return `${!samePrinted && separated ? ' > ' : ' ≈ '}${it.text}`;
    })
    .join('');
}

/** Fixed-width text table: right-aligned columns with a header rule. Header names carry their units: 'C (FLOPs)', 'batch (seq)'. */
export function textTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padStart(w[i])).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
