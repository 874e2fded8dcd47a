// Our own run CSVs (src/schema/runs.ts) → observations: the last row of a run with status done is its result, earlier rows its curve.
import { InputError } from '../../util/errors.ts';
import { type RunRow, groupRuns, finalRow, parseRunCsv } from '../../schema/runs.ts';
import { scaleOfCounts, type Representation } from '../../flops/flops.ts';
import type { Observation } from '../types.ts';
import { type RowFilter, checkFilterColumns, matchAll } from './mapping.ts';

export type LossColumn = 'val_bpb' | 'val_loss' | 'train_loss';

export interface RunFileRead {
  observations: Observation[];
  /** Runs left out, by reason (never silently). */
  running: string[];
  diverged: string[];
  rows: number;
  filteredOut: number;
  /** Validation-set hash of each done run's result row (empty when the file does not record it). */
  valHashes: string[];
}

export interface RunFileOptions {
  lossColumn: LossColumn;
  representation: Representation;
  filters: RowFilter[];
}

/** Loss units of a run-CSV loss column. */
export function lossUnitsOf(col: LossColumn): string {
  return col === 'val_bpb' ? 'bits-per-byte' : 'nats/token';
}


export function readRunFile(text: string, file: string, opts: RunFileOptions): RunFileRead {
  const all = parseRunCsv(text, file);
  if (all.length === 0) throw new InputError('empty file (a header but no rows)', { file, line: 2 });
  checkFilterColumns(opts.filters, Object.keys(all[0]).filter((k) => k !== 'line'), file);
  const rows = all.filter((r) => matchAll(opts.filters, (c) => String((r as unknown as Record<string, unknown>)[c])));
  const observations: Observation[] = [];
  const running: string[] = [];
  const diverged: string[] = [];
  const valHashes: string[] = [];
  for (const [runId, runRows] of groupRuns(rows)) {
    // A run is one grid point: its budget and shape cannot change between evaluations.
    const first = runRows[0];
    for (const r of runRows) {
      for (const c of ['budget', 'M', 'N1', 'N2', 'dataset'] as const) {
        if (r[c] !== first[c]) throw new InputError(`run '${runId}' changes ${c} from ${first[c]} (line ${first.line}) to ${r[c]}`, { file, line: r.line, field: c });
      }
    }
    const last = finalRow(runRows);
    if (!last) {
      const status = runRows[runRows.length - 1].status;
      (status === 'diverged' ? diverged : running).push(runId);
      continue;
    }
    const loss = last[opts.lossColumn];
    if (!Number.isFinite(loss) || loss <= 0) throw new InputError(`a done run's final loss must be a positive number, got ${loss}`, { file, line: last.line, field: opts.lossColumn });
    const scale = scaleOfCounts(last, opts.representation);
    if (!(scale > 0)) throw new InputError(`must be > 0 for representation ${opts.representation}`, { file, line: last.line, field: opts.representation === 'M' ? 'M' : opts.representation === '6N1' ? 'N1' : 'N2' });
    if (!(last.tokens > 0)) throw new InputError('a done run must have trained on tokens > 0', { file, line: last.line, field: 'tokens' });
    if (!(last.budget > 0)) throw new InputError('must be > 0', { file, line: last.line, field: 'budget' });
    valHashes.push(last.val_hash);
    const curve = runRows
      .filter((r) => Number.isFinite(r[opts.lossColumn]) && r.tokens > 0)
      .map((r) => ({ tokens: r.tokens, compute: scale * r.tokens, loss: r[opts.lossColumn] }));
    observations.push({
      runId,
      dataset: last.dataset,
      budget: last.budget,
      compute: scale * last.tokens,
      scale,
      tokens: last.tokens,
      loss,
      lr: last.lr_max > 0 ? last.lr_max : undefined,
      schedule: last.stages ? `${last.schedule} ${last.stages}` : last.schedule,
      batchTokens: last.batch_tokens > 0 ? last.batch_tokens : undefined,
      reps: { M: scaleOfCounts(last, 'M'), sixN1: scaleOfCounts(last, '6N1'), sixN2: scaleOfCounts(last, '6N2') },
      params: opts.representation === '6N2' ? last.N2 : last.N1,
      curve,
      source: { file, line: last.line },
    });
  }
  return { observations, running, diverged, rows: all.length, filteredOut: all.length - rows.length, valHashes };
}
