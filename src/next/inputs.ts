// The runs behind a fit: the input files its provenance records (paths resolved, hashes checked) or a --runs glob, loaded the way
// the fit read them, plus the final row of each of our run CSVs (shape, batch, LR, seed) so new points can continue the grid.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { sha256File } from '../util/hash.ts';
import { expandPaths } from '../util/glob.ts';
import type { LawsFile } from '../schema/laws.ts';
import { finalRow, groupRuns, readRunCsv, type RunRow } from '../schema/runs.ts';
import { loadObservations, type InputOptions, type LoadedInput } from '../fit/input/load.ts';
import { dataHash } from '../fit/fit.ts';
import type { Observation } from '../fit/types.ts';

export interface FitRuns {
  files: string[];
  loaded: LoadedInput;
  observations: Observation[];
  /** Our run CSVs: the final (done) row of each run, by run id. Empty for mapped files (no shapes). */
  rows: Map<string, RunRow>;
  /** Things the user should know (changed inputs, different data than the fit saw). */
  notes: string[];
  /** The plan the fit joined other trainers' results to (`scaling fit --plan`), resolved; new points continue it. */
  plan?: string;
}

/** Where a recorded input path lives: as written (relative to the working directory), or relative to the fits file or its parent. */
function locate(file: string, fitsPath: string | undefined): string | undefined {
  if (isAbsolute(file)) return existsSync(file) ? file : undefined;
  const bases = ['.', ...(fitsPath ? [dirname(fitsPath), join(dirname(fitsPath), '..')] : [])];
  for (const b of bases) {
    const p = b === '.' ? file : join(b, file);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The input options a fit recorded (provenance.options.input), so its runs are read back exactly as they were fitted. */
export function recordedInputOptions(laws: LawsFile): InputOptions {
  const input = ((laws.provenance.options ?? {}) as { input?: Record<string, unknown> }).input ?? {};
  const o: InputOptions = {};
  const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  const num = (k: string) => (typeof input[k] === 'number' ? (input[k] as number) : undefined);
  const list = (k: string) => (Array.isArray(input[k]) ? (input[k] as unknown[]).map(String) : undefined);
  if (list('columns')?.length) o.columns = list('columns');
  if (list('filters')?.length) o.filters = list('filters');
  if (num('limit') !== undefined) o.limit = num('limit');
  if (str('batchUnit')) o.batchUnit = str('batchUnit');
  if (input.format === 'runs' && str('lossColumn')) o.lossColumn = str('lossColumn') as InputOptions['lossColumn'];
  if (str('budgetFrom')) o.budgetFrom = str('budgetFrom');
  if (num('budgetFactor') !== undefined) o.budgetFactor = num('budgetFactor');
  if (num('snap') !== undefined) o.snap = num('snap');
  if (num('dropHighestLoss')) o.dropHighestLoss = num('dropHighestLoss');
  if (input.dedupe === true) o.dedupe = true;
  if (str('plan')) o.plan = str('plan');
  o.representation = laws.representation;
  o.dataset = laws.dataset;
  return o;
}

/** The run files of a fit: `runs` (paths/globs) when given, else provenance.inputs resolved; a missing file is one clear error. */
export function fitRunFiles(laws: LawsFile, fitsPath: string | undefined, runs?: string[]): { files: string[]; notes: string[] } {
  const notes: string[] = [];
  if (runs && runs.length) return { files: expandPaths(runs, '--runs'), notes };
  const inputs = laws.provenance.inputs;
  if (!inputs || inputs.length === 0) {
    throw new InputError('the fit records no input files (provenance.inputs): name its runs with --runs GLOB', { file: fitsPath, field: 'provenance.inputs' });
  }
  const files: string[] = [];
  let changed = 0;
  inputs.forEach((inp, i) => {
    const p = locate(inp.file, fitsPath);
    if (!p) throw new InputError(`input ${inp.file} not found (relative to the working directory or the fits file): name the runs with --runs GLOB`, { file: fitsPath, field: `provenance.inputs[${i}].file` });
    if (inp.sha256 && sha256File(p) !== inp.sha256) changed++;
    files.push(p);
  });
  if (changed) notes.push(`${changed} of ${inputs.length} input files changed since the fit (sha256 differs): the proposal uses them as they are now`);
  return { files, notes };
}

/** Loads a fit's runs (as the fit read them) and, for our run CSVs, each run's final row. */
export function loadFitRuns(laws: LawsFile, fitsPath: string | undefined, runs?: string[]): FitRuns {
  const { files, notes } = fitRunFiles(laws, fitsPath, runs);
  const input = recordedInputOptions(laws);
  if (input.plan) {
    const p = locate(input.plan, fitsPath);
    if (!p) throw new InputError(`the plan the fit joined its results to (${input.plan}) is not found`, { file: fitsPath, field: 'provenance.options.input.plan' });
    input.plan = p;
  }
  const loaded = loadObservations(files, input);
  const rows = new Map<string, RunRow>();
  if (loaded.format === 'runs') {
    for (const f of [...new Set(loaded.observations.map((o) => o.source.file))]) {
      for (const [id, list] of groupRuns(readRunCsv(f))) {
        const last = finalRow(list);
        if (last) rows.set(id, last);
      }
    }
  }
  if (laws.provenance.dataHash && dataHash(loaded.observations) !== laws.provenance.dataHash) {
    notes.push('the runs differ from the data this fit saw (dataHash differs): the proposal refits them as they are now');
  }
  return { files: files.map((f) => resolve(f)), loaded, observations: loaded.observations, rows, notes, ...(input.plan ? { plan: input.plan } : {}) };
}
