// The experiment JSON (docs/experiments.md): everything `scaling run` executes — data, budgets, grid, training, fitting, report.
import { basename, dirname, resolve } from 'node:path';
import { InputError, requireNumber, requireObject, requireString } from '../util/errors.ts';
import { readJsonFile } from './json-file.ts';
import type { GridSettings } from './plan.ts';
import { MAX_GRID_POINTS } from './settings.ts';
import { DATASETS, DEFAULT_NEXT_TARGET, DEFAULT_SCHEDULE, DEFAULT_STAGES, DEFAULT_WARMUP, FIT_DEFAULTS, TRAIN_DEFAULTS, didYouMean, oneOf, parseBackend, parseNextTarget, parseDataset, parseSchedule, parseStages, parseWarmup, type BackendName, type DatasetName, type ScheduleName } from './settings.ts';
import { parseShapeSpec, parseTargets } from '../flops/targets.ts';

export const EXPERIMENT_SCHEMA = 'scaling.experiment';
export const EXPERIMENT_VERSION = 1;

/**
 * 'isoflop': the paper's §3.2 study — per budget, `points` model/data allocations around the laws' M_opt, batch and LR from Eq. 1.
 * 'hparams': the paper's §3.1 study — per budget, the compute-optimal model trained on a grid of batch sizes × learning rates.
 * 'ladder': the paper's §2.2 / Fig. 1 study (docs/ladder.md) — one shape trained for every budget, multi-step rungs branched from
 * one trunk per seed, beside other schedules (cosine) and stage ratios; fitted as final losses per schedule with their seed spread.
 */
export type StudyKind = 'isoflop' | 'hparams' | 'ladder';

/** ladder: the shape and what its rungs are trained with (budgets = the rungs' compute, D = C / M; seeds = one trunk each). */
export interface LadderSettings {
  /** A preset ('7b') or 'n_layer=…,d_model=…[,n_heads=…,d_ff=…]' (seqLen/vocab from the experiment); default: the laws' M_opt at the largest budget. */
  model?: string;
  /** Schedules to compare: multistep rungs branch from the trunk, the others (cosine) are trained from scratch. */
  schedules: ScheduleName[];
  /** Multi-step stage ratios (all branch from the same trunk), e.g. ['80/10/10', '70/15/15', '90/5/5']. */
  stages: string[];
}

/** The adaptive loop of `scaling run` (docs/next.md): up to `rounds` rounds of `spendPerRound` FLOPs, until `halfWidth` is reached. */
export interface AdaptiveOption {
  rounds: number;
  /** FLOPs each round may spend on new runs (scale × tokens, as the budgets count it). */
  spendPerRound: number;
  /** What to pin down: 'a', 'b', 'loss@7b', 'loss@C', 'M_opt@C' (parseNextTarget). */
  target: string;
  /** Stop once the target's 95% half-width is at most this. */
  halfWidth?: number;
  /** At most this many new runs per round. */
  maxRuns?: number;
  /** Simulated refits per candidate and step (scaling next --simulations). */
  simulations?: number;
  /** σ of one run's final loss, when the grid cannot estimate it (budgets of ≤ 3 models; scaling next --noise). */
  noise?: number;
}

export const ADAPTIVE_KEYS = ['rounds', 'spendPerRound', 'target', 'halfWidth', 'maxRuns', 'simulations', 'noise'] as const;

