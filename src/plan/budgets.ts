// Parsing compute budgets from the command line: "3e20", "1e17,3e17,1e18" or log-spaced "1e17:3e20:8".
import { InputError } from '../util/errors.ts';

function parseBudget(s: string, flag: string): number {
  const v = Number(s.trim());
  if (s.trim() === '' || !Number.isFinite(v) || v <= 0) throw new InputError(`budget must be a finite number > 0, got '${s}'`, { field: flag });
  return v;
}

/** Rounds to 3 significant digits, so log-spaced budgets print and name cleanly (3.14e17, not 3.1383...e17). */
export function roundBudget(x: number): number {
  return Number(x.toPrecision(3));
}

/** Budgets closer than this (relative) are the same budget: `scaling train --budget` selects with this tolerance. */
export const SAME_BUDGET = 1e-6;

/** Refuses a budget given twice (or two that round to the same one): they would make duplicate grids. */
export function checkDistinctBudgets(budgets: number[], flag: string): void {
  const sorted = [...budgets].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (Math.abs(sorted[i] - sorted[i - 1]) <= SAME_BUDGET * sorted[i]) throw new InputError(`budget ${sorted[i].toExponential(3)} appears twice: give each budget once`, { field: flag });
  }
}

/** "1e17,3e17" → [1e17, 3e17] (each budget once). */
export function parseBudgetList(spec: string, flag = '--budget'): number[] {
  const budgets = spec.split(',').map((s) => parseBudget(s, flag));
  checkDistinctBudgets(budgets, flag);
  return budgets;
}

/** "1e17:3e20:8" → 8 log-spaced budgets from 1e17 to 3e20 inclusive. */
export function parseBudgetRange(spec: string, flag = '--budgets'): number[] {
  const parts = spec.split(':');
  if (parts.length !== 3) throw new InputError(`expected FROM:TO:COUNT (e.g. 1e17:3e20:8), got '${spec}'`, { field: flag });
  const lo = parseBudget(parts[0], flag);
  const hi = parseBudget(parts[1], flag);
  const n = Number(parts[2]);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`COUNT must be an integer ≥ 1, got '${parts[2]}'`, { field: flag });
  if (hi < lo) throw new InputError(`TO (${hi}) must be ≥ FROM (${lo})`, { field: flag });
  // Both ends are always budgets of the range: COUNT 1 would drop TO, FROM = TO would repeat one budget.
  if (n === 1 && hi !== lo) throw new InputError(`COUNT 1 cannot include both FROM and TO: use --budget ${parts[0].trim()} for one budget, or COUNT ≥ 2`, { field: flag });
  if (n === 1) return [lo];
  if (Math.abs(hi - lo) <= SAME_BUDGET * hi) throw new InputError(`FROM and TO are the same budget: use --budget ${parts[0].trim()}`, { field: flag });
  const budgets = Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === n - 1 ? hi : roundBudget(lo * Math.pow(hi / lo, i / (n - 1)))));
  for (let i = 1; i < n; i++) {
    if (!(budgets[i] > budgets[i - 1] * (1 + SAME_BUDGET))) {
      throw new InputError(`COUNT ${n} is too many for ${parts[0].trim()}…${parts[1].trim()}: budgets ${i} and ${i + 1} both round to ${budgets[i].toExponential(2)} (3 significant digits)`, { field: flag });
    }
  }
  return budgets;
}
