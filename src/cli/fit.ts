// `scaling fit FILES…`: read runs (ours, or anyone's through --col mappings), fit the scaling laws, print the summary / JSON, write --out atomically.
import type { CommandModule } from 'yargs';
import { basename } from 'node:path';
import { expandInputs } from '../fit/input/files.ts';
import { loadObservations, type InputOptions } from '../fit/input/load.ts';
import type { LossColumn } from '../fit/input/runs.ts';
import { fitObservations, DEFAULT_FIT_OPTIONS, type FitHooks } from '../fit/fit.ts';
import { BOOTSTRAP_SCHEMES } from '../fit/bootstrap.ts';
import { MultiProgress, type ProgressBar } from '../util/progress.ts';
import { attachInputProvenance } from '../fit/fit-files.ts';
import type { FitOptions } from '../fit/types.ts';
import { formatFitSummary } from '../fit/summary.ts';
import { writeLaws, type LawsFile } from '../schema/laws.ts';
import { InputError } from '../util/errors.ts';
import { REPRESENTATIONS, type Representation } from '../flops/flops.ts';
import { positiveInteger, positiveNumber } from './options.ts';
import { OPTIMUM_METHODS } from '../fit/approach2.ts';
import { splitTargetList } from '../fit/predict.ts';
import { checkOutputFile, isStdoutPath } from '../util/safe-out.ts';

interface FitArgs {
  files: string[];
  plan?: string;
  col?: string | string[];
  filter?: string | string[];
  limit?: number;
  batchUnit?: string;
  representation?: Representation;
  lossColumn?: LossColumn;
  lossUnits?: string;
  budgetFrom?: string;
  budgetFactor?: number;
  snap?: number;
  dataset?: string;
  dropHighestLoss?: number;
  dedupe?: boolean;
  curves?: boolean;
  window?: number;
  optimum?: 'parabola' | 'spline';
  keepUnbracketed?: boolean;
  optimaWeights?: 'none' | 'bootstrap';
  bootstrapScheme?: 'cases' | 'parametric';
  hyperThreshold?: number;
  hyperForm?: 'compute' | 'steplaw';
  bootstrap?: number;
  seed?: number;
  ci?: number;
  holdoutLargest?: number;
  predict?: string;
  approach3: boolean;
  approach3Scale?: 'N' | 'M';
  json?: boolean;
  out?: string;
  name?: string;
}

/** A repeatable flag: yargs gives a string for one use and an array for several (non-greedy, so FILES may follow). */
function list(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String);
}

/** Flag values → library options (every number checked here, so the library sees only valid ones). */
export function inputOptionsFromArgs(a: FitArgs): InputOptions {
  return {
    columns: list(a.col),
    filters: list(a.filter),
    limit: a.limit === undefined ? undefined : positiveInteger(a.limit, '--limit'),
    batchUnit: a.batchUnit,
    representation: a.representation,
    lossColumn: a.lossColumn,
    lossUnits: a.lossUnits,
    budgetFrom: a.budgetFrom,
    budgetFactor: a.budgetFactor === undefined ? undefined : positiveNumber(a.budgetFactor, '--budget-factor'),
    snap: a.snap === undefined ? undefined : positiveNumber(a.snap, '--snap'),
    dataset: a.dataset,
    dropHighestLoss: a.dropHighestLoss === undefined ? undefined : positiveInteger(a.dropHighestLoss, '--drop-highest-loss', 0),
    dedupe: a.dedupe || undefined,
    curves: a.curves || undefined,
    plan: a.plan,
  };
}

