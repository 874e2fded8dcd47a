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

/** "1e17,3e17" → [1e17, 3e17]. */
export function parseBudgetList(spec: string, flag = '--budget'): number[] {
  return spec.split(',').map((s) => parseBudget(s, flag));
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
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === n - 1 ? hi : roundBudget(lo * Math.pow(hi / lo, i / (n - 1)))));
}
