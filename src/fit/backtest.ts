// Backtest: refit without the K largest budgets and report the relative error predicting them — approach 2 (allocation law and loss
// curve against each held-out budget's own optimum) and approach 3 (L(N, D) refitted on the other budgets' runs, against every held-out run).
import type { BudgetOptimum, FitDetails, FitWarning } from '../schema/laws.ts';
import { evalLossLaw, evalPowerLaw } from '../schema/laws.ts';
import type { Observation } from './types.ts';
import { fitPowerLaw } from './powerlaw.ts';
import { fitLossCurve } from './losscurve.ts';
import { approach3Identifiability, approach3Loss, fitApproach3, scaleVariableOf } from './approach3.ts';

type Backtest = NonNullable<FitDetails['backtest']>;

/** Approach 2: uses the per-budget optima of the full fit (each budget's optimum does not depend on the others); `used` = in the laws. */
export function backtest(optima: BudgetOptimum[], k: number, used?: boolean[]): { result?: Backtest; warnings: FitWarning[] } {
  const inLaws = optima.filter((o, i) => (used ? used[i] : !o.dropped)).sort((p, q) => p.budget - q.budget);
  const warnings: FitWarning[] = [];
  if (k <= 0) return { warnings };
  if (inLaws.length === 0) {
    warnings.push({ code: 'backtest-skipped', message: 'approach 2 backtest: no allocation law to backtest', action: 'see why approach 2 has no law (the approach-3 backtest runs on its own)' });
    return { warnings };
  }
  if (inLaws.length - k < 3) {
    warnings.push({ code: 'backtest-skipped', message: `approach 2 backtest: holding out ${k} of ${inLaws.length} budgets in the laws leaves fewer than 3 to fit: skipped`, action: 'hold out fewer budgets, or add budgets' });
    return { warnings };
  }
  const train = inLaws.slice(0, inLaws.length - k);
  const held = inLaws.slice(inLaws.length - k);
  const scaleLaw = fitPowerLaw(train.map((o) => o.budget), train.map((o) => o.scaleOpt));
  const loss = fitLossCurve(train.map((o) => o.budget), train.map((o) => o.lossOpt));
  if (!scaleLaw || !loss) {
    warnings.push({ code: 'backtest-skipped', message: 'approach 2 backtest: the laws could not be fitted on the remaining budgets', action: 'hold out fewer budgets' });
    return { warnings };
  }
  const rows = held.map((o) => {
    const lossPred = evalLossLaw(loss.law, o.budget);
    const scalePred = evalPowerLaw(scaleLaw, o.budget);
    return { budget: o.budget, lossPred, lossTrue: o.lossOpt, lossErr: (lossPred - o.lossOpt) / o.lossOpt, scalePred, scaleTrue: o.scaleOpt, scaleErr: (scalePred - o.scaleOpt) / o.scaleOpt };
  });
  return { result: { heldOut: held.map((o) => o.budget), rows }, warnings };
}

/**
 * Approach 3: refit (full grid of starts) on the runs of all but the held-out budgets — `heldOut` (approach 2's, so both backtests
 * predict the same budgets) or else the K largest — and predict every run of those budgets.
 */
export function backtestApproach3(obs: Observation[], v: 'N' | 'M', k: number, heldOut?: number[]): { rows?: NonNullable<Backtest['approach3']>; heldOut?: number[]; warnings: FitWarning[] } {
  const warnings: FitWarning[] = [];
  const budgets = [...new Set(obs.map((o) => o.budget))].sort((a, b) => a - b);
  if (k <= 0) return { warnings };
  const held = new Set(heldOut ?? budgets.slice(Math.max(0, budgets.length - k)));
  const train = obs.filter((o) => !held.has(o.budget));
  const why = train.length < 5 ? `only ${train.length} runs remain` : approach3Identifiability(train, v);
  if (why) {
    warnings.push({ code: 'backtest-skipped', message: `approach 3 backtest: without the ${k} largest budgets ${why}: skipped`, action: 'hold out fewer budgets' });
    return { warnings };
  }
  const fit = fitApproach3(train, v);
  if (!fit) {
    warnings.push({ code: 'backtest-skipped', message: 'approach 3 backtest: no fit on the remaining runs', action: 'hold out fewer budgets' });
    return { warnings };
  }
  const rows = obs.filter((o) => held.has(o.budget)).map((o) => {
    const params = scaleVariableOf(o, v);
    const lossPred = approach3Loss(fit, params, o.tokens);
    return { runId: o.runId, budget: o.budget, params, tokens: o.tokens, lossPred, lossTrue: o.loss, lossErr: (lossPred - o.loss) / o.loss };
  });
  return { rows, heldOut: [...held], warnings };
}
