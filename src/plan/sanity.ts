// Plans that are nonsense are refused before they are written: laws that cannot plan, too many points, warm-up longer than a run.
import { InputError } from '../util/errors.ts';
import type { LawsFile } from '../schema/laws.ts';
import type { PlanFile } from '../schema/plan.ts';
import { MAX_GRID_POINTS } from '../schema/settings.ts';

/**
 * Laws a plan can be drawn from: M_opt = M_base·C^a and D_opt = D_base·C^b (paper Eq. 4) need 0 < a, b < 1 (a model and a
 * data set that both grow with compute, and C = M·D) and positive coefficients; Eq. 1's η_opt and B_opt need positive
 * coefficients and finite exponents. Throws an InputError naming the laws file and the field.
 */
export function checkPlanningLaws(laws: LawsFile, file: string): void {
  const l = laws.laws as Record<string, { coefficient?: unknown; exponent?: unknown } | undefined>;
  for (const name of ['scale', 'data', 'lr', 'batch']) {
    const law = l[name];
    if (!law) continue;
    const { coefficient: c, exponent: e } = law;
    if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0) throw new InputError(`coefficient must be a finite number > 0 to plan from, got ${JSON.stringify(c)}`, { file, field: `laws.${name}.coefficient` });
    if (typeof e !== 'number' || !Number.isFinite(e)) throw new InputError(`exponent must be a finite number, got ${JSON.stringify(e)}`, { file, field: `laws.${name}.exponent` });
    if ((name === 'scale' || name === 'data') && !(e > 0 && e < 1)) {
      throw new InputError(`exponent ${e} is outside (0, 1): M_opt ∝ C^a and D_opt ∝ C^b (paper Eq. 4) need 0 < a, b < 1 to plan a grid`, { file, field: `laws.${name}.exponent` });
    }
  }
}

/** `points` grid points per budget: at least 3 (a parabola), at most MAX_GRID_POINTS unless forced. */
export function checkPointCount(points: number, force: boolean, field = '--points'): void {
  if (!Number.isInteger(points) || points < 3) throw new InputError(`must be an integer ≥ 3 (a parabola needs 3 points), got ${points}`, { field });
  if (points > MAX_GRID_POINTS && !force) throw new InputError(`${points} points per budget is more than ${MAX_GRID_POINTS} (the paper uses ~10): pass --force if you mean it`, { field });
}

/** A warm-up given as a step count must fit in every run of the plan (a share is at most 100% by parseWarmup). */
export function checkWarmupFits(plan: PlanFile, rule: string, field = '--warmup'): void {
  if (!/^\d+$/.test(rule)) return;
  const n = Number(rule);
  for (const b of plan.budgets) {
    for (const p of b.points) {
      if (n > p.steps) throw new InputError(`warm-up of ${n} steps is longer than point ${p.id}'s ${p.steps} steps: use a share like '5%' or 'auto'`, { field });
    }
  }
}
