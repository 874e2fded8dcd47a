// The `scaling` library: `import { plan, fit, report, … } from 'scaling'`. Verbs over whole stages (src/library.ts), the paper's
// rules (FLOPs, presets, schedules), every file schema's types with its reader/writer, and the stage functions the CLI is built on.

// ── Verbs ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
export { flops, plan, train, fit, report, initBackend, type PlanRequest, type ReportRequest } from './library.ts';
export { runExperiment, experimentPlan, experimentPaths, type RunOptions, type RunResult } from './run/experiment.ts';

// ── FLOPs accounting (paper Eq. 2, Table 3), presets (Table 2), targets ──────────────────────────────────────────────────────
export { scaleCounts, scalePerToken, scaleOfCounts, computeFlops, paperFormulas, attentionFlopsPerToken, REPRESENTATIONS, DEFAULT_REPRESENTATION, type Representation, type ScaleCounts } from './flops/flops.ts';
export { llamaFfn, validateShape, headDim, type ModelShape } from './flops/shape.ts';
export { PRESETS, PRESET_NAMES, preset, presetShape, presetCompute, type Preset } from './flops/presets.ts';
export { parseTargets, paperTargets, parseShapeSpec, type PredictionTarget } from './flops/targets.ts';
export { llamaMultipleOf } from './flops/shape.ts';

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
export { writeReport, buildCharts, reportSummary, type WriteOptions, type WrittenReport } from './report/report.ts';
export type { ReportInput, ReportDataset, ChartSpec } from './report/types.ts';
export { CHART_KINDS } from './report/charts.ts';
export { loadDatasets, loadRuns, loadReference, parseReportTargets } from './report/inputs.ts';
export { computeAxis } from './report/axis.ts';
export { fitWarnings } from './report/warnings.ts';
export { lawSupport } from './report/support.ts';
export { EXTRAPOLATION_LIMIT, extrapolationFactor, fittedComputeRange } from './laws/extrapolation.ts';
export { formatRunSummary, runSummaryJson } from './run/summary.ts';

// ── Shapes, cost, exports, Slurm (scale-out) ─────────────────────────────────────────────────────────────────────────────────
export { makeFamily, familyShape, familyMembers, chooseFamily, selectMembers, solveShape, autoHeadSize, preferredDepth, minimumScale, type ShapeFamily, type FamilyConstraints } from './plan/shape-solver.ts';
export { presetPlan } from './plan/preset-plan.ts';
export { planCost, runCost, hardwareFlopsPerToken, gpuHours, HARDWARE_FLOPS_RULE } from './plan/cost.ts';
export { DEVICES, parseDevice, parseMfu, type DeviceSpec } from './plan/devices.ts';
export type { ShapeFamilySpec, PlanCost, LadderSpec } from './schema/plan.ts';
export { exportPlan, checkExportDir, EXPORT_TARGETS, type ExportTarget, type ExportResult } from './export/export.ts';
export { hfConfig, hfTraining, parseHfConfig } from './export/hf.ts';
export { megatronArgs, megatronScript, parseMegatronArgs } from './export/megatron.ts';
export { torchtitanJobs, torchtitanModelArgs, parseTorchtitanModelArgs } from './export/torchtitan.ts';
export { trainingSpec, type TrainingSpec } from './export/training.ts';
export { exportedLadders } from './export/ladder.ts';
export { readPlanJoin, matchPointId } from './fit/input/plan-join.ts';
export { writeSlurmDir, readSlurmManifest, submitSlurmDir, checkManifestPlan, SLURM_FILES, type SlurmManifest, type WrittenSlurm } from './slurm/launch.ts';
export { resolveSlurmOptions, sbatchScript, parseSlurmTime, defaultJobName, SLURM_DEFAULTS, TEMPLATE_PLACEHOLDERS, type SlurmOptions, type ResolvedSlurm } from './slurm/sbatch.ts';
export { planStatus, pointStatus, observedThroughput, POINT_STATES, type PlanStatus, type PointStatus, type PointState, type StatusOptions } from './slurm/status.ts';
export { formatStatus } from './slurm/status-format.ts';
export { querySlurm, parseSqueue, parseSacct, parseScontrolJobs, type QueueInfo, type SlurmTask } from './slurm/queue.ts';
export { STOP_SIGNALS, STOP_EXIT_CODES, EXIT_REQUEUE, stopExitCode, onStopSignals, type StopSignal } from './train/signals.ts';
export { readCheckpointMeta } from './train/checkpoint.ts';

