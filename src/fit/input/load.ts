// Loads fit inputs (our run CSVs, or any CSV/JSON through a column mapping) into Observation[], with provenance and every exclusion reported.
import { InputError } from '../../util/errors.ts';
import { sha256 } from '../../util/hash.ts';
import { appendAll } from '../../util/arrays.ts';
import type { Representation } from '../../flops/flops.ts';
import type { Observation } from '../types.ts';
import { readTable } from './table.ts';
import { type ColumnMapping, parseBatchUnit, parseColFlags, parseFilter, type RowFilter } from './mapping.ts';
import { baseName, hasShapeColumns, readExternal, type MappedRow } from './external.ts';
import { assignBudgets, type BudgetRule } from './budgets.ts';
import { type LossColumn, lossUnitsOf, readRunFile } from './runs.ts';
import { mergeReplicas } from '../replicas.ts';
import { readPlanJoin } from './plan-join.ts';

export interface InputOptions {
  /** Raw `--col KEY=COLUMN[*FACTOR]` flags; any of them switches to mapped input. */
  columns?: string[];
  filters?: string[];
  /** Keep at most this many rows per file (after filters). */
  limit?: number;
  batchUnit?: string;
  /** Our runs: M (default), 6N1, 6N2. Mapped files: 6N2 (default, N = all parameters) or 6N1 (N non-embedding). */
  representation?: Representation;
  /** Our runs: which loss column is the result (default val_bpb). */
  lossColumn?: LossColumn;
  /** Mapped files: loss units label (default nats/token). */
  lossUnits?: string;
  budgetFrom?: string;
  budgetFactor?: number;
  /** Relative tolerance for snapping C to budgets when no budget column/label/group is given (default 0.1). */
  snap?: number;
  dataset?: string;
  /** Drop the K highest-loss runs (Epoch's Chinchilla protocol drops 5). */
  dropHighestLoss?: number;
  /** Mapped files: keep the first of identical rows (reported) instead of failing. */
  dedupe?: boolean;
  /** Mapped files with --col run: rows of one run are its evaluations; the one with the most tokens is the result, all form its curve. */
  curves?: boolean;
  /** A plan JSON: rows are joined to its grid points by --col id (plan-join.ts); everything but the loss comes from the plan. */
  plan?: string;
}

export interface LoadedInput {
  observations: Observation[];
  inputs: { file: string; sha256: string; rows: number }[];
  format: 'runs' | 'mapped' | 'plan';
  representation: Representation;
  lossUnits: string;
  dataset: string;
  /** How budgets were formed (one line). */
  budgetRule: string;
  /** What happened to the rows: derivations, filters, exclusions (printed above the table, stored in provenance). */
  notes: string[];
  warnings: string[];
  excluded: { running: string[]; diverged: string[]; droppedHighestLoss: string[] };
}

/** What one input branch (run CSVs or mapped files) produces before labelling and the final drops. */
interface BranchResult {
  observations: Observation[];
  inputs: LoadedInput['inputs'];
  representation: Representation;
  lossUnits: string;
  budgetRule: string;
  notes: string[];
  warnings: string[];
  excluded: LoadedInput['excluded'];
}

export function loadObservations(files: readonly string[], opts: InputOptions = {}): LoadedInput {
  const mapping = opts.plan !== undefined ? {} : parseColFlags(opts.columns ?? []);
  const mapped = Object.keys(mapping).length > 0;
  const filters: RowFilter[] = (opts.filters ?? []).map(parseFilter);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) throw new InputError(`must be a positive integer, got ${opts.limit}`, { field: '--limit' });
  const drop = opts.dropHighestLoss ?? 0;
  if (!(Number.isInteger(drop) && drop >= 0)) throw new InputError(`must be a non-negative integer, got ${drop}`, { field: '--drop-highest-loss' });
  const b = opts.plan !== undefined ? readPlanJoinInputs(files, opts.plan, filters, opts) : mapped ? readMappedInputs(files, mapping, filters, opts) : readRunInputs(files, filters, opts);
  const dataset = datasetLabel(b.observations, files, opts.dataset);
  // Our runs: seed replicas (runs identical but for their seed) become one observation with their mean loss (src/fit/replicas.ts).
  // Other groups' rows are taken as given (their files rarely say which rows are seeds of one configuration).
  const kept = dropHighestLoss(b, drop);
  const observations = !mapped && opts.plan === undefined ? mergeReplicas(kept) : kept;
  const merged = observations.filter((o) => o.replicas);
  if (merged.length) b.notes.push(`${merged.reduce((n, o) => n + o.replicas!.n, 0)} runs of ${merged.length} points differ only by seed: each point's loss is their mean (noise budget in details.noise)`);
  if (observations.length === 0) throw new InputError('no finished runs to fit (every run is running or diverged)', { file: files[0] });
  b.notes.push(b.budgetRule);
  return { ...b, observations, format: opts.plan !== undefined ? 'plan' : mapped ? 'mapped' : 'runs', dataset };
}

