// The `scaling` library: `import { plan, fit, report, … } from 'scaling'`. Verbs over whole stages (src/library.ts), the paper's
// rules (FLOPs, presets, schedules), every file schema's types with its reader/writer, and the stage functions the CLI is built on.

// ── Verbs ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
export { flops, plan, train, fit, report, type PlanRequest, type ReportRequest } from './library.ts';
export { runExperiment, experimentPlan, experimentPaths, type RunOptions, type RunResult } from './run/experiment.ts';

// ── FLOPs accounting (paper Eq. 2, Table 3), presets (Table 2), targets ──────────────────────────────────────────────────────
export { scaleCounts, scalePerToken, scaleOfCounts, computeFlops, paperFormulas, attentionFlopsPerToken, REPRESENTATIONS, DEFAULT_REPRESENTATION, type Representation, type ScaleCounts } from './flops/flops.ts';
export { llamaFfn, validateShape, headDim, type ModelShape } from './flops/shape.ts';
export { PRESETS, PRESET_NAMES, preset, presetShape, presetCompute, type Preset } from './flops/presets.ts';
export { parseTargets, paperTargets, type PredictionTarget } from './flops/targets.ts';

// ── Settings shared by every stage ───────────────────────────────────────────────────────────────────────────────────────────
export * from './schema/settings.ts';
export { InputError } from './util/errors.ts';

// ── File schemas: plan JSON, run CSV, laws/fits JSON, experiment JSON ───────────────────────────────────────────────────────
export { readPlan, writePlan, validatePlan, allPoints, type PlanFile, type GridPoint, type BudgetPlan, type ScheduleSpec, type GridSettings } from './schema/plan.ts';
export { readRunCsv, parseRunCsv, writeRunCsv, groupRuns, finalRow, RUN_COLUMNS, type RunRow, type RunStatus } from './schema/runs.ts';
export { readLaws, writeLaws, validateLaws, evalPowerLaw, evalLossLaw, type LawsFile, type PowerLaw, type LossLaw, type FitDetails, type Prediction, type Interval } from './schema/laws.ts';
export { readExperiment, validateExperiment, type ExperimentFile } from './schema/experiment.ts';

// ── Stages ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────
export { loadLaws, PAPER_LAWS_PATH } from './laws/load.ts';
export { makePlan, planBudget, hyperparameters, DEFAULT_PLAN_OPTIONS, PAPER_LR, PAPER_BATCH, type PlanOptions } from './plan/grid.ts';
export { makeHparamPlan } from './plan/hparam-grid.ts';
export { planModel, type ModelPlan } from './plan/model-plan.ts';
export { parseBudgetList, parseBudgetRange } from './plan/budgets.ts';
export { makeSchedule, lrAt, lrFactor, warmupSteps, MULTISTEP_FRACTIONS, MULTISTEP_FACTORS } from './plan/schedule.ts';
export { prepareDataset, type PrepareOptions, type PrepareResult } from './data/prepare.ts';
export { loadDataset, type LoadedDataset } from './data/dataset.ts';
export { trainPlan, type TrainPlanOptions, type TrainSummary, type PointSummary } from './train/workers.ts';
export { trainPoint, checkPoint, type TrainPointOptions, type TrainPointResult } from './train/loop.ts';
export { fitObservations, DEFAULT_FIT_OPTIONS } from './fit/fit.ts';
export { fitRunFiles } from './fit/fit-files.ts';
export { loadObservations, type InputOptions, type LoadedInput } from './fit/input/load.ts';
export { isoflopRuns, chinchillaLoss, chinchillaOptimum, lawWithExponent, type ChinchillaLaw, type IsoflopOptions } from './fit/synthetic.ts';
export type { FitOptions, Observation } from './fit/types.ts';
export { writeReport, buildCharts, type WriteOptions, type WrittenReport } from './report/report.ts';
export type { ReportInput, ReportDataset } from './report/types.ts';
