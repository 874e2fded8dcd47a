// How far a prediction reaches beyond the compute a law was fitted on: the fitted range of a laws file, the extrapolation factor
// of a compute value, and the one threshold above which predictions are flagged (and report charts leave targets out unless asked).
import type { LawsFile } from '../schema/laws.ts';

/**
 * Predictions more than this factor beyond the fitted compute range are far extrapolations: reports and summaries print a
 * warning next to them and charts draw such targets only when asked. Two decades: the paper itself extrapolated ~3000× (IsoFLOP
 * budgets up to 3e20 FLOPs → 67B at 8.7e23), and said so.
 */
export const EXTRAPOLATION_LIMIT = 100;

/** The paper's IsoFLOP budgets (Sec. 3.2): the range its published laws (fits/deepseek-llm.json) were fitted on. */
export const PAPER_BUDGETS: [number, number] = [1e17, 3e20];

/** Compute range [lo, hi] of the budgets a file's laws were fitted on: its used optima (not dropped, not excluded), else its near-optimal runs, else undefined. */
export function fittedComputeRange(laws: LawsFile): [number, number] | undefined {
  const d = laws.details;
  const budgets = (d?.optima ?? []).filter((o) => !o.dropped && !o.excluded && o.budget > 0).map((o) => o.budget);
  if (budgets.length === 0) for (const p of d?.hyper?.nearOptimal ?? []) if (p.budget > 0) budgets.push(p.budget);
  if (budgets.length === 0) return undefined;
  return [Math.min(...budgets), Math.max(...budgets)];
}

/** Factor by which `compute` lies outside [lo, hi] (1 inside): C/hi above the range, lo/C below it. */
export function extrapolationFactor(compute: number, range: [number, number]): number {
  if (compute > range[1]) return compute / range[1];
  if (compute < range[0]) return range[0] / compute;
  return 1;
}
