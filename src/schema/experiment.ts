// The experiment JSON (docs/experiments.md): everything `scaling run` executes — data, budgets, grid, training, fitting, report.
import { basename, dirname, resolve } from 'node:path';
import { InputError, requireNumber, requireObject, requireString } from '../util/errors.ts';
import { readJsonFile } from './json-file.ts';
import type { GridSettings } from './plan.ts';
import { DATASETS, DEFAULT_SCHEDULE, DEFAULT_WARMUP, FIT_DEFAULTS, TRAIN_DEFAULTS, oneOf, parseBackend, parseDataset, parseSchedule, parseWarmup, type BackendName, type DatasetName } from './settings.ts';
import { parseTargets } from '../flops/targets.ts';

export const EXPERIMENT_SCHEMA = 'scaling.experiment';
export const EXPERIMENT_VERSION = 1;

/**
 * 'isoflop': the paper's §3.2 study — per budget, `points` model/data allocations around the laws' M_opt, batch and LR from Eq. 1.
 * 'hparams': the paper's §3.1 study — per budget, the compute-optimal model trained on a grid of batch sizes × learning rates.
 */
export type StudyKind = 'isoflop' | 'hparams';

export interface ExperimentFile extends GridSettings {
  schema: typeof EXPERIMENT_SCHEMA;
  version: typeof EXPERIMENT_VERSION;
  name: string;
  description?: string;
  study: StudyKind;
  /** Datasets to train on (each gets its own plan, runs and fit): see DATASETS in settings.ts. */
  datasets: DatasetName[];
  /** Compute budgets in FLOPs: a list, or {from, to, count} log-spaced. */
  budgets: number[] | { from: number; to: number; count: number };
  /** Laws giving M_opt for the grid centre and B_opt/η_opt for training (default: the paper's, fits/deepseek-llm.json). */
  laws?: string;
  /** hparams: multipliers of Eq. 1's B_opt and η_opt that span the grid (log-spaced values such as [0.25, 0.5, 1, 2, 4]). */
  batchMultipliers?: number[];
  lrMultipliers?: number[];
  /** Seeds per grid point (default 1): replicas measure the noise budget (seed σ vs the IsoFLOP residual σ); the fitter averages them. */
  seeds: number;
  /** Which points of each budget get the extra seeds: 'all' (default) or the K nearest the predicted optimum. */
  seedPoints: 'all' | number;
  train: {
    backend: BackendName;
    /** Worker processes (default: number of cores). */
    jobs?: number;
    checkpointEvery: number;
    /** Validation evaluations per run (plus the final one). */
    evals: number;
    initStd?: number;
  };
  fit: {
    window: number;
    bootstrap: number;
    hyperThreshold: number;
    predict: string[];
  };
  report: { title: string };
  /** Output folder (default: out/<name>), relative to the current directory. */
  out?: string;
  /** Data folder shared by experiments (default: data). */
  data?: string;
}

export const STUDY_KINDS = ['isoflop', 'hparams'] as const satisfies readonly StudyKind[];

/** Experiment defaults: the CPU-sized byte-level grid; schedule, warm-up, training and fit settings from their homes (settings.ts). */
const DEFAULTS = {
  study: 'isoflop' as StudyKind,
  points: 5,
  span: 4,
  seqLen: 128,
  vocab: 256,
  schedule: DEFAULT_SCHEDULE,
  warmup: DEFAULT_WARMUP,
  seed: 0,
  train: { backend: TRAIN_DEFAULTS.backend, checkpointEvery: TRAIN_DEFAULTS.checkpointEvery, evals: TRAIN_DEFAULTS.evals },
  fit: { window: FIT_DEFAULTS.window, bootstrap: FIT_DEFAULTS.bootstrap, hyperThreshold: FIT_DEFAULTS.hyperThreshold, predict: [...FIT_DEFAULTS.predict] },
};

function numberList(v: unknown, field: string, file: string): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new InputError('expected a non-empty array of numbers', { file, field });
  return v.map((x, i) => requireNumber(x, `${field}[${i}]`, file, { positive: true }));
}

/** fit.predict: every item parsed now (as `scaling fit --predict` would), so a bad target fails before any training. */
function predictList(v: unknown, file: string): string[] {
  if (!Array.isArray(v)) throw new InputError('expected an array of strings', { file, field: 'fit.predict' });
  return v.map((p, i) => {
    const item = requireString(p, `fit.predict[${i}]`, file);
    try {
      parseTargets([item]);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(e.message.replace(/^--predict: /, ''), { file, field: `fit.predict[${i}]` });
      throw e;
    }
    return item;
  });
}

