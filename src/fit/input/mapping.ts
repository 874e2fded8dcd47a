// Column mapping for other groups' files: `--col KEY=SPEC` flags (SPEC: a column, COLUMN*FACTOR or an expression, see expression.ts), row filters (`--filter col=value`, `!=`, `<`, `>`, `<=`, `>=`, `~regex`).
import { InputError } from '../../util/errors.ts';

/** The quantities a mapped file can provide. N = parameters, C = training FLOPs, D = training tokens; the shape keys give exact M. */
export const SHAPE_KEYS = ['n_layer', 'd_model', 'n_heads', 'n_kv_heads', 'd_ff', 'seq_len', 'vocab'] as const;
export const COL_KEYS = ['N', 'C', 'D', 'loss', 'lr', 'batch', 'budget', 'group', 'run', 'dataset', ...SHAPE_KEYS] as const;
export type ColKey = (typeof COL_KEYS)[number];
export type ColumnMapping = Partial<Record<ColKey, string>>;

/** Parses repeated `--col KEY=SPEC` flags. Unknown keys and repeated keys are flag errors. */
export function parseColFlags(specs: readonly string[]): ColumnMapping {
  const m: ColumnMapping = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new InputError(`expected KEY=COLUMN, got '${s}'`, { field: '--col' });
    const key = s.slice(0, eq).trim();
    const spec = s.slice(eq + 1).trim();
    if (!(COL_KEYS as readonly string[]).includes(key)) throw new InputError(`unknown key '${key}' (keys: ${COL_KEYS.join(', ')})`, { field: '--col' });
    if (m[key as ColKey] !== undefined) throw new InputError(`'${key}' mapped twice ('${m[key as ColKey]}' and '${spec}')`, { field: '--col' });
    m[key as ColKey] = spec;
  }
  return m;
}

/** Resolves a comma-separated list of plain columns (for `group` and `run`). */
export function resolveColumnList(spec: string, header: readonly string[], key: string, file: string): string[] {
  if (header.includes(spec)) return [spec];
  const cols = spec.split(',').map((c) => c.trim());
  for (const c of cols) if (!header.includes(c)) throw missingColumn(c, header, key, file);
  return cols;
}

function missingColumn(name: string, header: readonly string[], key: string, file: string): InputError {
  const shown = header.length > 12 ? header.slice(0, 12).join(', ') + ', …' : header.join(', ');
  return new InputError(`missing required column '${name}' (mapped by --col ${key}=…; the file has: ${shown})`, { file, line: 1, field: name });
}

export type FilterOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | '~';

export interface RowFilter {
  column: string;
  op: FilterOp;
  value: string;
  /** The number for comparison operators, the compiled pattern for '~'. */
  num?: number;
  re?: RegExp;
  spec: string;
}

/** Parses `col=value`, `col!=value`, `col<3e19`, `col>=1e9`, `col~regex` (the first operator in the text splits it). */
export function parseFilter(spec: string): RowFilter {
  const m = /^(.+?)(!=|>=|<=|=|>|<|~)(.*)$/.exec(spec);
  if (!m || m[1].trim() === '') throw new InputError(`expected COLUMN=VALUE (or !=, <, >, <=, >=, ~REGEX), got '${spec}'`, { field: '--filter' });
  const f: RowFilter = { column: m[1].trim(), op: m[2] as FilterOp, value: m[3], spec };
  if (f.op === '<' || f.op === '>' || f.op === '<=' || f.op === '>=') {
    const n = Number(f.value.trim());
    if (f.value.trim() === '' || !Number.isFinite(n)) throw new InputError(`'${f.op}' needs a number, got '${f.value}' in '${spec}'`, { field: '--filter' });
    f.num = n;
  } else if (f.op === '~') {
    try {
      f.re = new RegExp(f.value);
    } catch (e) {
      throw new InputError(`bad regular expression in '${spec}': ${(e as Error).message}`, { field: '--filter' });
    }
  }
  return f;
}

/** Checks that every filter's column exists in `header` (a filter on a missing column would silently keep or drop everything). */
export function checkFilterColumns(filters: readonly RowFilter[], header: readonly string[], file: string): void {
  for (const f of filters) {
    if (!header.includes(f.column)) throw new InputError(`--filter '${f.spec}': no column '${f.column}' in this file`, { file, line: 1, field: f.column });
  }
}

/** True when the cell passes the filter. Comparisons treat a non-numeric cell as not matching. */
export function matchFilter(f: RowFilter, cell: string | undefined): boolean {
  const v = (cell ?? '').trim();
  switch (f.op) {
    case '=': return v === f.value.trim() || (v !== '' && Number(v) === Number(f.value) && Number.isFinite(Number(v)));
    case '!=': return !(v === f.value.trim() || (v !== '' && Number(v) === Number(f.value) && Number.isFinite(Number(v))));
    case '~': return f.re!.test(v);
    default: {
      if (v === '') return false;
      const n = Number(v);
      if (!Number.isFinite(n)) return false;
      return f.op === '<' ? n < f.num! : f.op === '>' ? n > f.num! : f.op === '<=' ? n <= f.num! : n >= f.num!;
    }
  }
}

export function matchAll(filters: readonly RowFilter[], get: (column: string) => string | undefined): boolean {
  return filters.every((f) => matchFilter(f, get(f.column)));
}

/** `--batch-unit tokens` (default) or `sequences:4096` → the factor that turns the batch column into tokens. */
export function parseBatchUnit(spec: string | undefined): { factor: number; label: string } {
  if (spec === undefined || spec === 'tokens') return { factor: 1, label: 'tokens' };
  const m = /^sequences?:(\d+)$/.exec(spec.trim());
  if (!m || Number(m[1]) <= 0) throw new InputError(`expected 'tokens' or 'sequences:LENGTH' (e.g. sequences:4096), got '${spec}'`, { field: '--batch-unit' });
  return { factor: Number(m[1]), label: `sequences of ${m[1]} tokens` };
}
