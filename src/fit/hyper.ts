// Hyperparameter laws (paper Eq. 1): near-optimal runs (loss ≤ (1 + threshold)·min of their selection unit — the budget, or each
// (N, D) group when a budget holds several swept groups, as Step Law's authors select), then η_opt = k·C^p and B_opt = k·C^q by least
// squares in log space through ALL near-optimal points; optionally the Step Law form η = k·N^α·D^β, B = k·D^γ. A hyperparameter set by
// a rule (one value per unit) gives no law.
import type { FitPoint, FitWarning, PowerLaw } from '../schema/laws.ts';
import type { Observation } from './types.ts';
import { fitPowerLaw, multiLinear } from './powerlaw.ts';
import { budgetList, WarningSet } from './warnings.ts';

export interface StepLawFit {
  /** η_opt = lrCoefficient · N^lrExponentN · D^lrExponentD. */
  lrCoefficient: number;
  lrExponentN: number;
  lrExponentD: number;
  lrR2: number;
  /** B_opt = batchCoefficient · D^batchExponentD (absent when the runs carry no swept batch size). */
  batchCoefficient?: number;
  batchExponentD?: number;
  batchR2?: number;
}

export interface HyperResult {
  threshold: number;
  nearOptimal: Observation[];
  lr?: PowerLaw;
  batch?: PowerLaw;
  stepLaw?: StepLawFit;
  /** Whether near-optimal runs were selected per (N, D) group in the budgets that hold several. */
  perGroup: boolean;
  /** Which hyperparameters were swept (varied within a selection unit); a law is fitted only for those. */
  swept: { lr: boolean; batch: boolean };
  warnings: FitWarning[];
}

/** Relative tolerance under which two runs share N (the same model). */
const SAME = 1e-3;
const key = (x: number) => Math.round(Math.log(x) / Math.log1p(SAME));

/**
 * The (N, D) group of a run within its budget: its model scale. Within one budget C = scale·D, so the same model means the same D up
 * to the rounding of D to whole batches (which differs between batch sizes by a fraction of a percent: still one group).
 */
export function groupKey(o: Observation): string {
  return `${key(o.scale)}`;
}

/**
 * Selection unit of each run: its budget, or budget + (N, D) group when the budget holds several groups of which at least one is a
 * sweep (≥ 2 runs). Units are what "near-optimal" is relative to.
 */
export function selectionUnits(obs: readonly Observation[]): { unit: Map<Observation, string>; perGroup: boolean } {
  const groups = new Map<number, Map<string, number>>();
  for (const o of obs) {
    const g = groups.get(o.budget) ?? new Map<string, number>();
    g.set(groupKey(o), (g.get(groupKey(o)) ?? 0) + 1);
    groups.set(o.budget, g);
  }
  const split = new Set<number>();
  for (const [b, g] of groups) if (g.size >= 2 && [...g.values()].some((n) => n >= 2)) split.add(b);
  const unit = new Map<Observation, string>();
  for (const o of obs) unit.set(o, split.has(o.budget) ? `${o.budget}|${groupKey(o)}` : `${o.budget}`);
  return { unit, perGroup: split.size > 0 };
}

/**
 * Runs whose loss is within `threshold` (relative) of the minimum of their selection unit (paper: 0.25% of the budget's best). In a
 * budget split into (N, D) groups, a group with a single run selects nothing (its run is not the optimum of a sweep).
 */
export function selectNearOptimal(obs: Observation[], threshold: number, unit = selectionUnits(obs).unit): Observation[] {
  const min = new Map<string, number>();
  const size = new Map<string, number>();
  for (const o of obs) {
    const u = unit.get(o)!;
    min.set(u, Math.min(min.get(u) ?? Infinity, o.loss));
    size.set(u, (size.get(u) ?? 0) + 1);
  }
  return obs.filter((o) => {
    const u = unit.get(o)!;
    return !(u.includes('|') && size.get(u) === 1) && o.loss <= (1 + threshold) * min.get(u)!;
  });
}

/** Parameters of an observation for the Step Law form: the given count, else scale/6. */
export function paramsOf(o: Observation): number {
  return o.params ?? o.scale / 6;
}

/**
 * True when some (N, D) group of a budget has runs with at least two distinct values of the hyperparameter: it was swept at fixed model
 * and data. Values that differ only between models (one run per model, as a ladder or an IsoFLOP grid with a rule-set LR) were set by a rule.
 */
export function sweptWithinGroups(obs: readonly Observation[], get: (o: Observation) => number | undefined): boolean {
  const seen = new Map<string, Set<number>>();
  for (const o of obs) {
    const v = get(o);
    if (v === undefined) continue;
    const k = `${o.budget}|${groupKey(o)}`;
    const set = seen.get(k) ?? new Set<number>();
    set.add(v);
    seen.set(k, set);
  }
  return [...seen.values()].some((s) => s.size >= 2);
}

/**
 * Step Law regressions through near-optimal runs: log η = log k + α·log N + β·log D (≥ 3 runs) and, when batch sizes were swept,
 * log B = log k' + γ·log D (≥ 2). Undefined without the learning-rate part.
 */
