// `scaling run`: one experiment file → data → plans → training (all cores, resumable) → fits per dataset → one report comparing them.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.ts';
import { join, resolve } from 'node:path';
import { experimentLawsPath, type ExperimentFile } from '../schema/experiment.ts';
import { allPoints, readPlan, writePlan, type PlanFile } from '../schema/plan.ts';
import { writeLaws, type LawsFile } from '../schema/laws.ts';
import { loadLaws } from '../laws/load.ts';
import { parseBudgetRange } from '../plan/budgets.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan, type PlanOptions } from '../plan/grid.ts';
import { makeHparamPlan } from '../plan/hparam-grid.ts';
import { withSeedReplicas } from '../plan/replicas.ts';
import { prepareDataset } from '../data/prepare.ts';
import { BYTE_VOCAB } from '../data/split.ts';
import { InputError } from '../util/errors.ts';
import { trainPlan, type TrainSummary } from '../train/workers.ts';
import { runFiles } from '../train/loop.ts';
import { fitRunFiles } from '../fit/fit-files.ts';
import { writeReport } from '../report/report.ts';
import { loadReference, paperTargets, loadRuns } from '../report/inputs.ts';
import type { ReportDataset } from '../report/types.ts';
import { sha256 } from '../util/hash.ts';
import { formatDuration } from '../util/progress.ts';
import { terminalPath } from '../util/terminal-path.ts';
import { toolVersion } from '../util/version.ts';
import { runAdaptive } from './adaptive.ts';
import { preflight } from './preflight.ts';
import { finishLadderStudy, ladderStudyPlan } from './ladder.ts';
import { formatPlanCompute, planCompute } from '../plan/ladder.ts';
import type { ScheduleSummary } from '../fit/schedules.ts';
import type { AdaptiveResult } from '../next/adaptive.ts';

export interface RunOptions {
  /** Stop after writing the plans (for budgets meant for GPU clusters). */
  planOnly?: boolean;
  jobs?: number;
  backend?: ExperimentFile['train']['backend'];
  /** Override the output folder. */
  out?: string;
  log?: (line: string) => void;
  /** Progress bars: 'auto' (TTY) or off. */
  progress?: boolean | 'auto';
  stopSignal?: AbortSignal;
}

export interface DatasetResult {
  dataset: string;
  plan: string;
  runsDir: string;
  fit?: string;
  laws?: LawsFile;
  train?: TrainSummary;
  /** The run CSVs fitted: one per plan point that has one. */
  runFiles?: string[];
  /** The adaptive rounds (experiment option `adaptive`), when there were any. */
  adaptive?: AdaptiveResult;
  /** A ladder study's final losses per schedule (its `fit` is then that summary's JSON, not a laws file). */
  schedules?: ScheduleSummary;
}

export interface RunResult {
  out: string;
  datasets: DatasetResult[];
  report?: string;
  interrupted: boolean;
  elapsedS: number;
}

/** Folder layout of an experiment's outputs. */
export function experimentPaths(exp: ExperimentFile, out?: string) {
  const root = resolve(out ?? exp.out ?? join('out', exp.name));
  return {
    root,
    data: resolve(exp.data ?? 'data'),
    plan: (ds: string) => join(root, 'plans', `${ds}.json`),
    runs: (ds: string) => join(root, 'runs', ds),
    fit: (ds: string) => join(root, 'fits', `${exp.name}-${ds}.json`),
    report: join(root, 'report'),
  };
}

export function experimentBudgets(exp: ExperimentFile): number[] {
  return Array.isArray(exp.budgets) ? exp.budgets : parseBudgetRange(`${exp.budgets.from}:${exp.budgets.to}:${exp.budgets.count}`, 'budgets');
}

/** The plan of one dataset (deterministic for an experiment file; `created` is kept from an existing identical plan). */
export function experimentPlan(exp: ExperimentFile, file: string, dataset: string): PlanFile {
  const { laws, path } = loadLaws(experimentLawsPath(exp, file));
  const o: PlanOptions = {
    ...DEFAULT_PLAN_OPTIONS,
    points: exp.points,
    span: exp.span,
    seqLen: exp.seqLen,
    vocab: exp.vocab,
    schedule: exp.schedule,
    warmup: exp.warmup,
    seed: exp.seed,
    dataset,
    stages: exp.stages,
    ...exp.family,
  };
  const budgets = experimentBudgets(exp);
  if (exp.study === 'ladder') return ladderStudyPlan(exp, laws, path, dataset, budgets); // seeds are its ladders (docs/ladder.md)
  const plan = exp.study === 'hparams' ? makeHparamPlan(budgets, laws, path, o, exp.batchMultipliers!, exp.lrMultipliers!) : makePlan(budgets, laws, path, o);
  return withSeedReplicas(plan, { seeds: exp.seeds, points: exp.seedPoints });
}

