// The library's verbs, each one call over a whole stage: flops, plan, train, fit, report (runExperiment is src/run/experiment.ts).
// They take plain values or file paths, apply the same defaults as the CLI (whose commands are thin layers over the same modules),
// and return typed results. Heavy stages (TensorFlow.js, vega) load only when called.
import { scaleCounts, type ScaleCounts } from './flops/flops.ts';
import { validateShape, type ModelShape } from './flops/shape.ts';
import { loadLaws } from './laws/load.ts';
import { readLaws, type LawsFile } from './schema/laws.ts';
import { parseBudgetList, parseBudgetRange } from './plan/budgets.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan, type PlanOptions } from './plan/grid.ts';
import type { PlanFile } from './schema/plan.ts';
import { readPlan } from './schema/plan.ts';
import type { TrainPlanOptions, TrainSummary } from './train/workers.ts';
import type { InputOptions } from './fit/input/load.ts';
import type { FitOptions, Observation } from './fit/types.ts';
import { DEFAULT_FIT_OPTIONS, fitObservations } from './fit/fit.ts';
import { fitRunFiles } from './fit/fit-files.ts';
import { expandInputs } from './fit/input/files.ts';
import type { ReportInput } from './report/types.ts';
import type { WriteOptions, WrittenReport } from './report/report.ts';
import { loadDatasets, loadReference, loadRuns } from './report/inputs.ts';
import { paperTargets } from './flops/targets.ts';
import { toolVersion } from './util/version.ts';
import { DEFAULT_BACKEND, type BackendName } from './schema/settings.ts';

/** N1, N2 and M (paper Eq. 2) of a shape, validated; exact for GQA and any FFN width. */
export function flops(shape: ModelShape): ScaleCounts {
  return scaleCounts(validateShape(shape));
}

export interface PlanRequest extends Partial<PlanOptions> {
  /** Budgets in FLOPs: a list, '3e20', '1e17,3e17' or log-spaced 'FROM:TO:COUNT'. */
  budgets: number[] | string;
  /** A laws file path, a LawsFile, or nothing for the paper's (fits/deepseek-llm.json). */
  laws?: string | LawsFile;
}

/** IsoFLOP grids around the laws' optimum, one per budget (what `scaling plan --out plan.json` writes). */
export function plan(req: PlanRequest): PlanFile {
  const { budgets: b, laws: l, ...options } = req;
  const budgets = typeof b === 'string' ? (b.includes(':') ? parseBudgetRange(b, 'budgets') : parseBudgetList(b, 'budgets')) : b;
  const { laws, path } = typeof l === 'object' ? { laws: l, path: `library:${l.name}` } : loadLaws(l);
  return makePlan(budgets, laws, path, { ...DEFAULT_PLAN_OPTIONS, ...options });
}

/** Trains a plan (a PlanFile or its path) on the prepared data, resuming unfinished runs: `scaling train`. */
export async function train(p: PlanFile | string, opts: TrainPlanOptions): Promise<TrainSummary> {
  const { trainPlan } = await import('./train/workers.ts');
  return trainPlan(typeof p === 'string' ? readPlan(p) : p, opts);
}

/** Fits laws to run files (paths or glob patterns; our run CSVs or anyone's via `input.columns`) or to observations: `scaling fit`. */
export function fit(runs: string[] | Observation[], o: { input?: InputOptions; fit?: Partial<FitOptions> } = {}): LawsFile {
  if (runs.length > 0 && typeof runs[0] !== 'string') {
    return fitObservations(runs as Observation[], { ...DEFAULT_FIT_OPTIONS, ...o.fit });
  }
  return fitRunFiles(expandInputs(runs as string[]), o);
}

export interface ReportRequest {
  /** Fits files (paths) to compare; each becomes a dataset labelled by its name. */
  fits: string[];
  /** Run CSVs or glob patterns for the training-curve chart. */
  runs?: string[];
  title?: string;
  /** Laws drawn as dashed references: a path, or false for none (default: the paper's). */
  reference?: string | false;
}

/** Builds the report input from fits files and writes charts + one offline HTML page into `dir`: `scaling report`. */
export async function report(dir: string, req: ReportRequest, opts: Partial<WriteOptions> = {}): Promise<WrittenReport> {
  const { writeReport } = await import('./report/report.ts');
  const datasets = loadDatasets(req.fits);
  const ref = req.reference === false ? undefined : loadReference(req.reference);
  const input: ReportInput = {
    title: req.title ?? `Scaling laws: ${datasets.map((d) => d.label).join(' vs ')}`,
    datasets,
    runs: req.runs?.length ? loadRuns(req.runs) : undefined,
    reference: ref ? { label: ref.label, laws: ref.laws } : undefined,
    targets: paperTargets(),
  };
  return writeReport(dir, input, { svg: true, png: true, tool: `scaling ${toolVersion()}`, ...opts });
}

/**
 * Selects and initialises the trainer's TensorFlow.js backend (auto, wasm-blas, wasm, cpu, node, node-gpu) and returns the one in use.
 * Loaded on call, so importing the library does not load TensorFlow.js.
 */
export async function initBackend(name: BackendName = DEFAULT_BACKEND): Promise<string> {
  const m = await import('./train/backend.ts');
  return m.initBackend(name);
}

/** A laws/fits file, validated (the format `plan --laws` reads and `fit --out` writes). */
export { readLaws };
