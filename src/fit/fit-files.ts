// Fit files end to end as a library call (used by `scaling run`): load observations → fit → record the inputs in provenance.
import { loadObservations, type InputOptions, type LoadedInput } from './input/load.ts';
import { DEFAULT_FIT_OPTIONS, fitObservations } from './fit.ts';
import type { FitOptions } from './types.ts';
import type { LawsFile } from '../schema/laws.ts';

/** Adds what only the input side knows to a fit's provenance: input files with hashes, how rows were read, what was left out. */
export function attachInputProvenance(laws: LawsFile, loaded: LoadedInput, input: InputOptions): void {
  const p = laws.provenance;
  p.inputs = loaded.inputs;
  p.options = {
    ...(p.options ?? {}),
    input: {
      format: loaded.format,
      columns: input.columns,
      filters: input.filters,
      limit: input.limit,
      batchUnit: input.batchUnit,
      lossColumn: loaded.format === 'runs' ? (input.lossColumn ?? 'val_bpb') : undefined,
      budgetFrom: input.budgetFrom,
      budgetFactor: input.budgetFactor,
      snap: input.snap,
      dropHighestLoss: input.dropHighestLoss,
      dedupe: input.dedupe,
      budgetRule: loaded.budgetRule,
      plan: input.plan,
      representation: loaded.representation,
    },
  };
  const excluded = [...loaded.warnings, ...loaded.notes.filter((n) => /drop|left out|exclud/.test(n))];
  if (excluded.length) p.notes = [p.notes, ...excluded].filter(Boolean).join(' | ');
}

/** Loads `files`, fits them with DEFAULT_FIT_OPTIONS overridden by `fit`, and returns the laws with full provenance. */
export function fitRunFiles(files: string[], o: { input?: InputOptions; fit?: Partial<FitOptions> } = {}): LawsFile {
  const input = o.input ?? {};
  const loaded = loadObservations(files, input);
  const opts: FitOptions = {
    ...DEFAULT_FIT_OPTIONS,
    dataset: loaded.dataset,
    name: loaded.dataset.replace(/[^A-Za-z0-9._-]+/g, '-'),
    representation: loaded.representation,
    lossUnits: loaded.lossUnits,
    ...(loaded.format === 'mapped' ? { approach3Scale: 'N' as const } : {}),
    ...o.fit,
  };
  const laws = fitObservations(loaded.observations, opts);
  attachInputProvenance(laws, loaded, input);
  return laws;
}
