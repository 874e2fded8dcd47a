// Number formatting shared by every printed table: 3 significant digits with K/M/B/T suffixes, and compact scientific notation.

/** 25.2M, 164M, 3.02B: three significant digits, as the paper's Table 3 prints. */
export function si(x: number, digits = 3): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [u, s] of units) if (Math.abs(x) >= u) return trimSig(x / u, digits) + s;
  return trimSig(x, digits);
}

function trimSig(x: number, digits: number): string {
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - mag);
  return x.toFixed(decimals);
}

/** 3.00e+20 → "3.00e20". */
export function sci(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  return x.toExponential(digits).replace('e+', 'e');
}

/** Fixed-width text table: right-aligned columns with a header rule. */
export function textTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padStart(w[i])).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