/** Validates an experiment object, fills defaults, and names the field of any problem. */
export function validateExperiment(raw: unknown, file: string): ExperimentFile {
  const o = requireObject(raw, '(root)', file);
  if (o.schema !== EXPERIMENT_SCHEMA) throw new InputError(`expected "${EXPERIMENT_SCHEMA}", got ${JSON.stringify(o.schema)}`, { file, field: 'schema' });
  if (o.version !== EXPERIMENT_VERSION) throw new InputError(`unsupported version ${JSON.stringify(o.version)}`, { file, field: 'version' });
  const name = requireString(o.name ?? basename(file, '.json'), 'name', file);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new InputError(`must be filesystem-safe, got ${JSON.stringify(name)}`, { file, field: 'name' });
  const study = oneOf(STUDY_KINDS, o.study ?? DEFAULTS.study, { file, field: 'study' }, 'study');
  if (!Array.isArray(o.datasets) || o.datasets.length === 0) throw new InputError(`expected a non-empty array of ${DATASETS.join(', ')}`, { file, field: 'datasets' });
  const datasets = o.datasets.map((d, i) => parseDataset(d, { file, field: `datasets[${i}]` }));
  if (new Set(datasets).size !== datasets.length) throw new InputError('a dataset is listed twice', { file, field: 'datasets' });
  let budgets: ExperimentFile['budgets'];
  if (Array.isArray(o.budgets)) budgets = numberList(o.budgets, 'budgets', file);
  else {
    const b = requireObject(o.budgets, 'budgets', file);
    budgets = {
      from: requireNumber(b.from, 'budgets.from', file, { positive: true }),
      to: requireNumber(b.to, 'budgets.to', file, { positive: true }),
      count: requireNumber(b.count, 'budgets.count', file, { integer: true, min: 1 }),
    };
    if (budgets.to < budgets.from) throw new InputError('must be ≥ budgets.from', { file, field: 'budgets.to' });
  }
  const num = (k: string, d: number, opts: { integer?: boolean; min?: number; positive?: boolean } = {}) => (o[k] === undefined ? d : requireNumber(o[k], k, file, opts));
  const points = num('points', DEFAULTS.points, { integer: true, min: 3 });
  const span = num('span', DEFAULTS.span, { positive: true });
  if (span <= 1) throw new InputError(`must be > 1, got ${span}`, { file, field: 'span' });
  const schedule = parseSchedule(o.schedule ?? DEFAULTS.schedule, { file, field: 'schedule' });
  const trainRaw = o.train === undefined ? {} : requireObject(o.train, 'train', file);
  const backend: BackendName = parseBackend(trainRaw.backend ?? DEFAULTS.train.backend, { file, field: 'train.backend' });
  const fitRaw = o.fit === undefined ? {} : requireObject(o.fit, 'fit', file);
  const reportRaw = o.report === undefined ? {} : requireObject(o.report, 'report', file);
  const exp: ExperimentFile = {
    schema: EXPERIMENT_SCHEMA,
    version: EXPERIMENT_VERSION,
    name,
    ...(o.description !== undefined ? { description: requireString(o.description, 'description', file) } : {}),
    study,
    datasets,
    budgets,
    points,
    span,
    seqLen: num('seqLen', DEFAULTS.seqLen, { integer: true, min: 2 }),
    vocab: num('vocab', DEFAULTS.vocab, { integer: true, min: 2 }),
    schedule,
    warmup: parseWarmup(o.warmup ?? DEFAULTS.warmup, { file, field: 'warmup' }),
    seed: num('seed', DEFAULTS.seed, { integer: true, min: 0 }),
    seeds: num('seeds', 1, { integer: true, min: 1 }),
    seedPoints: o.seedPoints === undefined || o.seedPoints === 'all' ? 'all' : requireNumber(o.seedPoints, 'seedPoints', file, { integer: true, min: 1 }),
    ...(o.laws !== undefined ? { laws: requireString(o.laws, 'laws', file) } : {}),
    train: {
      backend,
      ...(trainRaw.jobs !== undefined ? { jobs: requireNumber(trainRaw.jobs, 'train.jobs', file, { integer: true, min: 1 }) } : {}),
      checkpointEvery: trainRaw.checkpointEvery === undefined ? DEFAULTS.train.checkpointEvery : requireNumber(trainRaw.checkpointEvery, 'train.checkpointEvery', file, { positive: true }),
      evals: trainRaw.evals === undefined ? DEFAULTS.train.evals : requireNumber(trainRaw.evals, 'train.evals', file, { integer: true, min: 1 }),
      ...(trainRaw.initStd !== undefined ? { initStd: requireNumber(trainRaw.initStd, 'train.initStd', file, { positive: true }) } : {}),
    },
    fit: {
      window: fitRaw.window === undefined ? DEFAULTS.fit.window : requireNumber(fitRaw.window, 'fit.window', file, { integer: true, min: 0 }),
      bootstrap: fitRaw.bootstrap === undefined ? DEFAULTS.fit.bootstrap : requireNumber(fitRaw.bootstrap, 'fit.bootstrap', file, { integer: true, min: 0 }),
      hyperThreshold: fitRaw.hyperThreshold === undefined ? DEFAULTS.fit.hyperThreshold : requireNumber(fitRaw.hyperThreshold, 'fit.hyperThreshold', file, { positive: true }),
      predict: fitRaw.predict === undefined ? DEFAULTS.fit.predict : predictList(fitRaw.predict, file),
    },
    report: { title: reportRaw.title === undefined ? `${name}: scaling study` : requireString(reportRaw.title, 'report.title', file) },
    ...(o.out !== undefined ? { out: requireString(o.out, 'out', file) } : {}),
    ...(o.data !== undefined ? { data: requireString(o.data, 'data', file) } : {}),
  };
  if (study === 'hparams') {
    exp.batchMultipliers = numberList(o.batchMultipliers ?? [0.25, 0.5, 1, 2, 4], 'batchMultipliers', file);
    exp.lrMultipliers = numberList(o.lrMultipliers ?? [0.25, 0.5, 1, 2, 4], 'lrMultipliers', file);
  }
  return exp;
}

export function readExperiment(file: string): ExperimentFile {
  return validateExperiment(readJsonFile(file, 'experiment'), file);
}

/** Resolves the laws path of an experiment relative to the experiment file. */
export function experimentLawsPath(exp: ExperimentFile, file: string): string | undefined {
  return exp.laws ? resolve(dirname(file), exp.laws) : undefined;
}
