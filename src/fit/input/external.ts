// Other groups' runs through a column mapping: N, C, D with the Chinchilla derivations (C = 6ND), or model shape columns with the
// paper's exact M (src/flops/flops.ts); loss, LR, batch, budget labels; every value a column, COLUMN*FACTOR or an expression.
import { InputError } from '../../util/errors.ts';
import { scaleCounts, scaleOfCounts, type Representation, type ScaleCounts } from '../../flops/flops.ts';
import { llamaFfn, type ModelShape } from '../../flops/shape.ts';
import type { Table } from './table.ts';
import { type ColumnMapping, type RowFilter, SHAPE_KEYS, checkFilterColumns, matchAll, resolveColumnList } from './mapping.ts';
import { compileColumnExpr, type ColumnExpr } from './expression.ts';

/** One mapped row before budgets are assigned. `compute` = scale·D in the representation; `flops` is the file's own C when mapped. */
export interface MappedRow {
  file: string;
  line: number;
  runId: string;
  /** Parameters: the N column, or (shape columns) N1 or N2 of the shape as the representation counts them. */
  params: number;
  /** FLOPs per token in the representation: 6N for 6N1/6N2, M (paper Eq. 2) with shape columns. */
  scale: number;
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
  /** With shape columns: the three representations (FLOPs/token) for the App. A.2 comparison. */
  reps?: { M: number; sixN1: number; sixN2: number };
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
  /** The fit's representation (M needs shape columns). Default 6N2. */
  representation?: Representation;
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

/** True when the mapping names a model shape (n_layer and d_model at least). */
export function hasShapeColumns(m: ColumnMapping): boolean {
  return m.n_layer !== undefined && m.d_model !== undefined;
}

/** One row's value of an expression as a positive number; names file:line:column on failure. */
function positive(e: ColumnExpr, get: (c: string) => string | undefined, file: string, line: number): number {
  const r = e.evaluate(get);
  const field = e.columns.length === 1 ? e.columns[0] : e.spec;
  if ('missing' in r) throw new InputError('missing value', { file, line, field: r.missing });
  if ('error' in r) throw new InputError(r.error, { file, line, field: r.column ?? field });
  if (r.value < 0) throw new InputError(`negative value ${r.value} (must be > 0)${e.columns.length > 1 ? ` from '${e.spec}'` : ''}`, { file, line, field });
  if (r.value === 0) throw new InputError(`must be > 0, got 0${e.columns.length > 1 ? ` from '${e.spec}'` : ''}`, { file, line, field });
  return r.value;
}

/** Whether an optional value's cells are empty (kept without it). */
function isEmpty(e: ColumnExpr, get: (c: string) => string | undefined): boolean {
  return e.columns.some((c) => (get(c) ?? '').trim() === '');
}

export function readExternal(table: Table, opts: ExternalOptions): ExternalRead {
  const { file, header } = table;
  const map = opts.mapping;
  const rep: Representation = opts.representation ?? '6N2';
  const expr = (k: keyof ColumnMapping) => (map[k] !== undefined ? compileColumnExpr(map[k]!, header, k, file) : undefined);
  const cN = expr('N'), cC = expr('C'), cD = expr('D');
  const cLoss = expr('loss'), cLr = expr('lr'), cBatch = expr('batch'), cBudget = expr('budget');
  const shape = hasShapeColumns(map);
  for (const k of SHAPE_KEYS) if (map[k] !== undefined && !shape) throw new InputError(`shape columns need at least n_layer and d_model (got ${k})`, { field: `--col ${k}` });
  const cShape = Object.fromEntries(SHAPE_KEYS.map((k) => [k, expr(k)])) as Record<(typeof SHAPE_KEYS)[number], ColumnExpr | undefined>;
  if (shape && rep === 'M' && !cShape.seq_len) throw new InputError('M (paper Eq. 2) needs the sequence length: add --col seq_len=COLUMN (or a constant, e.g. seq_len=4096)', { field: '--col' });
  if (shape && rep === '6N2' && !cShape.vocab && !cN) throw new InputError('6N2 counts the vocabulary matrix: add --col vocab=COLUMN (or a constant), or --col N=…', { field: '--col' });
  if (rep === 'M' && !shape) throw new InputError('M needs model shapes: map --col n_layer=… --col d_model=… --col seq_len=… (and n_heads, n_kv_heads, d_ff when not the defaults), or use 6N1/6N2', { field: '--representation' });
  const given = [cN && 'N', cC && 'C', cD && 'D'].filter(Boolean) as string[];
  if (!shape && given.length < 2) throw new InputError(`the column mapping needs two of N, C, D (got ${given.join(', ') || 'none'}): add --col N=…, --col C=… or --col D=… (or shape columns n_layer, d_model, …)`, { file, field: '--col' });
  if (shape && !cD && !cC) throw new InputError('with shape columns, map D (tokens; or C, from which D = C/scale)', { file, field: '--col' });
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

  const derivation = shape
    ? `scale from the shape columns (paper Eq. 2: ${rep === 'M' ? 'M = 6·N1 + 12·n_layer·d_model·seq_len' : rep === '6N1' ? '6N1' : '6N2'}), ${cD ? 'D from its column' : 'D = C/scale'}${cN ? ', N from its column' : ''}; C = scale·D`
    : cN && cD ? (cC ? 'C = 6ND (the C column groups budgets)' : 'C = 6ND') : cN ? 'D = C/(6N)' : 'N = C/(6D)';
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
    const N = cN ? positive(cN, get, file, line) : undefined;
    const C = cC ? positive(cC, get, file, line) : undefined;
    const D = cD ? positive(cD, get, file, line) : undefined;
    let params: number, tokens: number, scale: number, reps: MappedRow['reps'];
    if (shape) {
      const counts = shapeCounts(cShape, get, file, line);
      reps = { M: scaleOfCounts(counts, 'M'), sixN1: scaleOfCounts(counts, '6N1'), sixN2: scaleOfCounts(counts, '6N2') };
      params = N ?? (rep === '6N2' ? counts.N2 : counts.N1);
      scale = N !== undefined && rep !== 'M' ? scaleOfCounts(rep === '6N1' ? { N1: N } : { N2: N }, rep) : scaleOfCounts(counts, rep);
      tokens = D ?? C! / scale;
    } else {
      // Chinchilla's accounting, C = 6·N·D: derive the missing one of the three.
      params = N ?? C! / (6 * D!);
      tokens = D ?? C! / (6 * N!);
      scale = scaleOfCounts(rep === '6N1' ? { N1: params } : { N2: params }, rep);
    }
    // With N and D known (or a shape), compute = scale × tokens (THE rule, src/flops/flops.ts); else the file's own C.
    const compute = shape || (N !== undefined && D !== undefined) ? scale * tokens : C!;
    const loss = positive(cLoss, get, file, line);
    let lr: number | undefined, batchTokens: number | undefined;
    if (cLr) {
      if (isEmpty(cLr, get)) missingOptional.lr++;
      else lr = positive(cLr, get, file, line);
    }
    if (cBatch) {
      if (isEmpty(cBatch, get)) missingOptional.batch++;
      else batchTokens = positive(cBatch, get, file, line) * opts.batchFactor;
    }
    let budgetLabel: number | undefined;
    if (cBudget) budgetLabel = positive(cBudget, get, file, line);
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
    const row: MappedRow = { file, line, runId, params, scale, tokens, compute, flops: C, loss, lr, batchTokens, budgetLabel, group: join(groupCols), dataset: join(datasetCols), ...(reps ? { reps } : {}) };
    // The same run twice (every mapped value equal) is a copy-paste or export error, not more evidence.
    const key = [params, scale, tokens, compute, loss, lr, batchTokens, budgetLabel, row.group, row.dataset].join('\u0000');
    if (seenRow.has(key)) {
      if (opts.dedupe) { duplicates.push([line, seenRow.get(key)!]); continue; }
      throw new InputError(`duplicate run row (same values as line ${seenRow.get(key)}; --dedupe keeps the first)`, { file, line, field: cLoss.columns[0] ?? cLoss.spec });
    }
    seenRow.set(key, line);
    rows.push(row);
  }
  return { rows, derivation, filteredOut, limitedOut, missingOptional, duplicates };
}