/** adaptive: every field checked (file:field) before any work; unknown keys are errors with the closest known one. */
function adaptiveOption(v: unknown, study: StudyKind, file: string): AdaptiveOption {
  const a = requireObject(v, 'adaptive', file);
  if (study !== 'isoflop') throw new InputError(`only a study "isoflop" can add runs adaptively (this one is "${study}")`, { file, field: 'adaptive' });
  for (const k of Object.keys(a)) {
    if (!(ADAPTIVE_KEYS as readonly string[]).includes(k)) {
      const hint = didYouMean(k, ADAPTIVE_KEYS);
      throw new InputError(`unknown key (known: ${ADAPTIVE_KEYS.join(', ')})${hint ? `; did you mean '${hint}'?` : ''}`, { file, field: `adaptive.${k}` });
    }
  }
  if (a.rounds === undefined) throw new InputError('is required (how many rounds of fit → next → train)', { file, field: 'adaptive.rounds' });
  if (a.spendPerRound === undefined) throw new InputError('is required (FLOPs each round may spend)', { file, field: 'adaptive.spendPerRound' });
  const out: AdaptiveOption = {
    rounds: requireNumber(a.rounds, 'adaptive.rounds', file, { integer: true, min: 1 }),
    spendPerRound: requireNumber(a.spendPerRound, 'adaptive.spendPerRound', file, { positive: true }),
    target: parseNextTarget(a.target ?? DEFAULT_NEXT_TARGET, { file, field: 'adaptive.target' }).spec,
  };
  if (a.halfWidth !== undefined) out.halfWidth = requireNumber(a.halfWidth, 'adaptive.halfWidth', file, { positive: true });
  if (a.maxRuns !== undefined) out.maxRuns = requireNumber(a.maxRuns, 'adaptive.maxRuns', file, { integer: true, min: 1 });
  if (a.simulations !== undefined) out.simulations = requireNumber(a.simulations, 'adaptive.simulations', file, { integer: true, min: 2 });
  if (a.noise !== undefined) out.noise = requireNumber(a.noise, 'adaptive.noise', file, { positive: true });
  return out;
}

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
  /** study 'ladder' only. */
  ladder?: LadderSettings;
  /** study 'isoflop' only: after the initial grid, rounds of fit → `scaling next` → train (docs/next.md). */
  adaptive?: AdaptiveOption;
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
    /** Per-budget optimum: 'parabola' (default) or 'spline'. */
    optimum?: 'parabola' | 'spline';
    /** Bootstrap scheme: 'cases' (default) or 'parametric' (docs/fit-methods.md §8). */
    bootstrapScheme?: 'cases' | 'parametric';
  };
  /** Shape-family constraints of the grid (docs/plan.md "The shape family"); each defaults to 'auto' / 1. */
  family?: { headSize?: number | 'auto'; multipleOf?: number | 'auto'; kvGroup?: number; tp?: number; pp?: number };
  report: { title: string };
  /** Output folder (default: out/<name>), relative to the current directory. */
  out?: string;
  /** Data folder shared by experiments (default: data). */
  data?: string;
}

export const STUDY_KINDS = ['isoflop', 'hparams', 'ladder'] as const satisfies readonly StudyKind[];

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

