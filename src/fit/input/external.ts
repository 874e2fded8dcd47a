// Other groups' runs through a column mapping: N, C, D with the Chinchilla derivations (C = 6ND), loss, LR, batch, budget labels.
import { InputError } from '../../util/errors.ts';
import type { Table } from './table.ts';
import { type ColumnMapping, type NumericColumn, type RowFilter, checkFilterColumns, matchAll, resolveColumnList, resolveNumericColumn } from './mapping.ts';

/** One mapped row before budgets are assigned. `compute` = 6·N·D (the 6N representation); `flops` is the file's own C when mapped. */
export interface MappedRow {
  file: string;
  line: number;
  runId: string;
  params: number;
  tokens: number;
  compute: number;
  flops?: number;
  loss: number;
  lr?: number;
  batchTokens?: number;
  /** Numeric budget from `--col budget` or `--budget-from` (already multiplied by its factor). */
  budgetLabel?: number;
  group?: string;
  dataset?: string;
}

export interface ExternalOptions {
  mapping: ColumnMapping;
  filters: RowFilter[];
  limit?: number;
  batchFactor: number;
  /** `COLUMN:REGEX`: the first capture group of REGEX applied to COLUMN is the budget (× budgetFactor). */
  budgetFrom?: string;
  budgetFactor: number;
  /** Keep the first of rows whose mapped values are all equal (reported), instead of failing. */
  dedupe?: boolean;
  /** Rows sharing a run id are evaluations of one run (a training curve), not duplicates. */
  curves?: boolean;
}

export interface ExternalRead {
  rows: MappedRow[];
  /** How N, C, D were obtained, e.g. 'D = C/(6N)'. */
  derivation: string;
  filteredOut: number;
  limitedOut: number;
  /** Rows whose optional LR/batch cell was empty (kept without that value). */
  missingOptional: { lr: number; batch: number };
  /** Rows dropped by `dedupe`: [line, line of the earlier identical row]. */
  duplicates: [number, number][];
}

/** Parses a positive number; names file:line:column on failure. */
function positive(raw: string | undefined, col: NumericColumn, file: string, line: number): number {
  const s = (raw ?? '').trim();
  if (s === '') throw new InputError('missing value', { file, line, field: col.column });
  const v = Number(s);
  if (!Number.isFinite(v)) throw new InputError(`not a number: '${raw}'`, { file, line, field: col.column });
  if (v < 0) throw new InputError(`negative value ${v} (must be > 0)`, { file, line, field: col.column });
  if (v === 0) throw new InputError('must be > 0, got 0', { file, line, field: col.column });
  return v * col.factor;
}

