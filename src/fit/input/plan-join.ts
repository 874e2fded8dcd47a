// `scaling fit --plan PLAN.json FILES --col id=COLUMN --col loss=EXPR`: other trainers' results (a W&B export, a Megatron log
// table…) joined to the plan's grid points by id, so shape, M, N1, N2, D, batch, LR and budget come from the plan exactly and
// only the loss comes from the file (docs/fit.md, "Results from other trainers").
import { InputError } from '../../util/errors.ts';
import { sha256 } from '../../util/hash.ts';
import { computeFlops, scaleCounts, scaleOfCounts, scalePerToken, type Representation } from '../../flops/flops.ts';
import { allPoints, readPlan, type GridPoint, type PlanFile } from '../../schema/plan.ts';
import type { Observation } from '../types.ts';
import { readTable } from './table.ts';
import { checkFilterColumns, matchAll, resolveColumnList, type RowFilter } from './mapping.ts';
import { compileColumnExpr } from './expression.ts';
import { baseName } from './external.ts';

/** The --col keys a plan join takes: the column holding the point id (or a run name containing it), the loss, optionally a dataset label. */
export const PLAN_JOIN_KEYS = ['id', 'loss', 'dataset'] as const;
export type PlanJoinKey = (typeof PLAN_JOIN_KEYS)[number];

export interface PlanJoinOptions {
  filters: RowFilter[];
  /** Scale of the fit (default: the plan's representation). */
  representation?: Representation;
  /** Units of the loss column (default nats/token). */
  lossUnits?: string;
  /** Options that make no sense here (budgets, batches come from the plan): flag → value, refused when set. */
  refused?: [string, unknown][];
}

export interface PlanJoinResult {
  observations: Observation[];
  inputs: { file: string; sha256: string; rows: number }[];
  representation: Representation;
  lossUnits: string;
  budgetRule: string;
  notes: string[];
  warnings: string[];
  excluded: { running: string[]; diverged: string[]; droppedHighestLoss: string[] };
}

/** `--col KEY=SPEC` flags of a plan join: id and loss required, dataset optional; anything else is a flag error naming it. */
export function parsePlanJoinColumns(specs: readonly string[]): Partial<Record<PlanJoinKey, string>> & { id: string; loss: string } {
  const m: Partial<Record<PlanJoinKey, string>> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new InputError(`expected KEY=COLUMN, got '${s}'`, { field: '--col' });
    const key = s.slice(0, eq).trim();
    if (!(PLAN_JOIN_KEYS as readonly string[]).includes(key)) {
      throw new InputError(`with --plan only ${PLAN_JOIN_KEYS.join(', ')} are mapped (got '${key}': shape, tokens, batch, LR and budget come from the plan)`, { field: '--col' });
    }
    if (m[key as PlanJoinKey] !== undefined) throw new InputError(`'${key}' mapped twice`, { field: '--col' });
    m[key as PlanJoinKey] = s.slice(eq + 1).trim();
  }
  if (m.id === undefined) throw new InputError('--plan needs --col id=COLUMN (the column holding each run\'s grid point id, e.g. a W&B run name)', { field: '--col' });
  if (m.loss === undefined) throw new InputError('--plan needs --col loss=COLUMN (the final loss of each run)', { field: '--col' });
  return m as Partial<Record<PlanJoinKey, string>> & { id: string; loss: string };
}

const ID_CHAR = /[A-Za-z0-9.]/;

/**
 * The plan point a cell names: the id itself, or the one id found inside a longer name at word boundaries (no letter, digit or
 * '.' on either side: 'isoflop/C1.00e17-i03-L6-d224-seed0' names C1.00e17-i03-L6-d224, 'C…-d2240' does not name '…-d224').
 * Several ids in one cell are ambiguous (undefined with the candidates).
 */
export function matchPointId(cell: string, ids: ReadonlySet<string>, sortedIds: readonly string[]): { id?: string; candidates: string[] } {
  const v = cell.trim();
  if (ids.has(v)) return { id: v, candidates: [v] };
  const found = new Set<string>();
  for (const id of sortedIds) {
    let at = v.indexOf(id);
    while (at >= 0) {
      const before = at > 0 ? v[at - 1] : '';
      const after = v[at + id.length] ?? '';
      if (!ID_CHAR.test(before) && !ID_CHAR.test(after)) {
        found.add(id);
        break;
      }
      at = v.indexOf(id, at + 1);
    }
  }
  // An id that is part of another found id (a prefix at a boundary such as 'a-b' in 'a-b-c') is not a second candidate.
  const candidates = [...found].filter((id) => ![...found].some((o) => o !== id && o.includes(id)));
  return candidates.length === 1 ? { id: candidates[0], candidates } : { candidates };
}

/** The observation of a grid point with a loss: every number but the loss from the plan (compute = scale × tokens in `rep`). */
export function planObservation(p: GridPoint, loss: number, rep: Representation, dataset: string, source: { file: string; line: number }): Observation {
  const counts = scaleCounts(p.shape);
  return {
    runId: p.id,
    dataset,
    budget: p.budget,
    compute: computeFlops(p.shape, p.tokens, rep),
    scale: scalePerToken(p.shape, rep),
    tokens: p.tokens,
    loss,
    lr: p.lr,
    batchTokens: p.batchTokens,
    reps: { M: scaleOfCounts(counts, 'M'), sixN1: scaleOfCounts(counts, '6N1'), sixN2: scaleOfCounts(counts, '6N2') },
    params: rep === '6N2' ? counts.N2 : counts.N1,
    source,
  };
}