export function stepLawFit(lrRuns: readonly Observation[], bRuns: readonly Observation[], w?: { lr?: number[]; batch?: number[] }): StepLawFit | undefined {
  const lrFit = lrRuns.length >= 3 ? multiLinear(lrRuns.map((o) => [1, Math.log10(paramsOf(o)), Math.log10(o.tokens)]), lrRuns.map((o) => Math.log10(o.lr!)), w?.lr) : undefined;
  const bFit = bRuns.length >= 2 ? multiLinear(bRuns.map((o) => [1, Math.log10(o.tokens)]), bRuns.map((o) => Math.log10(o.batchTokens!)), w?.batch) : undefined;
  if (!lrFit) return undefined;
  return {
    lrCoefficient: 10 ** lrFit.coef[0],
    lrExponentN: lrFit.coef[1],
    lrExponentD: lrFit.coef[2],
    lrR2: lrFit.r2,
    ...(bFit ? { batchCoefficient: 10 ** bFit.coef[0], batchExponentD: bFit.coef[1], batchR2: bFit.r2 } : {}),
  };
}

/** Fits Eq. 1 (and the Step Law form when asked) through the near-optimal runs that carry a swept learning rate / batch size. */
export function fitHyper(obs: Observation[], threshold: number, form: 'compute' | 'steplaw'): HyperResult {
  const ws = new WarningSet();
  const { unit, perGroup } = selectionUnits(obs);
  const near = selectNearOptimal(obs, threshold, unit);
  const swept = {
    lr: sweptWithinGroups(obs, (o) => o.lr),
    batch: sweptWithinGroups(obs, (o) => o.batchTokens),
  };
  const res: HyperResult = { threshold, nearOptimal: near, perGroup, swept, warnings: [] };
  if (perGroup) {
    const n = new Set([...unit.values()].filter((u) => u.includes('|'))).size;
    ws.add('hyper-per-group', `budgets hold several (N, D) groups: near-optimal runs are selected within each of the ${n} groups (not across a budget)`, 'nothing to do (this is the Step Law authors’ procedure); group budgets with --col group=… to make it explicit');
  }
  const withLr = swept.lr ? near.filter((o) => o.lr !== undefined && o.lr > 0) : [];
  const withB = swept.batch ? near.filter((o) => o.batchTokens !== undefined && o.batchTokens > 0) : [];
  const unitWord = '(N, D) group';
  for (const [name, has, isSwept, law] of [['learning rate', obs.some((o) => o.lr !== undefined), swept.lr, 'lr'], ['batch size', obs.some((o) => o.batchTokens !== undefined), swept.batch, 'batch']] as const) {
    if (has && !isSwept) {
      ws.add('hyper-not-swept', `the ${name} was not varied within any ${unitWord} (one value per model: set by a rule, e.g. the plan's Eq. 1 or a size schedule): no ${law === 'lr' ? 'η_opt' : 'B_opt'} law`, `sweep the ${name} at fixed N and D (several runs per model) to fit its law`, { laws: [law] });
    }
  }
  const budgetsOf = (l: Observation[]) => new Set(l.map((o) => o.budget)).size;
  if (withLr.length > 0) {
    if (budgetsOf(withLr) < 2) ws.add('hyper-one-budget', `near-optimal learning rates at only ${budgetsOf(withLr)} budget: no η_opt law`, 'sweep the learning rate at ≥ 2 (better ≥ 3) budgets', { laws: ['lr'] });
    else res.lr = fitPowerLaw(withLr.map((o) => o.budget), withLr.map((o) => o.lr!));
  }
  if (withB.length > 0) {
    if (budgetsOf(withB) < 2) ws.add('hyper-one-budget', `near-optimal batch sizes at only ${budgetsOf(withB)} budget: no B_opt law`, 'sweep the batch size at ≥ 2 (better ≥ 3) budgets', { laws: ['batch'] });
    else res.batch = fitPowerLaw(withB.map((o) => o.budget), withB.map((o) => o.batchTokens!));
  }
  if (swept.lr || swept.batch) {
    const single: number[] = [];
    const count = new Map<string, number>();
    for (const o of near) if (o.lr !== undefined || o.batchTokens !== undefined) count.set(unit.get(o)!, (count.get(unit.get(o)!) ?? 0) + 1);
    for (const [u, k] of count) if (k === 1) single.push(Number(u.split('|')[0]));
    if (single.length) {
      const bs = [...new Set(single)].sort((a, b) => a - b);
      ws.add('hyper-single-run', `${single.length} selection unit${single.length === 1 ? ' has' : 's have'} a single near-optimal run (threshold ${threshold}; budgets ${budgetList(bs)})`, 'a denser sweep around the optimum gives several near-optimal runs per unit', { budgets: bs });
    }
  }
  if (form === 'steplaw') {
    res.stepLaw = stepLawFit(withLr, withB);
    if (!res.stepLaw) ws.add('steplaw-underdetermined', 'the Step Law form needs ≥ 3 near-optimal runs with a swept learning rate at distinct N and D', 'sweep the learning rate at several (N, D)', { laws: ['stepLaw'] });
    else if (res.stepLaw.batchExponentD === undefined) ws.add('steplaw-underdetermined', 'Step Law form: learning-rate part only (no swept batch size, or fewer than 2 near-optimal runs with one)', 'sweep the batch size too for B_opt = k·D^γ', { laws: ['stepLaw'] });
  }
  res.warnings = ws.list();
  return res;
}

export function toFitPoint(o: Observation, nearOptimal?: boolean): FitPoint {
  const p: FitPoint = { runId: o.runId, budget: o.budget, compute: o.compute, scale: o.scale, tokens: o.tokens, loss: o.loss };
  if (o.lr !== undefined) p.lr = o.lr;
  if (o.batchTokens !== undefined) p.batchTokens = o.batchTokens;
  if (nearOptimal !== undefined) p.nearOptimal = nearOptimal;
  return p;
}
