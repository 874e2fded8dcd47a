// Budget grouping for IsoFLOP fits: a budget column/label, a group column (budget = geometric mean of its C), or C snapped to budgets found in the data.
import { InputError } from '../../util/errors.ts';

export type BudgetRule = { kind: 'label' } | { kind: 'group' } | { kind: 'snap'; tolerance: number };

export interface BudgetItem {
  /** The compute that locates the run on the C axis (the file's C column when mapped, else scale × tokens). */
  flops: number;
  budgetLabel?: number;
  group?: string;
}

export interface BudgetAssignment {
  budgets: number[];
  /** One line for the table and provenance, e.g. 'snapped C within ±10%: 9 budgets found (6.0e18 … 3.0e21)'. */
  description: string;
  warnings: string[];
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const nice = (x: number) => Number(x.toPrecision(3));

/**
 * Snaps compute values to budgets: sorted by C, a budget collects every point within a factor (1 + tol)² of its smallest,
 * so each member lies within about ±tol of the budget (the geometric mean of its members, rounded to 3 digits).
 */
export function snapBudgets(values: readonly number[], tolerance: number): { centers: number[]; index: number[] } {
  if (!(tolerance > 0 && tolerance < 1)) throw new InputError(`tolerance must be in (0, 1), got ${tolerance}`, { field: '--snap' });
  const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
  const index = new Array<number>(values.length);
  const members: number[][] = [];
  let start = 0;
  while (start < order.length) {
    const lo = values[order[start]];
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] <= lo * (1 + tolerance) ** 2) end++;
    const group = order.slice(start, end + 1);
    for (const i of group) index[i] = members.length;
    members.push(group.map((i) => values[i]));
    start = end + 1;
  }
  const raw = members.map(geomean);
  const rounded = raw.map(nice);
  const centers = new Set(rounded).size === rounded.length ? rounded : raw;
  return { centers, index };
}

export function assignBudgets(items: readonly BudgetItem[], rule: BudgetRule, sourceLabel: string): BudgetAssignment {
  const warnings: string[] = [];
  let budgets: number[];
  let how: string;
  if (rule.kind === 'label') {
    budgets = items.map((it) => it.budgetLabel!);
    how = `budgets from ${sourceLabel}`;
  } else if (rule.kind === 'group') {
    const byGroup = new Map<string, number[]>();
    items.forEach((it, i) => {
      const list = byGroup.get(it.group!);
      if (list) list.push(i);
      else byGroup.set(it.group!, [i]);
    });
    const centers = new Map<string, number>();
    for (const [g, idx] of byGroup) centers.set(g, geomean(idx.map((i) => items[i].flops)));
    const rounded = [...centers.values()].map(nice);
    const useRounded = new Set(rounded).size === rounded.length;
    budgets = items.map((it) => (useRounded ? nice(centers.get(it.group!)!) : centers.get(it.group!)!));
    how = `one budget per ${sourceLabel} value (budget = geometric mean of its C)`;
  } else {
    const { centers, index } = snapBudgets(items.map((it) => it.flops), rule.tolerance);
    budgets = index.map((k) => centers[k]);
    how = `C snapped to budgets found in the data within ±${(rule.tolerance * 100).toFixed(0)}%`;
  }
  // Labels that disagree with the compute actually spent are worth a word (Marin's names count 2ND, a third of 6ND).
  if (rule.kind === 'label' && items.length > 0) {
    const ratios = items.map((it, i) => it.flops / budgets[i]).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    if (median > 1.5 || median < 1 / 1.5) warnings.push(`runs spent ${median.toFixed(2)}× their budget label in compute (median): the labels may count FLOPs differently; --budget-factor rescales them`);
  }
  const distinct = [...new Set(budgets)].sort((a, b) => a - b);
  const fmt = (x: number) => x.toExponential(1).replace('e+', 'e');
  const list = distinct.length <= 12 ? distinct.map(fmt).join(', ') : `${distinct.slice(0, 5).map(fmt).join(', ')}, … ${fmt(distinct[distinct.length - 1])}`;
  return { budgets, description: `${how}: ${distinct.length} budget${distinct.length === 1 ? '' : 's'} (${list})`, warnings };
}
