// A fit's warnings as a reader needs them: structured (code, message, what to do) when the fitter wrote them so, plain strings
// otherwise; each said once (the same message for several budgets becomes one line naming them), the most important first.
import type { LawsFile } from '../schema/laws.ts';

export interface FitWarning {
  code?: string;
  message: string;
  /** What to do about it (e.g. "add points below M = …"). */
  action?: string;
  /** 0 = a law is missing or unsupported, 1 = budgets dropped / not bracketed / poorly constrained, 2 = other, 3 = bootstrap bookkeeping. */
  rank: number;
  /** Budgets the same message was reported for (grouped). */
  budgets?: string[];
}

const BUDGET_IN_TEXT = /\bbudget (\d(?:\.\d+)?e[+-]?\d+)/;

/** Importance of a warning from its severity field, else from its wording. */
function rankOf(w: { severity?: unknown; message: string }): number {
  if (w.severity === 'error') return 0;
  if (w.severity === 'info') return 3;
  const m = w.message.toLowerCase();
  if (/unsupported|not supported|no signal|no allocation law|cannot be fitted|could not be fitted|no .*law\b|refused|identif/.test(m)) return 0;
  if (/dropped|not bracketed|poorly constrained|edge|too short|disagree|wider than|above the lowest/.test(m)) return 1;
  if (/^bootstrap/.test(m)) return 3;
  return 2;
}

/** One raw warning (string or object) → message, code, action. */
export function readWarning(raw: unknown): { code?: string; message: string; action?: string; severity?: unknown } {
  if (typeof raw === 'string') return { message: raw };
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    const action = o.action ?? o.todo ?? o.whatToDo ?? o.fix ?? o.hint ?? o.suggestion;
    return { code: typeof o.code === 'string' ? o.code : undefined, message: String(o.message ?? o.text ?? JSON.stringify(o)), action: typeof action === 'string' ? action : undefined, severity: o.severity ?? o.level };
  }
  return { message: String(raw) };
}

/** Importance of the fitter's warning codes (src/fit/warnings.ts): a law lost first, then weak budgets, bookkeeping last. */
const CODE_RANK: Record<string, number> = {
  'too-few-budgets': 0, 'wide-interval': 0, 'a3-unidentifiable': 0, 'a3-failed': 0, 'a3-floor-above-data': 0, 'hyper-not-swept': 2, 'hyper-one-budget': 0,
  'prediction-no-law': 0, 'loss-floor-at-bound': 0, 'loss-curve': 1, 'extrapolation-too-far': 0,
  unbracketed: 1, 'short-span': 1, 'flat-curvature': 1, 'vertex-outside-bracket': 1, 'vertex-far': 1, 'few-scales': 1, 'too-few-scales': 1,
  'window-instability': 1, 'a2-a3-disagree': 1, 'steplaw-underdetermined': 1, 'compute-mismatch': 2,
  'bootstrap-undefined': 3, 'bootstrap-none': 3, 'approach1-edge': 3, 'approach1-few-scales': 3, 'duplicate-scales': 3, 'hyper-single-run': 3, 'hyper-per-group': 3, 'backtest-skipped': 3,
};

/** Every warning of a file (global and per budget), deduplicated, grouped over budgets, most important first. */
export function fitWarnings(laws: LawsFile): FitWarning[] {
  // The fitter's structured diagnostics (once per code, with what to do) when the file has them.
  const diagnostics = laws.details?.diagnostics as unknown[] | undefined;
  if (Array.isArray(diagnostics) && diagnostics.length) {
    const seen = new Set<string>();
    return diagnostics
      .map(readWarning)
      .filter((w) => !seen.has(`${w.code}|${w.message}`) && seen.add(`${w.code}|${w.message}`))
      .map((w) => ({ code: w.code, message: w.message, action: w.action, rank: w.code !== undefined && w.code in CODE_RANK ? CODE_RANK[w.code] : rankOf(w) }))
      .sort((a, b) => a.rank - b.rank);
  }
  const raw: ReturnType<typeof readWarning>[] = (laws.details?.warnings ?? []).map(readWarning);
  for (const o of laws.details?.optima ?? []) {
    for (const w of o.warnings ?? []) {
      const r = readWarning(w);
      // Per-budget warnings are often repeated in the global list: keep the new ones, prefixed with their budget.
      if (raw.some((g) => g.message.includes(r.message))) continue;
      raw.push({ ...r, message: BUDGET_IN_TEXT.test(r.message) ? r.message : `budget ${o.budget.toExponential(2).replace('e+', 'e')}: ${r.message}` });
    }
  }
  const groups = new Map<string, FitWarning>();
  for (const r of raw) {
    const m = BUDGET_IN_TEXT.exec(r.message);
    const key = `${r.code ?? ''}|${m ? r.message.replace(BUDGET_IN_TEXT, 'budget #') : r.message}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { code: r.code, message: r.message, action: r.action, rank: rankOf(r), budgets: m ? [m[1]] : undefined });
    else if (m && g.budgets && !g.budgets.includes(m[1])) g.budgets.push(m[1]);
  }
  for (const g of groups.values()) if (g.budgets) g.budgets.sort((x, y) => Number(x) - Number(y));
  return [...groups.values()].sort((a, b) => a.rank - b.rank);
}

/** One line: the message (with the other budgets it applies to) and what to do. */
export function warningText(w: FitWarning): string {
  const also = w.budgets && w.budgets.length > 1 ? ` (also budget${w.budgets.length > 2 ? 's' : ''} ${w.budgets.slice(1).join(', ')})` : '';
  return `${w.message}${also}${w.action ? ` — what to do: ${w.action}` : ''}${w.code ? ` [${w.code}]` : ''}`;
}
