// The run CSV (docs/fit.md, "Our run CSV"): one row per evaluation of a training run. Written by `scaling train`, read by `scaling fit` and `scaling report`.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomic.ts';

export type RunStatus = 'running' | 'done' | 'diverged';
export type { ScheduleName } from './settings.ts';
import { SCHEDULES, parseStages, type ScheduleName } from './settings.ts';
import { DEFAULT_REPRESENTATION, parseRepresentation, type Representation } from '../flops/flops.ts';

/** One evaluation of one run. Losses: val_loss/train_loss in nats per token, val_bpb in bits per byte (= nats/token ÷ ln 2 ÷ bytes/token). */
export interface RunRow {
  run_id: string;
  dataset: string;
  /** Target compute C of the grid point (FLOPs). */
  budget: number;
  n_layer: number;
  d_model: number;
  n_heads: number;
  n_kv_heads: number;
  d_ff: number;
  seq_len: number;
  vocab: number;
  /** Non-embedding FLOPs per token incl. attention (paper Eq. 2, exact for the shape). */
  M: number;
  N1: number;
  N2: number;
  batch_tokens: number;
  lr_max: number;
  schedule: ScheduleName;
  step: number;
  /** Training tokens seen so far. */
  tokens: number;
  /** Compute spent so far in the plan's representation (src/flops/flops.ts computeFlops): M × tokens for the paper's plans. */
  flops: number;
  /** Learning rate at this step. */
  lr: number;
  train_loss: number;
  val_loss: number;
  val_bpb: number;
  elapsed_s: number;
  status: RunStatus;
  seed: number;
  /** sha256 (first 16 hex) of the validation tokens the run evaluated on. */
  val_hash: string;
  /** Representation the plan counted compute in (M, 6N1, 6N2); 'M' when the column is absent (files before it existed). */
  representation: Representation;
  /** The grid point's settings hash (src/schema/plan.ts pointKey): an edited point no longer matches its old run. '' in files before it existed. */
  point_key?: string;
  /** Multi-step stage ratios 'A/B/C' (docs/ladder.md); '' for other schedules and in files before the column existed (multistep then means 80/10/10). */
  stages?: string;
  /** Provenance: the trainer's backend path (wasm, wasm-blas, cpu, node, node-gpu); '' in files before the column existed. */
  backend?: string;
  /** Provenance: the matrix library under it, name version core (e.g. 'OpenBLAS 0.3.21 Zen'); results differ across these. '' when unknown. */
  blas?: string;
}

export const RUN_COLUMNS: (keyof RunRow)[] = [
  'run_id', 'dataset', 'budget', 'n_layer', 'd_model', 'n_heads', 'n_kv_heads', 'd_ff', 'seq_len', 'vocab', 'M', 'N1', 'N2',
  'batch_tokens', 'lr_max', 'schedule', 'step', 'tokens', 'flops', 'lr', 'train_loss', 'val_loss', 'val_bpb', 'elapsed_s', 'status', 'seed', 'val_hash', 'representation',
  'point_key', 'stages', 'backend', 'blas',
];

const STRING_COLUMNS = new Set<keyof RunRow>(['run_id', 'dataset', 'schedule', 'status', 'val_hash', 'representation', 'point_key', 'stages', 'backend', 'blas']);
/** String columns that may be empty. */
const MAY_BE_EMPTY = new Set<keyof RunRow>(['val_hash', 'point_key', 'stages', 'backend', 'blas']);
/** Columns that may be NaN/inf (a diverged run records the loss that diverged). */
const LOSS_COLUMNS = new Set<keyof RunRow>(['train_loss', 'val_loss', 'val_bpb']);
const OPTIONAL_COLUMNS = new Set<keyof RunRow>(['seed', 'val_hash', 'representation', 'point_key', 'stages', 'backend', 'blas']);
/** Values of optional string columns absent from a file. */
const OPTIONAL_DEFAULTS: Partial<Record<keyof RunRow, string>> = { val_hash: '', representation: DEFAULT_REPRESENTATION, point_key: '', stages: '', backend: '', blas: '' };

/** Quote a CSV field when it needs it (RFC 4180). */
function csvField(v: unknown): string {
  const s = typeof v === 'number' ? formatNumber(v) : String(v ?? '');
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : String(Number(v.toPrecision(10)));
}

export function runCsvHeader(): string {
  return RUN_COLUMNS.join(',') + '\n';
}

export function formatRunRow(r: RunRow): string {
  return RUN_COLUMNS.map((c) => csvField(r[c])).join(',') + '\n';
}

/** Writes a whole run file atomically (header + rows). The trainer rewrites its file at every evaluation. */
export function writeRunCsv(file: string, rows: RunRow[]): void {
  writeFileAtomic(file, runCsvHeader() + rows.map(formatRunRow).join(''));
}

/**
 * An interrupted writer leaves a last line without its newline and with fewer fields than the header (our writers end every
 * row with '\n'): say so plainly, where the strict parser would only report a field-count mismatch.
 */
function checkTruncatedLastLine(text: string, file: string): void {
  if (text.length === 0 || text.endsWith('\n')) return;
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch {
    return; // Malformed beyond truncation: the strict parser's message stands.
  }
  if (rows.length < 2) return;
  const expected = rows[0].record.length;
  const last = rows[rows.length - 1];
  if (last.record.length < expected) throw new InputError(`truncated last line (${last.record.length} of ${expected} fields)`, { file, line: last.info.lines });
}