// ── Multi-step ladders (paper §2.2, Fig. 1) ─────────────────────────────────────────────────────────────────────────────────
export { makeLadderPlan, findLadders, withLadders, trunkPoint, planCompute, formatPlanCompute, type LadderPlanOptions, type LadderCompute, type PlanCompute } from './plan/ladder.ts';
export { trainTrunk, type TrunkOptions } from './train/trunk.ts';
export { summarizeSchedules, formatScheduleSummary, seedStats, type ScheduleSummary, type ScheduleGroup, type PairedDifference } from './fit/schedules.ts';
export { ladderStudyPlan } from './run/ladder.ts';
export { withSeedReplicas, replicaId, type SeedOptions } from './plan/replicas.ts';

// ── Fitter internals worth scripting ─────────────────────────────────────────────────────────────────────────────────────────
export { approach2, OPTIMUM_METHODS } from './fit/approach2.ts';
export { akimaSpline, evalSpline, splineMinimum } from './fit/akima.ts';
export { WARNING_CODES } from './fit/warnings.ts';
export { parseFitTargets, splitTargetList, predictApproach3 } from './fit/predict.ts';
export { fitApproach3, approach3Identifiability } from './fit/approach3.ts';
export { runBootstrap, optimumWeights } from './fit/bootstrap.ts';
export { formatFitSummary } from './fit/summary.ts';
export { compileColumnExpr } from './fit/input/expression.ts';
export { ladderRuns } from './fit/synthetic.ts';
export { mergeReplicas } from './fit/replicas.ts';
export { noiseBudget, type NoiseBudget } from './fit/noise.ts';
export type { FitWarning } from './schema/laws.ts';

// ── Formatting ───────────────────────────────────────────────────────────────────────────────────────────────────────────────
export { num, si, sci, fixed, withInterval, isUnconstrained, ranking, percent, factor, duration, timestamp, textTable } from './util/format.ts';
export { MultiProgress } from './util/progress.ts';

// ── Backends (the trainer's native BLAS path) ────────────────────────────────────────────────────────────────────────────────
export { loadBlasAddon, noteBlasFallbackOnce, type BlasInfo } from './train/kernels/blas-addon.ts';
export { trainProvenance } from './train/provenance.ts';

// ── `scaling next`: the runs that shrink an interval most per FLOP ──────────────────────────────────────────────────────────
export { nextForFit, mergePlans, type NextRequest, type NextResult } from './next/next.ts';
export { proposeNext, DEFAULT_NEXT_OPTIONS, type NextOptions, type NextInput, type NextProposal, type ProposedRun } from './next/propose.ts';
export { adaptiveLoop, type AdaptiveSettings, type AdaptiveHooks, type AdaptiveResult } from './next/adaptive.ts';
export { readTarget, targetUnits } from './next/target.ts';
export { loadFitRuns } from './next/inputs.ts';
export { formatProposal } from './next/format.ts';
export { simulateTraining, runUniform, runAdaptiveStudy, initialPlan, type SyntheticStudy } from './next/synthetic.ts';
export { runAdaptive } from './run/adaptive.ts';
export type { AdaptiveOption } from './schema/experiment.ts';

// ── Safe outputs, memory, locks, run identity (the guarantees) ──────────────────────────────────────────────────────────────
export { writeOutputFile, writeOutputDir, checkOutputFile, checkOutputDir, ioError, IoError, OUTPUT_MARKER } from './util/safe-out.ts';
export { estimateTrainingMemory, checkMemory, machineMemoryLimit, parseByteSize, type MemoryEstimate } from './train/memory.ts';
export { pointKey } from './schema/plan.ts';
export { priorAction, pointChange } from './train/loop.ts';
export { checkPlanningLaws, checkPointCount } from './plan/sanity.ts';
export { preflight } from './run/preflight.ts';
export { tryLock, isStale, type RunLock } from './train/lock.ts';