export function readExternal(table: Table, opts: ExternalOptions): ExternalRead {
  const { file, header } = table;
  const map = opts.mapping;
  const num = (k: 'N' | 'C' | 'D' | 'loss' | 'lr' | 'batch' | 'budget') => (map[k] !== undefined ? resolveNumericColumn(map[k]!, header, k, file) : undefined);
  const cN = num('N'), cC = num('C'), cD = num('D');
  const cLoss = num('loss'), cLr = num('lr'), cBatch = num('batch'), cBudget = num('budget');
  const given = [cN && 'N', cC && 'C', cD && 'D'].filter(Boolean) as string[];
  if (given.length < 2) throw new InputError(`the column mapping needs two of N, C, D (got ${given.join(', ') || 'none'}): add --col N=…, --col C=… or --col D=…`, { file, field: '--col' });
  if (!cLoss) throw new InputError('no loss column: add --col loss=COLUMN', { file, field: '--col' });
  if (cBudget && opts.budgetFrom) throw new InputError('use either --col budget=… or --budget-from, not both', { field: '--budget-from' });
  const runCols = map.run !== undefined ? resolveColumnList(map.run, header, 'run', file) : undefined;
  const groupCols = map.group !== undefined ? resolveColumnList(map.group, header, 'group', file) : undefined;
  const datasetCols = map.dataset !== undefined ? resolveColumnList(map.dataset, header, 'dataset', file) : undefined;
  let budgetRe: { column: string; re: RegExp } | undefined;
  if (opts.budgetFrom !== undefined) {
    const i = opts.budgetFrom.indexOf(':');
    if (i <= 0) throw new InputError(`expected COLUMN:REGEX, got '${opts.budgetFrom}'`, { field: '--budget-from' });
    const column = opts.budgetFrom.slice(0, i);
    if (!header.includes(column)) throw new InputError(`missing required column '${column}' (named by --budget-from)`, { file, line: 1, field: column });
    let re: RegExp;
    try { re = new RegExp(opts.budgetFrom.slice(i + 1)); } catch (e) { throw new InputError(`bad regular expression: ${(e as Error).message}`, { field: '--budget-from' }); }
    budgetRe = { column, re };
  }
  checkFilterColumns(opts.filters, header, file);

  const derivation = cN && cD ? (cC ? 'C = 6ND (the C column groups budgets)' : 'C = 6ND') : cN ? 'D = C/(6N)' : 'N = C/(6D)';
  let filteredOut = 0, limitedOut = 0;
  const missingOptional = { lr: 0, batch: 0 };
  const rows: MappedRow[] = [];
  const seenRun = new Map<string, number>();
  const seenRow = new Map<string, number>();
  const duplicates: [number, number][] = [];
  for (const rec of table.records) {
    const get = (c: string) => rec.values[c];
    if (!matchAll(opts.filters, get)) { filteredOut++; continue; }
    if (opts.limit !== undefined && rows.length >= opts.limit) { limitedOut++; continue; }
    const { line } = rec;
    const N = cN ? positive(get(cN.column), cN, file, line) : undefined;
    const C = cC ? positive(get(cC.column), cC, file, line) : undefined;
    const D = cD ? positive(get(cD.column), cD, file, line) : undefined;
    // Chinchilla's accounting, C = 6·N·D: derive the missing one of the three.
    const params = N ?? C! / (6 * D!);
    const tokens = D ?? C! / (6 * N!);
    const compute = N !== undefined && D !== undefined ? 6 * N * D : C!;
    const loss = positive(get(cLoss.column), cLoss, file, line);
    let lr: number | undefined, batchTokens: number | undefined;
    if (cLr) {
      if ((get(cLr.column) ?? '').trim() === '') missingOptional.lr++;
      else lr = positive(get(cLr.column), cLr, file, line);
    }
    if (cBatch) {
      if ((get(cBatch.column) ?? '').trim() === '') missingOptional.batch++;
      else batchTokens = positive(get(cBatch.column), cBatch, file, line) * opts.batchFactor;
    }
    let budgetLabel: number | undefined;
    if (cBudget) budgetLabel = positive(get(cBudget.column), cBudget, file, line);
    if (budgetRe) {
      const cell = get(budgetRe.column) ?? '';
      const m = budgetRe.re.exec(cell);
      if (!m || m[1] === undefined) throw new InputError(`--budget-from pattern does not match '${cell}' (filter such rows out with --filter)`, { file, line, field: budgetRe.column });
      const v = Number(m[1]);
      if (!(v > 0) || !Number.isFinite(v)) throw new InputError(`--budget-from captured '${m[1]}', not a positive number`, { file, line, field: budgetRe.column });
      budgetLabel = v * opts.budgetFactor;
    }
    const join = (cols: string[] | undefined) => (cols ? cols.map((c) => (get(c) ?? '').trim()).join('|') : undefined);
    const runId = join(runCols) || `${baseName(file)}:${line}`;
    if (runCols && opts.curves) {
      const key = `${runId}\u0000${tokens}`;
      if (seenRun.has(key)) throw new InputError(`duplicate evaluation of run '${runId}' at D = ${tokens} (first at line ${seenRun.get(key)})`, { file, line, field: runCols.join(',') });
      seenRun.set(key, line);
    } else if (runCols) {
      if (seenRun.has(runId)) throw new InputError(`duplicate run '${runId}' (first at line ${seenRun.get(runId)})`, { file, line, field: runCols.join(',') });
      seenRun.set(runId, line);
    }
    const row: MappedRow = { file, line, runId, params, tokens, compute, flops: C, loss, lr, batchTokens, budgetLabel, group: join(groupCols), dataset: join(datasetCols) };
    // The same run twice (every mapped value equal) is a copy-paste or export error, not more evidence.
    const key = [params, tokens, compute, loss, lr, batchTokens, budgetLabel, row.group, row.dataset].join('\u0000');
    if (seenRow.has(key)) {
      if (opts.dedupe) { duplicates.push([line, seenRow.get(key)!]); continue; }
      throw new InputError(`duplicate run row (same values as line ${seenRow.get(key)}; --dedupe keeps the first)`, { file, line, field: cLoss.column });
    }
    seenRow.set(key, line);
    rows.push(row);
  }
  return { rows, derivation, filteredOut, limitedOut, missingOptional, duplicates };
}

export function baseName(file: string): string {
  return file.replace(/^.*[\\/]/, '');
}