export const fitCommand: CommandModule<object, FitArgs> = {
  command: 'fit <files..>',
  describe: 'Fit scaling laws to runs: IsoFLOP optima, M_opt/D_opt laws, loss curve, LR/batch laws, Chinchilla approach 3, bootstrap CIs, predictions',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: "run CSVs, or CSV/JSON read through --col (quoted globs like 'runs/**/*.csv' are expanded)" })
      .option('col', { type: 'string', describe: 'map a column: KEY=COLUMN[*FACTOR], KEY in N, C, D, loss, lr, batch, budget, group, run, dataset (e.g. C=throughput/total_gflops*1e9)', group: 'Input:' })
      .option('plan', { type: 'string', describe: 'join rows to this plan\'s grid points by --col id=COLUMN (a run name containing the id works); shape, M, D, batch, LR and budget come from the plan, --col loss=… from the file', group: 'Input:' })
      .option('filter', { type: 'string', describe: "keep rows where COLUMN=VALUE (also !=, <, >, <=, >=, ~REGEX); repeatable", group: 'Input:' })
      .option('limit', { type: 'number', describe: 'use at most this many rows per file (after --filter)', group: 'Input:' })
      .option('batch-unit', { type: 'string', describe: "unit of --col batch: 'tokens' (default) or 'sequences:LEN', e.g. sequences:4096", group: 'Input:' })
      .option('representation', { choices: REPRESENTATIONS, describe: 'model scale: M for our runs (default), 6N1 (N non-embedding) or 6N2 (N all parameters, default for mapped files)', group: 'Input:' })
      .option('loss-column', { choices: ['val_bpb', 'val_loss', 'train_loss'] as const, describe: 'our run CSVs: which loss is the result (default val_bpb, bits per byte; val_loss in nats)', group: 'Input:' })
      .option('loss-units', { type: 'string', describe: 'mapped files: units of the loss column (default nats/token)', group: 'Input:' })
      .option('budget-from', { type: 'string', describe: "budget from a name: COLUMN:REGEX whose first group is the budget, e.g. 'Name:^isoflop-([0-9.e+]+)-'", group: 'Input:' })
      .option('budget-factor', { type: 'number', describe: 'multiply budget labels (--col budget / --budget-from) by this, e.g. 3 when names count 2ND', group: 'Input:' })
      .option('snap', { type: 'number', describe: 'no budget column: snap C to budgets found in the data within this relative tolerance (default 0.1)', group: 'Input:' })
      .option('dataset', { type: 'string', describe: "label of the fit (default: the runs' dataset column, else the file name)", group: 'Input:' })
      .option('drop-highest-loss', { type: 'number', describe: "drop the K highest-loss runs (Epoch's Chinchilla protocol: 5)", group: 'Input:' })
      .option('dedupe', { type: 'boolean', describe: 'mapped files: keep the first of identical rows (reported) instead of failing', group: 'Input:' })
      .option('curves', { type: 'boolean', describe: 'mapped files with --col run: rows of a run are its evaluations (last = result, all = curve for approach 1)', group: 'Input:' })
      .option('window', { type: 'number', describe: 'approach 2: fit each parabola on N consecutive distinct scales around the lowest-loss one, balanced (0 = auto: all up to 6, else max(6, ⌈2n/3⌉))', group: 'Fit:' })
      .option('optimum', { choices: OPTIMUM_METHODS, describe: "per-budget optimum: 'parabola' (vertex, default) or 'spline' (Akima argmin of log loss, Porian et al. 2024)", group: 'Fit:' })
      .option('keep-unbracketed', { type: 'boolean', describe: 'keep budgets whose lowest loss is at an edge of their grid in the power laws (default: excluded, named in a warning)', group: 'Fit:' })
      .option('bootstrap-scheme', { choices: BOOTSTRAP_SCHEMES, describe: "bootstrap: 'cases' (resample runs, default) or 'parametric' (redraw each loss around its budget's fitted parabola with the pooled residual σ; calibrated on synthetic grids, docs/fit-methods.md §8)", group: 'Fit:' })
      .option('optima-weights', { choices: ['none', 'bootstrap'] as const, describe: "weights of the optima in the allocation laws: 'none' (default) or 'bootstrap' (1/σ² of each optimum's bootstrap spread)", group: 'Fit:' })
      .option('hyper-threshold', { type: 'number', describe: 'near-optimal runs: loss ≤ (1 + T) × budget minimum (paper: 0.0025)', group: 'Fit:' })
      .option('hyper-form', { choices: ['compute', 'steplaw'] as const, describe: 'hyperparameter laws in C (paper Eq. 1) or the Step Law form (η in N and D, B in D)', group: 'Fit:' })
      .option('bootstrap', { type: 'number', describe: 'bootstrap resamples for intervals (0 = none; default 1000)', group: 'Fit:' })
      .option('seed', { type: 'number', describe: 'bootstrap seed', group: 'Fit:' })
      .option('ci', { type: 'number', describe: 'confidence level of intervals (default 0.95)', group: 'Fit:' })
      .option('holdout-largest', { type: 'number', describe: 'backtest: fit without the K largest budgets and report the errors predicting them', group: 'Fit:' })
      .option('predict', { type: 'string', describe: 'comma list: 7b, 67b (DeepSeek shapes at 2T tokens), budgets like 1e21, shapes n_layer=…,d_model=…, or points N=7e9,D=2e12 (approach 3; NAME:N=…,D=… labels one)', group: 'Fit:' })
      .option('approach3', { type: 'boolean', default: true, describe: 'fit Chinchilla approach 3 (--no-approach3 skips it)', group: 'Fit:' })
      .option('approach3-scale', { choices: ['N', 'M'] as const, describe: 'approach 3 in parameters N (C = 6ND) or in M', group: 'Fit:' })
      .option('json', { type: 'boolean', describe: 'print the laws JSON (with details) instead of the table', group: 'Output:' })
      .option('out', { type: 'string', describe: 'write the laws file here atomically (what `scaling plan --laws` reads), e.g. fits/mine.json', group: 'Output:' })
      .option('name', { type: 'string', describe: 'name of the fit (default: --out file stem, else the dataset label)', group: 'Output:' })
      .example("$0 fit 'runs/*.csv' --out fits/micro.json", 'our runs (loss = val_bpb, scale = M)')
      .example("$0 fit --plan plan.json wandb.csv --col id=Name --col loss=eval/loss", "other trainers' results joined to a plan by grid point id")
      .example("$0 fit data.json --col N=parameters --col C=compute_budget --col budget=compute_budget --col loss=final_loss", 'any CSV/JSON through a column mapping (docs/fit.md)') as never,
  handler: (a) => {
    // Refuse an --out we may not write before any fitting is done ('-' = the laws JSON on stdout).
    const toStdout = a.out !== undefined && isStdoutPath(a.out);
    if (a.out !== undefined) checkOutputFile(a.out, { flag: '--out' });
    const files = expandInputs(a.files.map(String));
    const input = inputOptionsFromArgs(a);
    const loaded = loadObservations(files, input);
    const name = a.name ?? (a.out ? basename(a.out).replace(/\.json$/i, '') : loaded.dataset.replace(/[^A-Za-z0-9._-]+/g, '-'));
    const opts: FitOptions = {
      ...DEFAULT_FIT_OPTIONS,
      dataset: loaded.dataset,
      name,
      representation: loaded.representation,
      lossUnits: loaded.lossUnits,
    };
    if (a.window !== undefined) opts.window = positiveInteger(a.window, '--window', 0);
    if (a.optimum !== undefined) opts.optimum = a.optimum;
    if (a.keepUnbracketed) opts.keepUnbracketed = true;
    if (a.optimaWeights !== undefined) opts.optimaWeights = a.optimaWeights;
    if (a.bootstrapScheme !== undefined) opts.bootstrapScheme = a.bootstrapScheme;
    if (a.hyperThreshold !== undefined) opts.hyperThreshold = positiveNumber(a.hyperThreshold, '--hyper-threshold');
    if (a.hyperForm !== undefined) opts.hyperForm = a.hyperForm;
    if (a.bootstrap !== undefined) opts.bootstrap = positiveInteger(a.bootstrap, '--bootstrap', 0);
    if (a.seed !== undefined) opts.seed = positiveInteger(a.seed, '--seed', 0);
    if (a.ci !== undefined) {
      if (!(a.ci > 0 && a.ci < 1)) throw new InputError(`must be in (0, 1), got ${a.ci}`, { field: '--ci' });
      opts.ciLevel = a.ci;
    }
    if (a.holdoutLargest !== undefined) opts.holdoutLargest = positiveInteger(a.holdoutLargest, '--holdout-largest', 0);
    if (a.predict !== undefined) opts.predict = splitTargetList(String(a.predict));
    opts.approach3 = a.approach3;
    if (a.approach3Scale !== undefined) opts.approach3Scale = a.approach3Scale;
    else if (loaded.format === 'mapped') opts.approach3Scale = 'N';

    const progress = new MultiProgress();
    const bars = new Map<string, ProgressBar>();
    const hooks: FitHooks = {
      progress: (stage, done, total) => {
        let b = bars.get(stage);
        if (!b) {
          b = progress.bar(total, { label: stage === 'bootstrap' ? `bootstrap (${total} resamples)` : 'approach 3 (grid of starts)' });
          bars.set(stage, b);
        }
        b.update(done);
      },
    };
    let laws: LawsFile;
    try {
      laws = fitObservations(loaded.observations, opts, hooks);
    } finally {
      progress.stop();
    }
    attachInputProvenance(laws, loaded, input);
    if (a.out) writeLaws(a.out, laws);
    const summary = a.json ? JSON.stringify(laws, null, 2) + '\n' : formatFitSummary(laws, { notes: loaded.notes, warnings: loaded.warnings });
    // With --out - the laws JSON is standard output, so the summary goes to stderr.
    if (toStdout) process.stderr.write(a.json ? '' : summary);
    else process.stdout.write(summary);
    if (a.out && !toStdout) process.stderr.write(`wrote ${a.out}\n`);
  },
};