/** Other trainers' results joined to a plan's points by id (src/fit/input/plan-join.ts). */
function readPlanJoinInputs(files: readonly string[], plan: string, filters: RowFilter[], opts: InputOptions): BranchResult {
  return readPlanJoin(files, plan, opts.columns ?? [], {
    filters, representation: opts.representation, lossUnits: opts.lossUnits,
    refused: [['--budget-from', opts.budgetFrom], ['--budget-factor', opts.budgetFactor], ['--snap', opts.snap], ['--batch-unit', opts.batchUnit], ['--loss-column', opts.lossColumn], ['--curves', opts.curves || undefined], ['--limit', opts.limit], ['--dedupe', opts.dedupe || undefined]],
  });
}

/** Our run CSVs: one observation per done run; running and diverged runs listed in the warnings. */
function readRunInputs(files: readonly string[], filters: RowFilter[], opts: InputOptions): BranchResult {
  const mappedOnly: [string, unknown][] = [
    ['--budget-from', opts.budgetFrom], ['--budget-factor', opts.budgetFactor], ['--snap', opts.snap], ['--batch-unit', opts.batchUnit],
    ['--loss-units', opts.lossUnits], ['--dedupe', opts.dedupe || undefined], ['--curves', opts.curves || undefined], ['--limit', opts.limit],
  ];
  for (const [flag, v] of mappedOnly) {
    if (v !== undefined) throw new InputError('only applies to files read through --col mappings (run CSVs carry their own budgets, batch tokens and units)', { field: flag });
  }
  const representation = opts.representation ?? 'M';
  const lossColumn = opts.lossColumn ?? 'val_bpb';
  const lossUnits = lossUnitsOf(lossColumn);
  const out: BranchResult = { observations: [], inputs: [], representation, lossUnits, budgetRule: 'budgets from the budget column', notes: [], warnings: [], excluded: { running: [], diverged: [], droppedHighestLoss: [] } };
  const firstFile = new Map<string, string>();
  const valSets = new Map<string, number>();
  for (const file of files) {
    const table = readTable(file);
    if (table.format === 'json') throw new InputError('JSON input needs a column mapping (--col N=… --col C=… --col loss=…)', { file });
    // Without run_id it is someone else's table (point at --col); with it, parseRunCsv names the exact missing column.
    if (!table.header.includes('run_id')) {
      throw new InputError(`missing required column 'run_id' (not a scaling run CSV; read other formats with --col mappings, see docs/fit.md)`, { file, line: 1, field: 'run_id' });
    }
    const r = readRunFile(table.text, file, { lossColumn, representation, filters });
    for (const o of r.observations) {
      if (firstFile.has(o.runId)) throw new InputError(`run '${o.runId}' also appears in ${firstFile.get(o.runId)} (duplicate run)`, { file, line: o.source.line, field: 'run_id' });
      firstFile.set(o.runId, file);
    }
    for (const h of r.valHashes) if (h !== '') valSets.set(h, (valSets.get(h) ?? 0) + 1);
    appendAll(out.observations, r.observations);
    appendAll(out.excluded.running, r.running);
    appendAll(out.excluded.diverged, r.diverged);
    out.inputs.push({ file, sha256: sha256(table.text), rows: r.rows });
    if (r.filteredOut > 0) out.notes.push(`${baseName(file)}: --filter left out ${r.filteredOut} of ${r.rows} rows`);
  }
  const list = (ids: string[]) => ids.slice(0, 8).join(', ') + (ids.length > 8 ? `, … (${ids.length - 8} more)` : '');
  if (out.excluded.running.length) out.warnings.push(`${out.excluded.running.length} run(s) still running, excluded: ${list(out.excluded.running)}`);
  if (out.excluded.diverged.length) out.warnings.push(`${out.excluded.diverged.length} run(s) diverged, excluded: ${list(out.excluded.diverged)}`);
  // Losses are comparable only on the same validation tokens.
  if (valSets.size > 1) out.warnings.push(`runs were evaluated on ${valSets.size} different validation sets (val_hash ${[...valSets].map(([h, n]) => `${h}: ${n} runs`).join(', ')}): their losses are not comparable`);
  out.notes.push(`result = last row of each done run; loss = ${lossColumn} (${lossUnits}); scale = ${representation} per token; compute = scale × tokens`);
  return out;
}

