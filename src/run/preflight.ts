// Everything `scaling run` can check before it prepares data or trains: budgets, laws, every dataset's plan (warm-up, memory of
// each point), and the files and folders it will write. A bad experiment fails in a second, naming the file and the field.
import { join } from 'node:path';
import { InputError } from '../util/errors.ts';
import { checkOutputDir, checkOutputFile } from '../util/safe-out.ts';
import { experimentLawsPath, type ExperimentFile } from '../schema/experiment.ts';
import { allPoints, type PlanFile } from '../schema/plan.ts';
import { loadLaws } from '../laws/load.ts';
import { checkPlanningLaws, checkWarmupFits } from '../plan/sanity.ts';
import { checkMemory } from '../train/memory.ts';
import { isLegacyReportDir } from '../report/report.ts';
import type { BackendName } from '../schema/settings.ts';

export interface PreflightPaths {
  root: string;
  plan: (ds: string) => string;
  fit: (ds: string) => string;
  report: string;
}

/** An InputError raised without the file (plan-stage helpers name only the field): the same error, naming `file`. */
function inFile<T>(file: string, field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError && !e.file) throw new InputError(e.message.replace(/^[^:]+: /, ''), { file, field: e.field ?? field });
    throw e;
  }
}

/**
 * Checks an experiment end to end before any work and returns its plans (one per dataset). `planOf` builds a dataset's plan
 * (src/run/experiment.ts experimentPlan); `budgetsOf` its budgets.
 */
export function preflight(
  exp: ExperimentFile, file: string, paths: PreflightPaths,
  opts: { planOnly?: boolean; jobs?: number; backend?: BackendName; maxMemory?: number },
  planOf: (ds: string) => PlanFile, budgetsOf: () => number[],
): Map<string, PlanFile> {
  inFile(file, 'budgets', budgetsOf);
  const lawsPath = experimentLawsPath(exp, file);
  const { laws, path } = loadLaws(lawsPath);
  checkPlanningLaws(laws, path);
  const plans = new Map<string, PlanFile>();
  for (const ds of exp.datasets) {
    const plan = inFile(file, 'budgets', () => planOf(ds));
    inFile(file, 'warmup', () => checkWarmupFits(plan, exp.warmup, 'warmup'));
    plans.set(ds, plan);
  }
  if (!opts.planOnly) {
    const points = [...plans.values()].flatMap(allPoints);
    inFile(file, 'train.jobs', () => checkMemory(points, { jobs: opts.jobs ?? exp.train.jobs, backend: opts.backend ?? exp.train.backend, maxMemory: opts.maxMemory, file }));
  }
  for (const ds of exp.datasets) {
    checkOutputFile(paths.plan(ds), { flag: 'out' });
    if (!opts.planOnly) checkOutputFile(paths.fit(ds), { flag: 'out' });
  }
  if (!opts.planOnly) {
    checkOutputDir(paths.report, { flag: 'out', isOurs: isLegacyReportDir });
    checkOutputFile(join(paths.root, 'experiment.json'), { flag: 'out' });
  }
  return plans;
}
