// What the runs say about each budget's IsoFLOP curve and the noise: distinct scales (replicas pooled), a quadratic in log10 scale
// over the fit's window (its curvature), the fit's optimum, and the noise of one run from the fitter's noise budget.
import type { BudgetOptimum, LawsFile } from '../schema/laws.ts';
import type { Observation } from '../fit/types.ts';
import { fitQuadratic, type Quadratic } from '../fit/parabola.ts';
import { noiseBudget } from '../fit/noise.ts';
import { mergeReplicas } from '../fit/replicas.ts';
import { InputError } from '../util/errors.ts';

/** Relative tolerance under which two runs of a budget have the same model scale (replicates, e.g. seeds). */
const SAME_SCALE = 1e-6;

export interface ScaleGroup {
  scale: number;
  /** log10 scale. */
  x: number;
  /** Mean loss of the runs at this scale. */
  loss: number;
  runs: Observation[];
}

export interface BudgetCurve {
  budget: number;
  groups: ScaleGroup[];
  /** The fit's optimum for this budget, when it reported one. */
  optimum?: BudgetOptimum;
  /** Quadratic loss ≈ c0 + c1·x + c2·x² over the fit's window (x = log10 scale), weighted by runs per scale. */
  quad?: Quadratic;
}

export interface NoiseEstimate {
  /** σ of one run's final loss around its budget's curve (pooled residuals), in loss units. */
  sigma: number;
  dof: number;
  /** σ between seeds of the same shape (pooled replicates), when the runs have replicates. */
  seedSigma?: number;
  seedDof: number;
  /** Where σ came from: 'residuals' (pooled over budgets), 'given' (--noise). */
  source: 'residuals' | 'given';
  /** The noise budget's verdict (seed share of the residual), in words. */
  verdict: string;
}

/** Groups runs by budget (ascending) and scale; attaches the fit's optimum and a quadratic over its window. */
export function budgetCurves(obs: Observation[], laws: LawsFile): BudgetCurve[] {
  const byBudget = new Map<number, Observation[]>();
  for (const o of obs) {
    // push, not [...list, o]: copying the list per row is quadratic (minutes for 100,000s of runs).
    const list = byBudget.get(o.budget);
    if (list) list.push(o);
    else byBudget.set(o.budget, [o]);
  }
  const optima = laws.details?.optima ?? [];
  return [...byBudget.keys()].sort((p, q) => p - q).map((budget) => {
    const runs = [...byBudget.get(budget)!].sort((p, q) => p.scale - q.scale);
    const groups: ScaleGroup[] = [];
    for (const o of runs) {
      const last = groups[groups.length - 1];
      if (last && Math.abs(o.scale - last.scale) <= SAME_SCALE * last.scale) last.runs.push(o);
      else groups.push({ scale: o.scale, x: Math.log10(o.scale), loss: 0, runs: [o] });
    }
    for (const g of groups) g.loss = g.runs.reduce((s, o) => s + o.loss, 0) / g.runs.length;
    const optimum = optima.find((p) => Math.abs(p.budget - budget) <= 1e-9 * budget);
    const win = optimum?.window ? groups.filter((g) => g.scale >= optimum.window![0] * (1 - 1e-9) && g.scale <= optimum.window![1] * (1 + 1e-9)) : groups;
    const use = win.length >= 3 ? win : groups;
    const quad = use.length >= 3 ? fitQuadratic(use.map((g) => g.x), use.map((g) => g.loss), use.map((g) => g.runs.length)) : undefined;
    return { budget, groups, optimum, quad };
  });
}

/**
 * The noise of one new run: the fitter's noise budget (src/fit/noise.ts) over the replica-merged runs — σ² = σ_grid² + σ_seed² when
 * replicas measured the seed noise, else the pooled IsoFLOP residual σ² — unless `given` (--noise) overrides it.
 */
export function estimateNoise(obs: Observation[], units: string, given?: number, givenSeed?: number): NoiseEstimate {
  const nb = noiseBudget(mergeReplicas(obs), units);
  const seedSigma = givenSeed ?? nb.seedSd;
  if (given !== undefined) return { sigma: given, dof: 0, seedSigma, seedDof: nb.seedDof, source: 'given', verdict: nb.verdict };
  if (nb.residualSd === undefined) {
    throw new InputError('cannot estimate the loss noise: no budget has 4 or more distinct scales (3 leave no residual); give it with --noise SIGMA', { field: '--noise' });
  }
  const sigma = nb.seedSd !== undefined && nb.gridSd !== undefined ? Math.sqrt(nb.gridSd ** 2 + nb.seedSd ** 2) : nb.residualSd;
  return { sigma: Math.max(sigma, seedSigma ?? 0), dof: nb.residualDof, seedSigma, seedDof: nb.seedDof, source: 'residuals', verdict: nb.verdict };
}