/** Other groups' files through the column mapping: derivations, filters, budgets (label, group or snapped C). */
function readMappedInputs(files: readonly string[], mapping: ColumnMapping, filters: RowFilter[], opts: InputOptions): BranchResult {
  if (opts.lossColumn !== undefined) throw new InputError('applies to our run CSVs; for mapped files choose the loss with --col loss=COLUMN', { field: '--loss-column' });
  // Shape columns give the paper's exact M (the default then); otherwise N gives 6N (readExternal refuses M without shapes).
  const representation = opts.representation ?? (hasShapeColumns(mapping) ? 'M' : '6N2');
  const lossUnits = opts.lossUnits ?? 'nats/token';
  const batch = parseBatchUnit(opts.batchUnit);
  if (opts.batchUnit !== undefined && mapping.batch === undefined) throw new InputError('needs --col batch=COLUMN', { field: '--batch-unit' });
  if (opts.curves && mapping.run === undefined) throw new InputError('needs --col run=COLUMN (the column naming each run)', { field: '--curves' });
  const hasLabel = mapping.budget !== undefined || opts.budgetFrom !== undefined;
  if (hasLabel && opts.snap !== undefined) throw new InputError('budgets already come from --col budget/--budget-from', { field: '--snap' });
  if (hasLabel && mapping.group !== undefined) throw new InputError('use either a budget (--col budget / --budget-from) or --col group, not both', { field: '--col group' });
  const notes: string[] = [];
  const warnings: string[] = [];
  const inputs: LoadedInput['inputs'] = [];
  let rows: MappedRow[] = [];
  for (const file of files) {
    const table = readTable(file);
    if (table.records.length === 0) throw new InputError('empty file (a header but no rows)', { file, line: 2 });
    const r = readExternal(table, { mapping, filters, limit: opts.limit, batchFactor: batch.factor, budgetFrom: opts.budgetFrom, budgetFactor: opts.budgetFactor ?? 1, dedupe: opts.dedupe, curves: opts.curves, representation });
    if (r.rows.length === 0) throw new InputError(`no rows left after --filter/--limit (${table.records.length} rows read)`, { file });
    appendAll(rows, r.rows);
    inputs.push({ file, sha256: sha256(table.text), rows: table.records.length });
    const parts = [`${r.rows.length} of ${table.records.length} rows used`];
    if (r.filteredOut) parts.push(`${r.filteredOut} left out by --filter`);
    if (r.duplicates.length) parts.push(`${r.duplicates.length} duplicate row(s) dropped by --dedupe (lines ${r.duplicates.map(([l, f]) => `${l}=${f}`).join(', ')})`);
    if (r.limitedOut) parts.push(`${r.limitedOut} beyond --limit ${opts.limit}`);
    notes.push(`${baseName(file)}: ${parts.join(', ')}; ${r.derivation}`);
    if (r.missingOptional.lr) warnings.push(`${baseName(file)}: ${r.missingOptional.lr} row(s) have no learning rate (kept for the allocation fit, left out of the LR law)`);
    if (r.missingOptional.batch) warnings.push(`${baseName(file)}: ${r.missingOptional.batch} row(s) have no batch size (kept for the allocation fit, left out of the batch law)`);
  }
  let curveOf: Map<MappedRow, MappedRow[]> | undefined;
  if (opts.curves) {
    ({ results: rows, curveOf } = collapseCurves(rows));
    notes.push(`--curves: ${rows.length} runs; each run's row with the most tokens is its result, all its rows its training curve`);
  }
  notes.push((hasShapeColumns(mapping) ? `scale = ${representation} per token from the shape columns (paper Eq. 2, exact for GQA and any FFN width)` : `scale = 6N per token, representation ${representation} (N ${representation === '6N1' ? 'non-embedding' : 'counts all parameters'})`) + `; loss in ${lossUnits}` + (mapping.batch ? `; batch in ${batch.label}` : ''));
  const rule: BudgetRule = hasLabel ? { kind: 'label' } : mapping.group !== undefined ? { kind: 'group' } : { kind: 'snap', tolerance: opts.snap ?? 0.1 };
  const sourceLabel = mapping.budget !== undefined ? `column '${mapping.budget}'`
    : opts.budgetFrom !== undefined ? `--budget-from '${opts.budgetFrom}'` + (opts.budgetFactor && opts.budgetFactor !== 1 ? ` × ${opts.budgetFactor}` : '')
    : `column '${mapping.group}'`;
  const assigned = assignBudgets(rows.map((r) => ({ flops: r.flops ?? r.compute, budgetLabel: r.budgetLabel, group: r.group })), rule, sourceLabel);
  appendAll(warnings, assigned.warnings);
  const observations: Observation[] = rows.map((r, i) => ({
    runId: r.runId,
    dataset: r.dataset ?? '',
    budget: assigned.budgets[i],
    compute: r.compute,
    scale: r.scale, // FLOPs per token in the representation (scaleOfCounts: 6N, or M from the shape columns)
    ...(r.reps ? { reps: r.reps } : {}),
    tokens: r.tokens,
    loss: r.loss,
    lr: r.lr,
    batchTokens: r.batchTokens,
    params: r.params,
    curve: curveOf?.get(r)?.map((p) => ({ tokens: p.tokens, compute: p.compute, loss: p.loss })),
    source: { file: r.file, line: r.line },
  }));
  return { observations, inputs, representation, lossUnits, budgetRule: assigned.description, notes, warnings, excluded: { running: [], diverged: [], droppedHighestLoss: [] } };
}