/** family: the shape-family constraints, each checked with file:field. */
function familyOption(v: unknown, file: string): NonNullable<ExperimentFile['family']> {
  const f = requireObject(v, 'family', file);
  checkKeys(f, 'family', file);
  const out: NonNullable<ExperimentFile['family']> = {};
  for (const k of ['headSize', 'multipleOf'] as const) {
    if (f[k] !== undefined) out[k] = f[k] === 'auto' ? 'auto' : requireNumber(f[k], `family.${k}`, file, { integer: true, min: 1 });
  }
  for (const k of ['kvGroup', 'tp', 'pp'] as const) if (f[k] !== undefined) out[k] = requireNumber(f[k], `family.${k}`, file, { integer: true, min: 1 });
  return out;
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

/** ladder: model (parsed now, so a bad shape fails before any work), schedules and stage ratios, with defaults from the experiment. */
function ladderSettings(v: unknown, exp: ExperimentFile, file: string): LadderSettings {
  const o = v === undefined ? {} : requireObject(v, 'ladder', file);
  const list = (x: unknown, field: string): unknown[] => {
    if (!Array.isArray(x) || x.length === 0) throw new InputError('expected a non-empty array', { file, field });
    return x;
  };
  const schedules = o.schedules === undefined ? [exp.schedule] : list(o.schedules, 'ladder.schedules').map((s, i) => parseSchedule(s, { file, field: `ladder.schedules[${i}]` }));
  const stages = o.stages === undefined ? [exp.stages ?? DEFAULT_STAGES] : list(o.stages, 'ladder.stages').map((s, i) => parseStages(s, { file, field: `ladder.stages[${i}]` }));
  if (new Set(schedules).size !== schedules.length) throw new InputError('a schedule is listed twice', { file, field: 'ladder.schedules' });
  if (new Set(stages).size !== stages.length) throw new InputError('a stage ratio is listed twice', { file, field: 'ladder.stages' });
  const out: LadderSettings = { schedules, stages };
  if (o.model !== undefined) {
    out.model = requireString(o.model, 'ladder.model', file);
    parseShapeSpec(out.model, exp, { file, field: 'ladder.model' });
  }
  return out;
}

/** The keys an experiment file may have, at the top and in its sections: any other key is a typo (named, with the closest). */
export const EXPERIMENT_KEYS = {
  '': ['schema', 'version', 'name', 'description', 'study', 'datasets', 'budgets', 'points', 'span', 'seqLen', 'vocab', 'schedule', 'warmup', 'stages',
    'seed', 'seeds', 'seedPoints', 'laws', 'batchMultipliers', 'lrMultipliers', 'ladder', 'adaptive', 'family', 'train', 'fit', 'report', 'out', 'data', '$comment'],
  budgets: ['from', 'to', 'count'],
  train: ['backend', 'jobs', 'checkpointEvery', 'evals', 'initStd'],
  fit: ['window', 'bootstrap', 'hyperThreshold', 'predict', 'optimum', 'bootstrapScheme'],
  family: ['headSize', 'multipleOf', 'kvGroup', 'tp', 'pp'],
  report: ['title'],
  ladder: ['model', 'schedules', 'stages'],
} as const;

/** Throws on the first key of `o` not in `known`, naming it (section.key) with the closest known key. */
function checkKeys(o: Record<string, unknown>, section: keyof typeof EXPERIMENT_KEYS, file: string): void {
  const known = EXPERIMENT_KEYS[section] as readonly string[];
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const hint = didYouMean(k, known);
    throw new InputError(`unknown key${hint ? `; did you mean '${hint}'?` : ` (known: ${known.join(', ')})`}`, { file, field: section ? `${section}.${k}` : k });
  }
}

/** Budgets an experiment lists: each once (duplicates would make duplicate grids). */
function distinctBudgets(list: number[], file: string): number[] {
  const sorted = [...list].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (Math.abs(sorted[i] - sorted[i - 1]) <= 1e-6 * sorted[i]) throw new InputError(`budget ${sorted[i].toExponential(3)} is listed twice`, { file, field: 'budgets' });
  }
  return list;
}

