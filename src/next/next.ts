// `scaling next` as one library call: a fits file (and its runs) → the proposal and its plan file.
import { readLaws, type LawsFile } from '../schema/laws.ts';
import { readPlan, validatePlan, type PlanFile } from '../schema/plan.ts';
import { loadFitRuns, type FitRuns } from './inputs.ts';
import { gridContext } from './context.ts';
import { proposeNext, type NextOptions, type NextProposal } from './propose.ts';

export interface NextRequest extends NextOptions {
  /** Run files or globs instead of the fit's recorded inputs. */
  runs?: string[];
  /** The plan the runs came from: new points copy its sequence length, vocabulary, schedule, warm-up and family rules. */
  likePlan?: string;
  /** Sequence length / vocabulary of new points when the runs do not record shapes (mapped files). */
  seqLen?: number;
  vocab?: number;
}

export interface NextResult {
  proposal: NextProposal;
  laws: LawsFile;
  runs: FitRuns;
  /** The plan the runs came from, when known (--plan, or the fit's --plan join). */
  basePlan?: PlanFile;
  basePlanPath?: string;
}

/**
 * The base plan with the proposal's points added (new points after the base's own on shared budgets, new budgets inserted): one
 * plan of every run so far, for `scaling fit --plan` joins of other trainers' results and for `scaling status`.
 */
export function mergePlans(base: PlanFile, add: PlanFile): PlanFile {
  const budgets = base.budgets.map((b) => ({ ...b, points: [...b.points] }));
  for (const nb of add.budgets) {
    const hit = budgets.find((b) => Math.abs(b.budget - nb.budget) <= 1e-9 * nb.budget);
    if (hit) hit.points.push(...nb.points);
    else budgets.push({ ...nb, points: [...nb.points] });
  }
  budgets.sort((a, b) => a.budget - b.budget);
  return validatePlan({ ...base, created: new Date().toISOString(), budgets }, 'merged plan');
}

/** Proposes the next runs for the fit in `fitsPath` (or the fit `laws` already in memory, with `fitsPath` naming it). */
export function nextForFit(fitsPath: string, req: NextRequest, laws: LawsFile = readLaws(fitsPath)): NextResult {
  const runs = loadFitRuns(laws, fitsPath, req.runs);
  // The runs' own plan continues the grid: --plan, else the plan `scaling fit --plan` joined the results to.
  const likePath = req.likePlan ?? runs.plan;
  const like = likePath ? readPlan(likePath) : undefined;
  const grid = gridContext(runs.observations, runs.rows, { like, seqLen: req.seqLen, vocab: req.vocab, dataset: laws.dataset });
  const proposal = proposeNext({ laws, lawsPath: fitsPath, observations: runs.observations, rows: runs.rows, grid, notes: runs.notes, ...(like ? { basePlan: like } : {}) }, req);
  return { proposal, laws, runs, ...(like ? { basePlan: like, basePlanPath: likePath } : {}) };
}