/** The label reports compare fits by: --dataset, else the runs' dataset column (one value), else the file name(s). Fills empty run labels. */
function datasetLabel(observations: Observation[], files: readonly string[], given: string | undefined): string {
  const datasets = [...new Set(observations.map((o) => o.dataset).filter((d) => d !== ''))];
  let dataset: string;
  if (given !== undefined) {
    if (given.trim() === '') throw new InputError('must not be empty', { field: '--dataset' });
    dataset = given;
  } else if (datasets.length > 1) {
    throw new InputError(`the runs span ${datasets.length} datasets (${datasets.slice(0, 5).join(', ')}${datasets.length > 5 ? ', …' : ''}): fit one with --filter, or label the mix with --dataset NAME`, { field: 'dataset' });
  } else if (datasets.length === 1) {
    dataset = datasets[0];
  } else {
    const stems = [...new Set(files.map((f) => baseName(f).replace(/\.[^.]*$/, '')))];
    dataset = stems.length <= 3 ? stems.join('+') : `${stems.slice(0, 3).join('+')}+${stems.length - 3} more`;
  }
  for (const o of observations) if (o.dataset === '') o.dataset = dataset;
  return dataset;
}

/** `--drop-highest-loss K`: removes the K highest-loss runs and names them in the notes. */
function dropHighestLoss(b: BranchResult, drop: number): Observation[] {
  if (drop === 0) return b.observations;
  if (drop >= b.observations.length) throw new InputError(`cannot drop ${drop} of ${b.observations.length} runs`, { field: '--drop-highest-loss' });
  const worst = [...b.observations].sort((x, y) => y.loss - x.loss).slice(0, drop);
  const gone = new Set(worst);
  b.excluded.droppedHighestLoss = worst.map((o) => o.runId);
  b.notes.push(`--drop-highest-loss ${drop}: dropped ${b.excluded.droppedHighestLoss.join(', ')} (losses ${worst.map((o) => o.loss.toPrecision(4)).join(', ')})`);
  return b.observations.filter((o) => !gone.has(o));
}

/** Groups evaluation rows by run (file + run id); the row with the most tokens is the result. A run must keep its N. */
function collapseCurves(rows: MappedRow[]): { results: MappedRow[]; curveOf: Map<MappedRow, MappedRow[]> } {
  const byRun = new Map<string, MappedRow[]>();
  for (const r of rows) {
    const k = `${r.file}\u0000${r.runId}`;
    const list = byRun.get(k) ?? [];
    if (list.length && list[0].params !== r.params) throw new InputError(`run '${r.runId}' changes N from ${list[0].params} (line ${list[0].line}) to ${r.params}`, { file: r.file, line: r.line });
    list.push(r);
    byRun.set(k, list);
  }
  const results: MappedRow[] = [];
  const curveOf = new Map<MappedRow, MappedRow[]>();
  for (const list of byRun.values()) {
    list.sort((a, b) => a.tokens - b.tokens);
    const last = list[list.length - 1];
    results.push(last);
    curveOf.set(last, list);
  }
  return { results, curveOf };
}
