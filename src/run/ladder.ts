// The ladder study of `scaling run` (docs/ladder.md, paper §2.2 and Fig. 1): its plan — one shape's token ladder, a trunk per seed,
// beside other schedules — and its last stages: final losses per schedule with their seed spread, and the Fig. 1 report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentFile } from '../schema/experiment.ts';
import { evalPowerLaw, type LawsFile } from '../schema/laws.ts';
import type { PlanFile } from '../schema/plan.ts';
import { parseShapeSpec } from '../flops/targets.ts';
import { makeLadderPlan } from '../plan/ladder.ts';
import { solveShape } from '../plan/shape-solver.ts';
import { formatScheduleSummary, summarizeSchedules, type ScheduleSummary } from '../fit/schedules.ts';
import { writeReport } from '../report/report.ts';
import { loadRuns, paperTargets } from '../report/inputs.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { InputError } from '../util/errors.ts';
import { formatDuration } from '../util/progress.ts';
import { toolVersion } from '../util/version.ts';
import type { DatasetResult, RunResult } from './experiment.ts';
import { terminalPath } from '../util/terminal-path.ts';

/** The seeds of a ladder study: `seed`, `seed + 1`, … (`seeds` of them), one trunk each. */
export function ladderSeeds(exp: ExperimentFile): number[] {
  return Array.from({ length: exp.seeds }, (_, k) => exp.seed + k);
}

/**
 * A ladder study's plan for one dataset: the experiment's budgets are the rungs' compute (D = C / M, whole batches); the shape is
 * `ladder.model`, or the laws' compute-optimal M_opt at the largest budget (paper Eq. 4) solved to a concrete shape.
 */
export function ladderStudyPlan(exp: ExperimentFile, laws: LawsFile, lawsPath: string, dataset: string, budgets: number[]): PlanFile {
  const l = exp.ladder!;
  let shape;
  if (l.model) shape = parseShapeSpec(l.model, exp, { field: 'ladder.model' });
  else {
    if (!laws.laws.scale) throw new InputError('the laws have no scale law to choose the ladder\'s shape from: give ladder.model', { field: 'ladder.model' });
    shape = solveShape(evalPowerLaw(laws.laws.scale, Math.max(...budgets)), { seqLen: exp.seqLen, vocab: exp.vocab, representation: laws.representation }).shape;
  }
  return makeLadderPlan(laws, lawsPath, { shape, budgets, seeds: ladderSeeds(exp), schedules: l.schedules, stages: l.stages, warmup: exp.warmup, dataset });
}

/** Where a dataset's schedule summary goes: <out>/schedules/<dataset>.json. */
export function scheduleSummaryPath(root: string, dataset: string): string {
  return join(root, 'schedules', `${dataset}.json`);
}

/**
 * Stages 4 and 5 of a ladder study: per dataset the final losses per schedule, stage ratios and tokens with their seed spread
 * (written as JSON and printed), then one report with the Fig. 1 charts (schedules, stage ratios) and the training curves.
 */
export async function finishLadderStudy(
  exp: ExperimentFile, paths: { root: string; report: string }, results: DatasetResult[], runFilesOf: (r: DatasetResult) => string[], log: (l: string) => void, t0: number,
): Promise<RunResult> {
  const stage = (n: number, what: string) => log(`[${n}/5] ${what}  (${formatDuration((Date.now() - t0) / 1000)} elapsed)`);
  stage(4, 'fit: final losses per schedule and stage ratio, with their seed spread (docs/ladder.md)');
  for (const r of results) {
    r.runFiles = runFilesOf(r);
    const summary = summarizeSchedules(loadRuns(r.runFiles));
    r.schedules = summary;
    r.fit = scheduleSummaryPath(paths.root, r.dataset);
    writeFileAtomic(r.fit, JSON.stringify(summary, null, 2) + '\n');
    for (const line of formatScheduleSummary(summary)) log(`  ${line}`);
    log(`  ${r.dataset}: ${r.fit}`);
  }
  stage(5, `report → ${terminalPath(paths.report)}`);
  const runs = loadRuns(results.flatMap((r) => r.runFiles ?? []));
  await writeReport(paths.report, { title: exp.report.title, datasets: [], runs, targets: paperTargets() }, { svg: true, png: true, tool: `scaling ${toolVersion()}` });
  writeFileAtomic(join(paths.root, 'experiment.json'), JSON.stringify(exp, null, 2) + '\n');
  return { out: paths.root, datasets: results, report: join(paths.report, 'index.html'), interrupted: false, elapsedS: (Date.now() - t0) / 1000 };
}

/** The closing lines of `scaling run` for a ladder study: per dataset, multi-step − cosine and each stage ratio − 80/10/10. */
export function formatLadderRunSummary(exp: ExperimentFile, r: RunResult): string {
  const lines = [`${exp.name}: finished in ${formatDuration(r.elapsedS)}`];
  for (const d of r.datasets) {
    const s: ScheduleSummary | undefined = d.schedules ?? (d.fit ? (JSON.parse(readFileSync(d.fit, 'utf8')) as ScheduleSummary) : undefined);
    if (!s) continue;
    const diffs = [...s.schedules, ...s.stages];
    lines.push(`  ${d.dataset}: ${s.groups.length} schedule × tokens groups; final-loss differences at equal seeds (${s.units}):`);
    for (const line of formatScheduleSummary({ ...s, groups: [] })) lines.push(`    ${line.replace(/^\S+ /, '')}`);
    if (diffs.length === 0) lines.push('    (no pair of schedules trained on the same tokens and seeds)');
  }
  lines.push(`  summaries: ${r.datasets.map((d) => d.fit).join(', ')}`);
  lines.push(`  report: ${r.report}`);
  return lines.join('\n');
}