/** Reads `files` (CSV or JSON tables) and joins their rows to the points of the plan at `planPath`. */
export function readPlanJoin(files: readonly string[], planPath: string, columns: readonly string[], opts: PlanJoinOptions): PlanJoinResult {
  for (const [flag, v] of opts.refused ?? []) {
    if (v !== undefined) throw new InputError('does not apply with --plan (budgets, tokens and batch sizes come from the plan)', { field: flag });
  }
  const plan: PlanFile = readPlan(planPath);
  const map = parsePlanJoinColumns(columns);
  const points = new Map(allPoints(plan).map((p) => [p.id, p]));
  const ids = new Set(points.keys());
  const sortedIds = [...ids].sort((a, b) => b.length - a.length);
  const rep = opts.representation ?? plan.representation;
  const lossUnits = opts.lossUnits ?? 'nats/token';
  const out: PlanJoinResult = {
    observations: [], inputs: [], representation: rep, lossUnits,
    budgetRule: `budgets, shapes, tokens, batch and LR from the plan ${baseName(planPath)} (each row's grid point)`,
    notes: [], warnings: [], excluded: { running: [], diverged: [], droppedHighestLoss: [] },
  };
  const seen = new Map<string, { file: string; line: number }>();
  const unmatched: string[] = [];
  for (const file of files) {
    const table = readTable(file);
    if (table.records.length === 0) throw new InputError('empty file (a header but no rows)', { file, line: 2 });
    const [idCol] = resolveColumnList(map.id, table.header, 'id', file);
    const datasetCols = map.dataset !== undefined ? resolveColumnList(map.dataset, table.header, 'dataset', file) : undefined;
    const loss = compileColumnExpr(map.loss, table.header, 'loss', file);
    checkFilterColumns(opts.filters, table.header, file);
    let joined = 0, filtered = 0, noLoss = 0;
    for (const rec of table.records) {
      const get = (c: string) => rec.values[c];
      if (!matchAll(opts.filters, get)) {
        filtered++;
        continue;
      }
      const cell = (get(idCol) ?? '').trim();
      const m = matchPointId(cell, ids, sortedIds);
      if (!m.id) {
        if (m.candidates.length > 1) throw new InputError(`'${cell}' names ${m.candidates.length} grid points (${m.candidates.join(', ')})`, { file, line: rec.line, field: idCol });
        unmatched.push(`${cell || '(empty)'} (line ${rec.line})`);
        continue;
      }
      const first = seen.get(m.id);
      if (first) throw new InputError(`grid point '${m.id}' already joined from ${baseName(first.file)} line ${first.line} (a rerun? keep one with --filter)`, { file, line: rec.line, field: idCol });
      const v = loss.evaluate(get);
      if ('missing' in v) {
        noLoss++;
        out.excluded.running.push(m.id);
        seen.set(m.id, { file, line: rec.line });
        continue;
      }
      if ('error' in v) throw new InputError(v.error, { file, line: rec.line, field: v.column ?? map.loss });
      if (!(v.value > 0) || !Number.isFinite(v.value)) throw new InputError(`a loss must be a positive number, got ${v.value}`, { file, line: rec.line, field: map.loss });
      seen.set(m.id, { file, line: rec.line });
      const dataset = datasetCols ? datasetCols.map((c) => (get(c) ?? '').trim()).join('|') : plan.options.dataset ?? '';
      out.observations.push(planObservation(points.get(m.id)!, v.value, rep, dataset, { file, line: rec.line }));
      joined++;
    }
    out.inputs.push({ file, sha256: sha256(table.text), rows: table.records.length });
    const parts = [`${joined} of ${table.records.length} rows joined to grid points by '${idCol}'`];
    if (filtered) parts.push(`${filtered} left out by --filter`);
    if (noLoss) parts.push(`${noLoss} without a loss (excluded)`);
    out.notes.push(`${baseName(file)}: ${parts.join(', ')}`);
  }
  const list = (xs: string[]) => xs.slice(0, 6).join(', ') + (xs.length > 6 ? `, … (${xs.length - 6} more)` : '');
  if (out.observations.length === 0 && out.excluded.running.length === 0) {
    throw new InputError(`no row names a grid point of ${baseName(planPath)} (ids look like '${sortedIds[sortedIds.length - 1]}'; first values: ${list(unmatched)})`, { file: files[0], field: map.id });
  }
  if (unmatched.length) out.warnings.push(`${unmatched.length} row(s) name no grid point of the plan, left out: ${list(unmatched)}`);
  if (out.excluded.running.length) out.warnings.push(`${out.excluded.running.length} run(s) have no loss yet, excluded: ${list(out.excluded.running)}`);
  const missing = [...ids].filter((id) => !seen.has(id));
  if (missing.length) out.warnings.push(`${missing.length} of ${ids.size} grid points have no result: ${list(missing)}`);
  out.notes.push(`scale = ${rep} per token of each point's plan shape, tokens = its plan D, compute = scale × tokens; loss = ${map.loss} (${lossUnits})`);
  return out;
}