/** The run CSV of every point of the plan that has one, in plan order. */
export function planRunFiles(plan: PlanFile, runsDir: string): string[] {
  return allPoints(plan).map((p) => runFiles(runsDir, p.id).csv).filter((f) => existsSync(f));
}

function samePoints(a: PlanFile, b: PlanFile): boolean {
  return JSON.stringify(a.budgets) === JSON.stringify(b.budgets);
}

export async function runExperiment(exp: ExperimentFile, file: string, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const paths = experimentPaths(exp, opts.out);
  const results: DatasetResult[] = [];
  const stage = (n: number, what: string) => log(`[${n}/5] ${what}  (${formatDuration((Date.now() - t0) / 1000)} elapsed)`);

  if (!opts.planOnly && exp.vocab !== BYTE_VOCAB) {
    throw new InputError(`the bundled datasets are byte-level (vocab ${BYTE_VOCAB}), this experiment has vocab ${exp.vocab}: run it with --plan-only and train the plans on your own cluster`, { file, field: 'vocab' });
  }

  // Before any work: budgets, laws, every plan (warm-up, memory of each point) and every output path (src/run/preflight.ts).
  preflight(exp, file, paths, { planOnly: opts.planOnly, jobs: opts.jobs, backend: opts.backend }, (ds) => experimentPlan(exp, file, ds), () => experimentBudgets(exp));

  // 1. Data.
  if (!opts.planOnly) {
    stage(1, `data: ${exp.datasets.join(', ')} → ${terminalPath(paths.data)}`);
    for (const ds of exp.datasets) {
      const r = await prepareDataset(ds, { outDir: paths.data, log: (l) => log(`  ${l}`) });
      log(`  ${ds}: ${r.reused ? 'reused' : 'prepared'} ${r.dir}`);
    }
  } else stage(1, 'data: skipped (--plan-only)');

  // 2. Plans.
  stage(2, `plan: ${exp.study} grid, ${experimentBudgets(exp).length} budgets × ${exp.study === 'hparams' ? `${exp.batchMultipliers!.length}×${exp.lrMultipliers!.length} (batch × lr)` : exp.study === 'ladder' ? `one shape (token ladder), ${exp.ladder!.schedules.join(' + ')}, stages ${exp.ladder!.stages.join(', ')}, ${exp.seeds} seed(s)` : `${exp.points} allocations`}`);
  for (const ds of exp.datasets) {
    const planFile = paths.plan(ds);
    let plan = experimentPlan(exp, file, ds);
    if (existsSync(planFile)) {
      const old = readPlan(planFile);
      if (samePoints(old, plan)) plan = old;
      else log(`  ${ds}: the experiment changed since ${planFile} was written; writing the new plan (finished runs of unchanged points are kept)`);
    }
    writePlan(planFile, plan);
    const n = plan.budgets.reduce((s, b) => s + b.points.length, 0);
    const flops = plan.budgets.reduce((s, b) => s + b.points.reduce((t, p) => t + p.flops, 0), 0);
    log(`  ${ds}: ${n} runs, ${flops.toExponential(2)} FLOPs in all → ${terminalPath(planFile)}`);
    if (plan.ladders?.length) for (const l of formatPlanCompute(planCompute(plan)).split('\n')) log(`  ${ds}: ${l}`);
    for (const b of plan.budgets) for (const w of b.warnings ?? []) log(`  warning (C=${b.budget.toExponential(2)}): ${w}`);
    results.push({ dataset: ds, plan: planFile, runsDir: paths.runs(ds) });
  }
  if (opts.planOnly && exp.adaptive) log('  adaptive rounds skipped (--plan-only): after training, run `scaling next` on the fit (docs/next.md)');
  if (opts.planOnly) return { out: paths.root, datasets: results, interrupted: false, elapsedS: (Date.now() - t0) / 1000 };

  // 3. Training: one plan at a time, each on all workers; rerunning skips finished runs and resumes the rest from checkpoints.
  stage(3, `train: backend ${opts.backend ?? exp.train.backend}, ${opts.jobs ?? exp.train.jobs ?? 'all'} workers`);
  let interrupted = false;
  for (const r of results) {
    if (interrupted) break;
    log(`  ${r.dataset}:`);
    r.train = await trainPlan(readPlan(r.plan), {
      runsDir: r.runsDir,
      dataDir: paths.data,
      dataset: r.dataset,
      backend: opts.backend ?? exp.train.backend,
      jobs: opts.jobs ?? exp.train.jobs,
      checkpointEvery: exp.train.checkpointEvery,
      evalPoints: exp.train.evals,
      ...(exp.train.initStd ? { optimizer: { initStd: exp.train.initStd } } : {}),
      progress: opts.progress ?? 'auto',
      log: (l) => log(`    ${l}`),
      stopSignal: opts.stopSignal,
    });
    const c = r.train.counts;
    log(`  ${r.dataset}: ${c.done} done, ${c.diverged} diverged, ${c.failed} failed, ${c.stopped + c.running + c.locked} unfinished (${formatDuration(r.train.elapsedS)})`);
    if (r.train.interrupted) interrupted = true;
  }
  if (interrupted) {
    log(`interrupted: rerun \`scaling run ${file}\` to resume (finished runs are kept, unfinished ones continue from their last checkpoint)`);
    return { out: paths.root, datasets: results, interrupted: true, elapsedS: (Date.now() - t0) / 1000 };
  }
  // A ladder study fits no laws: final losses per schedule with seed spread, and the Fig. 1 report (src/run/ladder.ts).
  if (exp.study === 'ladder') return finishLadderStudy(exp, paths, results, (r) => planRunFiles(readPlan(r.plan), r.runsDir), log, t0);

  // A hyperparameter study trains one shape per budget: approach 3 (a surface in M and D) has nothing to fit there.
  const fitSettings = (ds: string) => ({ name: `${exp.name}-${ds}`, window: exp.fit.window, bootstrap: exp.fit.bootstrap, hyperThreshold: exp.fit.hyperThreshold, predict: exp.fit.predict, approach3: exp.study === 'isoflop', ...(exp.fit.optimum ? { optimum: exp.fit.optimum } : {}), ...(exp.fit.bootstrapScheme ? { bootstrapScheme: exp.fit.bootstrapScheme } : {}) });

  // 4. Fits, one per dataset.
  stage(4, 'fit: IsoFLOP optima, power laws, loss curve, hyperparameter laws, bootstrap intervals');
  for (const r of results) {
    // Exactly the plan's points: run files of points removed from an edited experiment are neither fitted nor drawn.
    const files = planRunFiles(readPlan(r.plan), r.runsDir);
    r.runFiles = files;
    const laws = fitRunFiles(files, { input: { dataset: r.dataset }, fit: fitSettings(r.dataset) });
    r.fit = paths.fit(r.dataset);
    r.laws = laws;
    writeLaws(r.fit, laws);
    log(`  ${r.dataset}: ${r.fit}`);
  }

  // 4b. Adaptive rounds (docs/next.md): fit → next → train until the target's interval is reached or the rounds are spent.
  if (exp.adaptive) {
    const ad = exp.adaptive;
    stage(4, `adaptive: up to ${ad.rounds} round(s) of ${ad.spendPerRound.toExponential(2)} FLOPs, target ${ad.target}${ad.halfWidth !== undefined ? ` to ±${ad.halfWidth}` : ''}`);
    for (const r of results) {
      const a = await runAdaptive(exp, { dataset: r.dataset, plan: r.plan, runsDir: r.runsDir, fit: r.fit! }, {
        file,
        root: paths.root,
        fit: fitSettings(r.dataset),
        train: {
          dataDir: paths.data, backend: opts.backend ?? exp.train.backend, jobs: opts.jobs ?? exp.train.jobs, checkpointEvery: exp.train.checkpointEvery, evalPoints: exp.train.evals,
          ...(exp.train.initStd ? { optimizer: { initStd: exp.train.initStd } } : {}), progress: opts.progress ?? 'auto', log: (l) => log(`    ${l}`), stopSignal: opts.stopSignal,
        },
        log,
      });
      r.laws = a.laws;
      r.runFiles = a.runFiles;
      r.adaptive = a.result;
      if (a.result.stoppedBy === 'interrupted') {
        log(`interrupted: rerun \`scaling run ${file}\` to resume the adaptive rounds (their plans are kept in ${terminalPath(join(paths.root, 'plans'))})`);
        return { out: paths.root, datasets: results, interrupted: true, elapsedS: (Date.now() - t0) / 1000 };
      }
    }
  }

  // 5. Report comparing the datasets.
  stage(5, `report → ${terminalPath(paths.report)}`);
  const datasets: ReportDataset[] = results.map((r) => ({ label: r.laws!.name, file: r.fit!, sha256: sha256(readFileSync(r.fit!)), laws: r.laws! }));
  const runs = loadRuns(results.flatMap((r) => r.runFiles ?? []));
  const ref = loadReference();
  await writeReport(paths.report, { title: exp.report.title, datasets, runs, ...(ref ? { reference: { label: ref.label, laws: ref.laws } } : {}), targets: paperTargets(),
    // A hyperparameter study is compared with what DeepSeek 7B/67B were trained with (Fig. 3, Table 2): drawn in a far panel.
    showTargets: exp.study === 'hparams' ? 'all' : 'auto' }, {
    svg: true,
    png: true,
    tool: `scaling ${toolVersion()}`,
  });
  writeFileAtomic(join(paths.root, 'experiment.json'), JSON.stringify(exp, null, 2) + '\n');
  return { out: paths.root, datasets: results, report: join(paths.report, 'index.html'), interrupted: false, elapsedS: (Date.now() - t0) / 1000 };
}