/** Validates an experiment object, fills defaults, and names the field of any problem. */
export function validateExperiment(raw: unknown, file: string): ExperimentFile {
  const o = requireObject(raw, '(root)', file);
  checkKeys(o, '', file);
  for (const section of ['train', 'fit', 'report', 'ladder'] as const) {
    if (o[section] !== undefined && typeof o[section] === 'object' && o[section] !== null && !Array.isArray(o[section])) checkKeys(o[section] as Record<string, unknown>, section, file);
  }
  if (o.schema !== EXPERIMENT_SCHEMA) throw new InputError(`expected "${EXPERIMENT_SCHEMA}", got ${JSON.stringify(o.schema)}`, { file, field: 'schema' });
  if (o.version !== EXPERIMENT_VERSION) throw new InputError(`unsupported version ${JSON.stringify(o.version)}`, { file, field: 'version' });
  const name = requireString(o.name ?? basename(file, '.json'), 'name', file);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new InputError(`must be filesystem-safe, got ${JSON.stringify(name)}`, { file, field: 'name' });
  const study = oneOf(STUDY_KINDS, o.study ?? DEFAULTS.study, { file, field: 'study' }, 'study');
  if (!Array.isArray(o.datasets) || o.datasets.length === 0) throw new InputError(`expected a non-empty array of ${DATASETS.join(', ')}`, { file, field: 'datasets' });
  const datasets = o.datasets.map((d, i) => parseDataset(d, { file, field: `datasets[${i}]` }));
  if (new Set(datasets).size !== datasets.length) throw new InputError('a dataset is listed twice', { file, field: 'datasets' });
  let budgets: ExperimentFile['budgets'];
  if (Array.isArray(o.budgets)) budgets = distinctBudgets(numberList(o.budgets, 'budgets', file), file);
  else {
    const b = requireObject(o.budgets, 'budgets', file);
    checkKeys(b, 'budgets', file);
    budgets = {
      from: requireNumber(b.from, 'budgets.from', file, { positive: true }),
      to: requireNumber(b.to, 'budgets.to', file, { positive: true }),
      count: requireNumber(b.count, 'budgets.count', file, { integer: true, min: 1 }),
    };
    if (budgets.to < budgets.from) throw new InputError('must be ≥ budgets.from', { file, field: 'budgets.to' });
    // Both ends are budgets of the range: count 1 would drop `to`, from = to would repeat one budget.
    if (budgets.count === 1 && budgets.to !== budgets.from) throw new InputError('count 1 cannot include both from and to: list the budget, or count ≥ 2', { file, field: 'budgets.count' });
    if (budgets.count > 1 && Math.abs(budgets.to - budgets.from) <= 1e-6 * budgets.to) throw new InputError('from and to are the same budget: list it once', { file, field: 'budgets.to' });
  }
  const num = (k: string, d: number, opts: { integer?: boolean; min?: number; positive?: boolean } = {}) => (o[k] === undefined ? d : requireNumber(o[k], k, file, opts));
  const points = num('points', DEFAULTS.points, { integer: true, min: 3 });
  if (points > MAX_GRID_POINTS) throw new InputError(`${points} points per budget is more than ${MAX_GRID_POINTS} (the paper uses ~10)`, { file, field: 'points' });
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
    ...(o.stages !== undefined ? { stages: parseStages(o.stages, { file, field: 'stages' }) } : {}),
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
      ...(fitRaw.optimum !== undefined ? { optimum: oneOf(['parabola', 'spline'] as const, fitRaw.optimum, { file, field: 'fit.optimum' }, 'optimum') } : {}),
      ...(fitRaw.bootstrapScheme !== undefined ? { bootstrapScheme: oneOf(['cases', 'parametric'] as const, fitRaw.bootstrapScheme, { file, field: 'fit.bootstrapScheme' }, 'scheme') } : {}),
    },
    ...(o.family !== undefined ? { family: familyOption(o.family, file) } : {}),
    report: { title: reportRaw.title === undefined ? `${name}: scaling study` : requireString(reportRaw.title, 'report.title', file) },
    ...(o.out !== undefined ? { out: requireString(o.out, 'out', file) } : {}),
    ...(o.data !== undefined ? { data: requireString(o.data, 'data', file) } : {}),
  };
  if (study === 'hparams') {
    exp.batchMultipliers = numberList(o.batchMultipliers ?? [0.25, 0.5, 1, 2, 4], 'batchMultipliers', file);
    exp.lrMultipliers = numberList(o.lrMultipliers ?? [0.25, 0.5, 1, 2, 4], 'lrMultipliers', file);
  }
  if (study === 'ladder') exp.ladder = ladderSettings(o.ladder, exp, file);
  else if (o.ladder !== undefined) throw new InputError(`only a study "ladder" takes ladder settings (this one is "${study}")`, { file, field: 'ladder' });
  if (o.adaptive !== undefined) exp.adaptive = adaptiveOption(o.adaptive, study, file);
  return exp;
}

export function readExperiment(file: string): ExperimentFile {
  return validateExperiment(readJsonFile(file, 'experiment'), file);
}

/** Resolves the laws path of an experiment relative to the experiment file. */
export function experimentLawsPath(exp: ExperimentFile, file: string): string | undefined {
  return exp.laws ? resolve(dirname(file), exp.laws) : undefined;
}
