// Seed replicas of grid points (the noise budget of a study): the same model, data, batch, LR and schedule trained with other seeds.
// Replica k ≥ 1 of point P has id P-s<k> and seed P.seed + k; replica 0 is P itself, so adding seeds never renames existing runs.
import { InputError } from '../util/errors.ts';
import type { BudgetPlan, GridPoint, PlanFile } from '../schema/plan.ts';

export interface SeedOptions {
  /** Seeds per replicated point (1 = no replicas). */
  seeds: number;
  /** Which points of each budget get the extra seeds: 'all', or the K points nearest the budget's predicted optimum (log scale). */
  points: 'all' | number;
}

/** The id of replica k of a point. */
export function replicaId(id: string, k: number): string {
  return k === 0 ? id : `${id}-s${k}`;
}

/** The points of a budget that get extra seeds: all, or the K whose target scale is nearest the budget's optimum in log scale. */
export function replicatedPoints(b: BudgetPlan, which: SeedOptions['points']): GridPoint[] {
  const base = b.points.filter((p) => p.replicaOf === undefined);
  if (which === 'all') return base;
  return [...base].sort((x, y) => Math.abs(Math.log(x.targetScale / b.scaleOpt)) - Math.abs(Math.log(y.targetScale / b.scaleOpt))).slice(0, which);
}

/** A copy of the plan where each chosen point is followed by its seed replicas (ids and seeds as in the header). */
export function withSeedReplicas(plan: PlanFile, o: SeedOptions): PlanFile {
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new InputError(`must be an integer ≥ 1, got ${o.seeds}`, { field: 'seeds' });
  if (o.points !== 'all' && (!Number.isInteger(o.points) || o.points < 1)) throw new InputError(`must be 'all' or an integer ≥ 1, got ${JSON.stringify(o.points)}`, { field: 'seedPoints' });
  if (o.seeds === 1) return plan;
  const budgets = plan.budgets.map((b) => {
    const chosen = new Set(replicatedPoints(b, o.points).map((p) => p.id));
    const points = b.points.flatMap((p) => (chosen.has(p.id) ? [p, ...Array.from({ length: o.seeds - 1 }, (_, i) => ({ ...p, id: replicaId(p.id, i + 1), seed: p.seed + i + 1, replicaOf: p.id }))] : [p]));
    return { ...b, points };
  });
  return { ...plan, options: { ...plan.options, seeds: o.seeds, seedPoints: o.points }, budgets };
}
