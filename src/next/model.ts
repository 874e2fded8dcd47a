// The current fit as a generative model of IsoFLOP curves, for simulating runs that have not been trained yet:
// L(C, x) = L_opt(C) + κ(C)·(x − x_opt(C))², x = log10 scale. Sampled budgets keep their own optimum and curvature; other budgets
// take x_opt from the scale law (paper Eq. 4), L_opt from the loss curve, and κ as the geometric mean of the sampled curvatures.
import { evalLossLaw, evalPowerLaw, type LawsFile, type LossLaw, type PowerLaw } from '../schema/laws.ts';
import { InputError } from '../util/errors.ts';
import { fitPowerLaw } from '../fit/powerlaw.ts';
import type { BudgetCurve } from './curves.ts';

export interface CurveAt {
  /** log10 of the compute-optimal scale at this budget. */
  x0: number;
  /** Loss at the optimum. */
  L0: number;
  /** Curvature of loss in log10 scale (loss units per decade²). */
  kappa: number;
  /** 'fit': the budget's own optimum and curvature; 'laws': extrapolated from the laws. */
  from: 'fit' | 'laws';
}

export interface IsoflopModel {
  curveAt(budget: number): CurveAt;
  loss(budget: number, x: number): number;
  /** The loss law used for budgets without runs (and by the linearised variance of loss targets). */
  lossLaw: LossLaw;
  /** Geometric mean curvature of the sampled budgets. */
  kappa: number;
  /** 'fit': the fit's scale law; 'rough': a power law through the budgets' rough optima (the fit had none). */
  scaleFrom: 'fit' | 'rough';
  /** The scale law budgets are centred on (the fit's, or the rough one). */
  scaleLaw: PowerLaw;
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(a, b);

/** The loss curve of the fit (laws.loss, else the pure power law in details, else a power law through the budgets' optima). */
function lossLawOf(laws: LawsFile, curves: BudgetCurve[]): LossLaw {
  if (laws.laws.loss) return laws.laws.loss;
  if (laws.details?.lossPower) return laws.details.lossPower;
  const rough = curves.map((c) => ({ C: c.budget, loss: roughOptimum(c).loss })).filter((r) => r.loss > 0);
  const p = rough.length >= 2 ? fitPowerLaw(rough.map((r) => r.C), rough.map((r) => r.loss)) : undefined;
  if (!p) throw new InputError('the fit has no loss curve and the runs span fewer than 2 budgets: there is no model to simulate new budgets from', { field: 'laws.loss' });
  return { form: 'power', E: 0, A: p.coefficient, gamma: -p.exponent };
}

/** A budget's own rough optimum: its quadratic's vertex kept within one sampling step of the data, else its lowest-loss scale. */
function roughOptimum(c: BudgetCurve): { x: number; loss: number } {
  const best = c.groups.reduce((p, q) => (q.loss < p.loss ? q : p));
  const xs = c.groups.map((g) => g.x);
  const step = xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) : 0;
  if (c.quad && c.quad.c2 > 0) {
    const v = -c.quad.c1 / (2 * c.quad.c2);
    const x = Math.min(xs[xs.length - 1] + step, Math.max(xs[0] - step, v));
    return { x, loss: Math.min(best.loss, c.quad.c0 + c.quad.c1 * x + c.quad.c2 * x * x) };
  }
  return { x: best.x, loss: best.loss };
}

/**
 * The scale law the model centres budgets on: the fit's (paper Eq. 4), or — when the fit could not give one (e.g. its budgets were
 * unbracketed and excluded) — a power law through the budgets' rough optima, so the proposal can repair exactly that.
 */
function scaleLawOf(laws: LawsFile, curves: BudgetCurve[]): { law: PowerLaw; from: 'fit' | 'rough' } {
  if (laws.laws.scale) return { law: laws.laws.scale, from: 'fit' };
  const rough = curves.map((c) => ({ C: c.budget, ...roughOptimum(c) }));
  const law = rough.length >= 2 ? fitPowerLaw(rough.map((r) => r.C), rough.map((r) => 10 ** r.x)) : undefined;
  if (!law) throw new InputError('the fit has no scale law (laws.scale) and the runs span fewer than 2 budgets: add a budget (scaling plan) before asking what to add next', { field: 'laws.scale' });
  return { law, from: 'rough' };
}

/** Builds the generative model from the fit's laws and the runs' curves. */
export function buildModel(laws: LawsFile, curves: BudgetCurve[]): IsoflopModel {
  const { law: scaleLaw, from: scaleFrom } = scaleLawOf(laws, curves);
  const positive = curves.map((c) => c.quad?.c2 ?? 0).filter((k) => k > 0);
  if (positive.length === 0) throw new InputError('no budget has a U-shaped IsoFLOP curve (every fitted curvature ≤ 0): the runs show no optimum to refine', { field: 'details.optima' });
  const kappa = Math.exp(positive.reduce((s, k) => s + Math.log(k), 0) / positive.length);
  const lossLaw = lossLawOf(laws, curves);
  const fromLaws = (budget: number): CurveAt => ({ x0: Math.log10(evalPowerLaw(scaleLaw, budget)), L0: evalLossLaw(lossLaw, budget), kappa, from: 'laws' });
  const own = new Map<number, CurveAt>();
  for (const c of curves) {
    const o = c.optimum;
    const k = c.quad && c.quad.c2 > 0 ? c.quad.c2 : kappa;
    // A bracketed optimum is the budget's own evidence; an unbracketed or dropped one is an edge point or an extrapolation, so
    // the law through the other budgets places the vertex (the loss level stays the budget's own).
    if (o && !o.dropped && o.bracketed && Number.isFinite(o.scaleOpt) && o.scaleOpt > 0 && Number.isFinite(o.lossOpt)) {
      own.set(c.budget, { x0: Math.log10(o.scaleOpt), L0: o.lossOpt, kappa: k, from: 'fit' });
    } else {
      const law = fromLaws(c.budget);
      const best = Math.min(...c.groups.map((g) => g.loss));
      const L0 = c.quad && c.quad.c2 > 0 ? Math.min(best, c.quad.c0 + c.quad.c1 * law.x0 + c.quad.c2 * law.x0 * law.x0) : best;
      own.set(c.budget, { x0: law.x0, L0, kappa: k, from: 'laws' });
    }
  }
  const curveAt = (budget: number): CurveAt => {
    for (const [b, c] of own) if (same(b, budget)) return c;
    return fromLaws(budget);
  };
  return {
    curveAt,
    loss: (budget, x) => {
      const c = curveAt(budget);
      return c.L0 + c.kappa * (x - c.x0) ** 2;
    },
    lossLaw,
    kappa,
    scaleFrom,
    scaleLaw,
  };
}
