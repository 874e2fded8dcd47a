// The fitter's named warnings: one structured record per problem (code, what happened, what to do, which laws it undermines,
// which budgets), collected once per code — never once per budget or per resample — for the terminal summary and the report.
import type { FitWarning } from '../schema/laws.ts';
import { sci } from '../util/format.ts';

/** Every warning the fitter can raise, with when it fires (docs/fit-methods.md lists the same table). */
export const WARNING_CODES = {
  'too-few-scales': 'a budget has fewer than 3 distinct scales: no optimum, budget dropped',
  'few-scales': 'a budget has 3–4 distinct scales: its optimum is poorly constrained',
  'duplicate-scales': 'several runs share a scale in a budget: each scale enters at its lowest loss',
  unbracketed: "a budget's lowest loss is at its smallest or largest scale (or its parabola has no usable vertex): excluded from the laws (--keep-unbracketed keeps it)",
  'flat-curvature': "a budget's loss is not significantly curved in log scale (all-points parabola, one-sided 95% t-test): kept, but not a resolved budget",
  'vertex-outside-bracket': "a parabola's vertex lies outside the interval between the data minimum's neighbours",
  'vertex-far': "a parabola's vertex lies more than the window's width outside it: the lowest-loss point is used instead",
  'compute-mismatch': "runs' compute differs from the budget label by more than 10%",
  'too-few-budgets': 'fewer than 3 budgets with a resolved optimum: the allocation laws and the loss curve are not supported',
  'short-span': 'the used budgets span one decade of compute or less',
  'extrapolation-too-far': 'a prediction lies farther beyond the largest budget than the budgets span',
  'window-instability': 'the exponent a moves by more than 0.05 across parabola windows of ≥ 5 points',
  'wide-interval': "a law's interval is wider than its value: the law is not supported",
  'loss-curve': 'the loss curve could not be fitted, or only its pure power-law form',
  'loss-floor-at-bound': "the loss curve's floor E sits at its bound (the lowest optimum loss): the offset is not identified",
  'a3-unidentifiable': 'approach 3 on data with one N, one D, or (N, D) on one line (one IsoFLOP line, one tokens-per-parameter ratio): refused',
  'a3-failed': 'approach 3 has too few runs or no start converged to positive exponents',
  'a3-floor-above-data': "approach 3's floor E is above the lowest observed loss: the law is not supported",
  'a2-a3-disagree': 'approaches 2 and 3 give exponents a whose intervals do not overlap',
  'hyper-not-swept': 'a hyperparameter was set by a rule (one value per budget / (N, D) group), not swept: no law',
  'hyper-per-group': 'budgets hold several (N, D) groups: near-optimal runs are selected per group',
  'hyper-one-budget': 'near-optimal runs at only one budget: no law',
  'hyper-single-run': 'a selection unit has a single near-optimal run',
  'steplaw-underdetermined': 'the Step Law form needs ≥ 3 near-optimal runs with distinct N and D (≥ 2 distinct D for the batch)',
  'bootstrap-undefined': 'some quantity could not be computed in some resamples: its interval uses the rest',
  'bootstrap-none': 'nothing to resample: no intervals',
  'backtest-skipped': 'the backtest could not be run',
  'approach1-edge': 'approach 1: envelope levels won by the smallest or largest model are left out',
  'approach1-few-scales': 'approach 1: the envelope is won by fewer than 3 distinct scales',
  'representation-failed': 'a representation of the App. A.2 comparison could not be fitted',
  'prediction-no-law': 'a prediction has no law to be read from',
} as const;
export type WarningCode = keyof typeof WARNING_CODES;

/** A per-budget finding before aggregation: the budget, its code, its own message and (optionally) its own advice. */
export interface BudgetNote {
  budget: number;
  code: WarningCode;
  message: string;
  action?: string;
}

/** Collects warnings, one record per code: a second warning with the same code merges into the first (messages joined). */
export class WarningSet {
  private byCode = new Map<string, FitWarning>();

  add(code: WarningCode, message: string, action: string, extra: { laws?: string[]; budgets?: number[] } = {}): FitWarning {
    const old = this.byCode.get(code);
    if (old) {
      if (!old.message.includes(message)) old.message += `; ${message}`;
      if (action && !old.action.includes(action)) old.action += `; ${action}`;
      if (extra.laws) old.laws = [...new Set([...(old.laws ?? []), ...extra.laws])];
      if (extra.budgets) old.budgets = [...new Set([...(old.budgets ?? []), ...extra.budgets])].sort((a, b) => a - b);
      return old;
    }
    const w: FitWarning = { code, message, action, ...(extra.laws ? { laws: extra.laws } : {}), ...(extra.budgets ? { budgets: extra.budgets } : {}) };
    this.byCode.set(code, w);
    return w;
  }

  addAll(ws: readonly FitWarning[]): void {
    for (const w of ws) this.add(w.code as WarningCode, w.message, w.action, { laws: w.laws, budgets: w.budgets });
  }

  has(code: WarningCode): boolean {
    return this.byCode.has(code);
  }

  list(): FitWarning[] {
    return [...this.byCode.values()];
  }
}

/** '1.25e16, 2.5e16, … (14 in all)': a budget list that stays short. */
export function budgetList(bs: readonly number[], max = 6): string {
  const shown = bs.slice(0, max).map((b) => sci(b)).join(', ');
  return bs.length > max ? `${shown}, … (${bs.length} in all)` : shown;
}

/**
 * Per-budget notes → one warning per code naming its budgets; budgets with the same message are listed together:
 * 'budgets 1.25e16, 2.50e16: lowest loss at the smallest sampled scale …'.
 */
export function aggregateBudgetNotes(notes: readonly BudgetNote[], into: WarningSet, generic: Partial<Record<WarningCode, { action: string; laws?: string[] }>>): void {
  const byCode = new Map<WarningCode, BudgetNote[]>();
  for (const n of notes) byCode.set(n.code, [...(byCode.get(n.code) ?? []), n]);
  for (const [code, list] of byCode) {
    const budgets = list.map((n) => n.budget);
    // Group identical messages (the usual case for dropped or few-scale budgets), keep distinct ones apart.
    const byMsg = new Map<string, number[]>();
    for (const n of list) byMsg.set(n.message, [...(byMsg.get(n.message) ?? []), n.budget]);
    const parts = [...byMsg].map(([m, bs]) => `${bs.length === 1 ? 'budget' : `${bs.length} budgets`} ${budgetList(bs)}: ${m}`);
    const rest = [...byMsg].slice(4).reduce((n, [, bs]) => n + bs.length, 0);
    const msg = parts.length > 4 ? `${parts.slice(0, 4).join('; ')}; and ${rest} more budget${rest === 1 ? '' : 's'} (details.optima)` : parts.join('; ');
    const own = [...new Set(list.map((n) => n.action).filter((a): a is string => !!a))];
    const ownText = own.length > 4 ? `${own.slice(0, 4).join('; ')}; … (${own.length} budgets)` : own.join('; ');
    const action = [ownText, generic[code]?.action].filter(Boolean).join('; ');
    into.add(code, msg, action, { budgets, laws: generic[code]?.laws });
  }
}

/** One line of text per warning (the laws file's `details.warnings`, for readers of older files and plain logs). */
export function warningLine(w: FitWarning): string {
  return `${w.message}${w.action ? ` — ${w.action}` : ''} [${w.code}]`;
}
