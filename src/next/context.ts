// How new runs continue an existing grid: the planner settings (sequence length, vocabulary, schedule, shape-family constraints)
// from the original plan or the runs, and each budget's batch size and peak LR — a budget's own when it has runs, else the rule
// the runs followed (a power law through the budgets' values), else the fit's or the paper's Eq. 1 (the planner's default).
import { DEFAULT_PLAN_OPTIONS, type PlanOptions } from '../plan/grid.ts';
import type { PlanFile } from '../schema/plan.ts';
import type { RunRow } from '../schema/runs.ts';
import type { Observation } from '../fit/types.ts';
import { fitPowerLaw } from '../fit/powerlaw.ts';
import { evalPowerLaw, type PowerLaw } from '../schema/laws.ts';

export interface GridContext {
  /** Planner options for new points (points/span are set per call). */
  plan: PlanOptions;
  /** Batch tokens and peak LR for a budget; undefined fields leave the planner's Eq. 1 default. */
  hyper(budget: number): { lr?: number; batchTokens?: number };
  /** Where the settings came from, for the report. */
  source: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const mode = <T>(xs: T[]): T | undefined => {
  const n = new Map<T, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((p, q) => q[1] - p[1])[0]?.[0];
};
const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(a, b);

/** One value per budget when every budget's runs share it (a rule, not a sweep); undefined otherwise. */
function perBudgetRule(obs: Observation[], get: (o: Observation) => number | undefined): { budget: number; value: number }[] | undefined {
  const byBudget = new Map<number, number[]>();
  for (const o of obs) {
    const v = get(o);
    if (v === undefined || !(v > 0)) return undefined;
    const list = byBudget.get(o.budget); // push, not a copy per row (quadratic for large files)
    if (list) list.push(v);
    else byBudget.set(o.budget, [v]);
  }
  const out: { budget: number; value: number }[] = [];
  for (const [budget, vs] of byBudget) {
    if (Math.max(...vs) > Math.min(...vs) * 1.001) return undefined;
    out.push({ budget, value: median(vs) });
  }
  return out;
}

/** A power law through per-budget values (needs 2 budgets), or undefined. */
function ruleLaw(points: { budget: number; value: number }[] | undefined): PowerLaw | undefined {
  if (!points || points.length < 2) return undefined;
  return fitPowerLaw(points.map((p) => p.budget), points.map((p) => p.value));
}

/** Planner settings and hyperparameters for new points, from the original plan (when given) or the runs' own rows. */
export function gridContext(obs: Observation[], rows: Map<string, RunRow>, o: { like?: PlanFile; seqLen?: number; vocab?: number; dataset?: string } = {}): GridContext {
  const finals = obs.map((x) => rows.get(x.runId)).filter((r): r is RunRow => r !== undefined);
  const plan: PlanOptions = { ...DEFAULT_PLAN_OPTIONS };
  let source = 'planner defaults';
  if (o.like) {
    const lo = o.like.options as unknown as Record<string, unknown>;
    for (const k of ['seqLen', 'vocab', 'schedule', 'warmup', 'seed', 'stages', 'kvGroup', 'tp', 'pp', 'headSize', 'multipleOf'] as const) {
      if (lo[k] !== undefined) (plan as unknown as Record<string, unknown>)[k] = lo[k];
    }
    source = 'the original plan';
  } else if (finals.length) {
    plan.seqLen = mode(finals.map((r) => r.seq_len)) ?? plan.seqLen;
    plan.vocab = mode(finals.map((r) => r.vocab)) ?? plan.vocab;
    plan.schedule = mode(finals.map((r) => r.schedule)) ?? plan.schedule;
    plan.seed = mode(finals.map((r) => r.seed)) ?? plan.seed;
    const group = mode(finals.map((r) => (r.n_kv_heads > 0 ? r.n_heads / r.n_kv_heads : 1)));
    if (group && Number.isInteger(group)) plan.kvGroup = group;
    source = 'the runs (sequence length, vocabulary, schedule, GQA group); family rules: planner defaults';
  }
  if (o.seqLen) plan.seqLen = o.seqLen;
  if (o.vocab) plan.vocab = o.vocab;
  if (o.dataset) plan.dataset = o.dataset;
  const lrRule = perBudgetRule(obs, (x) => x.lr);
  const batchRule = perBudgetRule(obs, (x) => x.batchTokens);
  const lrLaw = ruleLaw(lrRule);
  const batchLaw = ruleLaw(batchRule);
  const hyper = (budget: number) => {
    const lrOwn = lrRule?.find((p) => same(p.budget, budget))?.value;
    const bOwn = batchRule?.find((p) => same(p.budget, budget))?.value;
    return {
      lr: lrOwn ?? (lrLaw ? evalPowerLaw(lrLaw, budget) : undefined),
      batchTokens: bOwn ?? (batchLaw ? evalPowerLaw(batchLaw, budget) : undefined),
    };
  };
  return { plan, hyper, source };
}