/**
 * One row's shape → N1, N2, M (src/flops/flops.ts scaleCounts: exact for GQA and any FFN width). Defaults for unmapped keys: n_heads
 * d_model/128 (at least 1), n_kv_heads = n_heads, d_ff LLaMA's 8/3·d rule, seq_len and vocab 1 (they then count nothing: M needs seq_len,
 * 6N2 needs vocab, both checked before reading).
 */
function shapeCounts(c: Record<(typeof SHAPE_KEYS)[number], ColumnExpr | undefined>, get: (col: string) => string | undefined, file: string, line: number): ScaleCounts {
  const int = (k: (typeof SHAPE_KEYS)[number]): number | undefined => {
    const e = c[k];
    if (!e) return undefined;
    const v = positive(e, get, file, line);
    if (!Number.isInteger(v)) throw new InputError(`${k} must be a positive integer, got ${v}`, { file, line, field: e.columns[0] ?? k });
    return v;
  };
  const nLayer = int('n_layer')!;
  const dModel = int('d_model')!;
  const nHeads = int('n_heads') ?? Math.max(1, Math.round(dModel / 128));
  const nKvHeads = int('n_kv_heads') ?? nHeads;
  const s: ModelShape = { nLayer, dModel, nHeads, nKvHeads, dFf: int('d_ff') ?? llamaFfn(dModel), seqLen: int('seq_len') ?? 1, vocab: int('vocab') ?? 1 };
  if (dModel % nHeads !== 0) throw new InputError(`d_model ${dModel} is not divisible by n_heads ${nHeads}`, { file, line, field: c.n_heads?.columns[0] ?? 'n_heads' });
  if (nKvHeads > nHeads || nHeads % nKvHeads !== 0) throw new InputError(`n_kv_heads ${nKvHeads} must divide n_heads ${nHeads}`, { file, line, field: c.n_kv_heads?.columns[0] ?? 'n_kv_heads' });
  return scaleCounts(s);
}

export function baseName(file: string): string {
  return file.replace(/^.*[\\/]/, '');
}
