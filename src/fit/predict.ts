// Predictions from fitted laws (targets parsed in src/flops/targets.ts): a named shape ('7b', '67b', or n_layer=…,d_model=…) trained on 2T tokens, or the compute-optimal
// model at a budget ('1e21'): compute, scale, tokens, loss (loss law), learning rate and batch size (Eq. 1 laws, when fitted).
import { evalLossLaw, evalPowerLaw, type LossLaw, type PowerLaw, type Prediction } from '../schema/laws.ts';
import type { PredictionTarget } from '../flops/targets.ts';
import { scalePerToken, type Representation } from '../flops/flops.ts';

/** The laws a prediction reads (a full fit, a bootstrap resample, or a representation's refit). */
export interface LawSet {
  scale?: PowerLaw;
  loss?: LossLaw;
  lr?: PowerLaw;
  batch?: PowerLaw;
}

/** Compute, scale and tokens of a target in a representation (shapes: scale from the exact shape; budgets: scale = M_opt(C)). */
export function targetPoint(t: PredictionTarget, laws: LawSet, rep: Representation): { compute: number; scale: number; tokens: number } | undefined {
  if (t.kind === 'shape') {
    const scale = scalePerToken(t.shape!, rep);
    return { compute: scale * t.tokens!, scale, tokens: t.tokens! };
  }
  if (!laws.scale) return undefined;
  const scale = evalPowerLaw(laws.scale, t.compute!);
  return { compute: t.compute!, scale, tokens: t.compute! / scale };
}

/** One prediction without intervals (the bootstrap adds them). */
export function predictOne(t: PredictionTarget, laws: LawSet, rep: Representation): Prediction | undefined {
  const pt = targetPoint(t, laws, rep);
  if (!pt) return undefined;
  const p: Prediction = { label: t.label, ...pt };
  if (laws.loss) p.loss = evalLossLaw(laws.loss, pt.compute);
  if (laws.lr) p.lr = evalPowerLaw(laws.lr, pt.compute);
  if (laws.batch) p.batchTokens = evalPowerLaw(laws.batch, pt.compute);
  if (t.shape) p.shape = { ...t.shape };
  return p;
}

export { parseTargets, type PredictionTarget } from '../flops/targets.ts';