/** Parses CSV text into records keyed by header, with the 1-based file line of each record. Throws InputError on malformed CSV. */
export function parseCsvRecords(text: string, file: string): { header: string[]; records: { line: number; values: Record<string, string> }[] } {
  if (text.trim().length === 0) throw new InputError('empty file (no header row)', { file, line: 1 });
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { info: true, relax_column_count: false, skip_empty_lines: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    checkTruncatedLastLine(text, file);
    throw new InputError(`malformed CSV: ${err.message.replace(/^Invalid Record Length: /, '')}`, { file, line: err.lines });
  }
  if (rows.length === 0) throw new InputError('empty file (no header row)', { file, line: 1 });
  const header = rows[0].record.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new InputError(`duplicate column '${h}'`, { file, line: 1, field: h });
    seen.add(h);
  }
  const records = rows.slice(1).map((r) => {
    const values: Record<string, string> = {};
    header.forEach((h, i) => (values[h] = r.record[i]));
    return { line: r.info.lines, values };
  });
  return { header, records };
}

/** Parses a number the way run files write them (NaN/Infinity allowed only for loss columns). */
export function parseNumberField(s: string | undefined, field: string, file: string, line: number, opts: { allowNonFinite?: boolean; nonNegative?: boolean } = {}): number {
  if (s === undefined || s.trim() === '') throw new InputError('missing value', { file, line, field });
  const v = Number(s.trim());
  if (Number.isNaN(v) && s.trim() !== 'NaN') throw new InputError(`not a number: '${s}'`, { file, line, field });
  if (!Number.isFinite(v) && !opts.allowNonFinite) throw new InputError(`must be finite, got '${s}'`, { file, line, field });
  if (opts.nonNegative && v < 0) throw new InputError(`must be ≥ 0, got ${v}`, { file, line, field });
  return v;
}

/** True when a CSV header has every required run column (i.e. the file is in our own format). */
export function isRunCsvHeader(header: string[]): boolean {
  const h = new Set(header);
  return RUN_COLUMNS.every((c) => OPTIONAL_COLUMNS.has(c) || h.has(c));
}

/** Parses and validates a run CSV: every required column, numeric fields, statuses, no duplicate (run_id, step) rows. */
export function parseRunCsv(text: string, file: string): (RunRow & { line: number })[] {
  const { header, records } = parseCsvRecords(text, file);
  for (const c of RUN_COLUMNS) {
    if (!OPTIONAL_COLUMNS.has(c) && !header.includes(c)) throw new InputError(`missing required column '${c}'`, { file, line: 1, field: c });
  }
  const seen = new Map<string, number>();
  return records.map(({ line, values }) => {
    const row: Record<string, unknown> = { line };
    for (const c of RUN_COLUMNS) {
      const raw = values[c];
      if (STRING_COLUMNS.has(c)) {
        if (OPTIONAL_COLUMNS.has(c) && raw === undefined) { row[c] = OPTIONAL_DEFAULTS[c] ?? ''; continue; }
        if (raw === undefined || (raw.trim() === '' && !MAY_BE_EMPTY.has(c))) throw new InputError('missing value', { file, line, field: c });
        row[c] = raw.trim();
      } else if (OPTIONAL_COLUMNS.has(c) && (raw === undefined || raw.trim() === '')) {
        row[c] = 0;
      } else {
        row[c] = parseNumberField(raw, c, file, line, { allowNonFinite: LOSS_COLUMNS.has(c), nonNegative: !LOSS_COLUMNS.has(c) });
      }
    }
    if (!['running', 'done', 'diverged'].includes(row.status as string)) throw new InputError(`must be running, done or diverged, got '${row.status}'`, { file, line, field: 'status' });
    parseRepresentation(row.representation, { file, line, field: 'representation' });
    if (!(SCHEDULES as readonly string[]).includes(row.schedule as string)) throw new InputError(`must be one of ${SCHEDULES.join(', ')}, got '${row.schedule}'`, { file, line, field: 'schedule' });
    if (row.stages) row.stages = parseStages(row.stages, { file, line, field: 'stages' });
    const key = `${row.run_id}\u0000${row.step}`;
    if (seen.has(key)) throw new InputError(`duplicate row for run '${row.run_id}' step ${row.step} (first at line ${seen.get(key)})`, { file, line, field: 'step' });
    seen.set(key, line);
    return row as unknown as RunRow & { line: number };
  });
}

export function readRunCsv(file: string): (RunRow & { line: number })[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? e})`, { file });
  }
  return parseRunCsv(text, file);
}

/** Groups rows by run_id (rows sorted by step). */
export function groupRuns<T extends RunRow>(rows: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const list = m.get(r.run_id) ?? [];
    list.push(r);
    m.set(r.run_id, list);
  }
  for (const list of m.values()) list.sort((a, b) => a.step - b.step);
  return m;
}

/** A run's result: its last row when that row's status is done; undefined while running or after divergence. */
export function finalRow<T extends RunRow>(rows: T[]): T | undefined {
  const last = rows[rows.length - 1];
  return last && last.status === 'done' ? last : undefined;
}
