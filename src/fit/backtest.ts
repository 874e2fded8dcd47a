// Backtest: refit the allocation and loss laws without the K largest budgets and report the relative error of predicting their
// approach-2 optimal loss and optimal scale.
import type { BudgetOptimum, FitDetails } from '../schema/laws.ts';
import { evalLossLaw, evalPowerLaw } from '../schema/laws.ts';
import { fitPowerLaw } from './powerlaw.ts';
import { fitLossCurve } from './losscurve.ts';

/** Uses the per-budget optima of the full fit (each budget's parabola does not depend on the others). */
export function backtest(optima: BudgetOptimum[], k: number): { result?: NonNullable<FitDetails['backtest']>; warnings: string[] } {
  const used = optima.filter((o) => !o.dropped).sort((p, q) => p.budget - q.budget);
  const warnings: string[] = [];
  if (k <= 0) return { warnings };
  if (used.length - k < 3) {
    warnings.push(`backtest: holding out ${k} of ${used.length} usable budgets leaves fewer than 3 to fit: skipped`);
    return { warnings };
  }
  const train = used.slice(0, used.length - k);
  const held = used.slice(used.length - k);
  const scaleLaw = fitPowerLaw(train.map((o) => o.budget), train.map((o) => o.scaleOpt));
  const loss = fitLossCurve(train.map((o) => o.budget), train.map((o) => o.lossOpt));
  if (!scaleLaw || !loss) {
    warnings.push('backtest: the laws could not be fitted on the remaining budgets');
    return { warnings };
  }
  const rows = held.map((o) => {
    const lossPred = evalLossLaw(loss.law, o.budget);
    const scalePred = evalPowerLaw(scaleLaw, o.budget);
    return { budget: o.budget, lossPred, lossTrue: o.lossOpt, lossErr: (lossPred - o.lossOpt) / o.lossOpt, scalePred, scaleTrue: o.scaleOpt, scaleErr: (scalePred - o.scaleOpt) / o.scaleOpt };
  });
  return { result: { heldOut: held.map((o) => o.budget), rows }, warnings };
}
