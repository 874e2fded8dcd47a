// Hyperparameter laws (paper Eq. 1): near-optimal runs per budget (loss ≤ (1 + threshold)·min), then η_opt = k·C^p and
// B_opt = k·C^q by least squares in log space through ALL near-optimal points; optionally the Step Law form η = k·N^α·D^β, B = k·D^γ.
import type { FitPoint, PowerLaw } from '../schema/laws.ts';
import type { Observation } from './types.ts';
import { fitPowerLaw, multiLinear } from './powerlaw.ts';
import { sci } from '../util/format.ts';

export interface StepLawFit {
  /** η_opt = lrCoefficient · N^lrExponentN · D^lrExponentD. */
  lrCoefficient: number;
  lrExponentN: number;
  lrExponentD: number;
  lrR2: number;
  /** B_opt = batchCoefficient · D^batchExponentD. */
  batchCoefficient: number;
  batchExponentD: number;
  batchR2: number;
}

export interface HyperResult {
  threshold: number;
  nearOptimal: Observation[];
  lr?: PowerLaw;
  batch?: PowerLaw;
  stepLaw?: StepLawFit;
  warnings: string[];
}

/** Runs whose loss is within `threshold` (relative) of their budget's minimum (paper: 0.25%). */
export function selectNearOptimal(obs: Observation[], threshold: number): Observation[] {
  const min = new Map<number, number>();
  for (const o of obs) min.set(o.budget, Math.min(min.get(o.budget) ?? Infinity, o.loss));
  return obs.filter((o) => o.loss <= (1 + threshold) * min.get(o.budget)!);
}

/** Parameters of an observation for the Step Law form: the given count, else scale/6. */
function paramsOf(o: Observation): number {
  return o.params ?? o.scale / 6;
}

/** Fits Eq. 1 (and the Step Law form when asked) through the near-optimal runs that carry a learning rate / batch size. */
export function fitHyper(obs: Observation[], threshold: number, form: 'compute' | 'steplaw'): HyperResult {
  const warnings: string[] = [];
  const near = selectNearOptimal(obs, threshold);
  const res: HyperResult = { threshold, nearOptimal: near, warnings };
  const withLr = near.filter((o) => o.lr !== undefined && o.lr > 0);
  const withB = near.filter((o) => o.batchTokens !== undefined && o.batchTokens > 0);
  const budgetsOf = (l: Observation[]) => new Set(l.map((o) => o.budget)).size;
  // A law needs the hyperparameter varied within budgets; otherwise it would only echo the plan (e.g. an IsoFLOP grid whose
  // LR came from Eq. 1): say so and fit nothing.
  if (withLr.length > 0 && !variedWithinBudgets(obs, (o) => o.lr)) {
    warnings.push('hyperparameters: the learning rate was not varied within any budget (it follows the plan): no η_opt law');
    withLr.length = 0;
  }
  if (withB.length > 0 && !variedWithinBudgets(obs, (o) => o.batchTokens)) {
    warnings.push('hyperparameters: the batch size was not varied within any budget (it follows the plan): no B_opt law');
    withB.length = 0;
  }
  if (withLr.length > 0) {
    if (budgetsOf(withLr) < 2) warnings.push(`hyperparameters: near-optimal learning rates at only ${budgetsOf(withLr)} budget: no η_opt law`);
    else res.lr = fitPowerLaw(withLr.map((o) => o.budget), withLr.map((o) => o.lr!));
  }
  if (withB.length > 0) {
    if (budgetsOf(withB) < 2) warnings.push(`hyperparameters: near-optimal batch sizes at only ${budgetsOf(withB)} budget: no B_opt law`);
    else res.batch = fitPowerLaw(withB.map((o) => o.budget), withB.map((o) => o.batchTokens!));
  }
  for (const b of new Set(near.map((o) => o.budget))) {
    const k = near.filter((o) => o.budget === b && (o.lr !== undefined || o.batchTokens !== undefined)).length;
    if (k === 1) warnings.push(`hyperparameters: budget ${sci(b)} has a single near-optimal run (threshold ${threshold})`);
  }
  if (form === 'steplaw') {
    // Step Law: log η = log k + α·log N + β·log D;  log B = log k' + γ·log D.
    const lrFit = withLr.length >= 3 ? multiLinear(withLr.map((o) => [1, Math.log10(paramsOf(o)), Math.log10(o.tokens)]), withLr.map((o) => Math.log10(o.lr!))) : undefined;
    const bFit = withB.length >= 2 ? multiLinear(withB.map((o) => [1, Math.log10(o.tokens)]), withB.map((o) => Math.log10(o.batchTokens!))) : undefined;
    if (!lrFit || !bFit) warnings.push('hyperparameters: Step Law form needs ≥ 3 near-optimal runs with distinct N and D (learning rate) and ≥ 2 distinct D (batch)');
    else
      res.stepLaw = {
        lrCoefficient: 10 ** lrFit.coef[0],
        lrExponentN: lrFit.coef[1],
        lrExponentD: lrFit.coef[2],
        lrR2: lrFit.r2,
        batchCoefficient: 10 ** bFit.coef[0],
        batchExponentD: bFit.coef[1],
        batchR2: bFit.r2,
      };
  }
  return res;
}

/** True when some budget has runs with at least two distinct values of the hyperparameter. */
export function variedWithinBudgets(obs: Observation[], get: (o: Observation) => number | undefined): boolean {
  const seen = new Map<number, Set<number>>();
  for (const o of obs) {
    const v = get(o);
    if (v === undefined) continue;
    const set = seen.get(o.budget) ?? new Set<number>();
    set.add(v);
    seen.set(o.budget, set);
  }
  return [...seen.values()].some((s) => s.size >= 2);
}

export function toFitPoint(o: Observation, nearOptimal?: boolean): FitPoint {
  const p: FitPoint = { runId: o.runId, budget: o.budget, compute: o.compute, scale: o.scale, tokens: o.tokens, loss: o.loss };
  if (o.lr !== undefined) p.lr = o.lr;
  if (o.batchTokens !== undefined) p.batchTokens = o.batchTokens;
  if (nearOptimal !== undefined) p.nearOptimal = nearOptimal;
  return p;
}
