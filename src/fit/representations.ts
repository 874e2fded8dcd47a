// Representation comparison (paper App. A.2): refit approach 2 and the loss curve with the model scale counted as M, 6·N1 or 6·N2
// (compute = scale × tokens, budgets kept) and predict the 7B/67B loss under each — M should predict best.
import type { FitDetails, FitWarning } from '../schema/laws.ts';
import { REPRESENTATIONS, type Representation } from '../flops/flops.ts';
import type { Observation } from './types.ts';
import { approach2, type OptimumMethod } from './approach2.ts';
import { fitLossCurve } from './losscurve.ts';
import { predictOne, type FitTarget } from './predict.ts';

const KEY: Record<Representation, 'M' | 'sixN1' | 'sixN2'> = { M: 'M', '6N1': 'sixN1', '6N2': 'sixN2' };

/** Observations re-expressed in another representation: scale = that FLOPs/token, compute = scale × tokens. */
export function inRepresentation(obs: Observation[], rep: Representation): Observation[] {
  return obs.map((o) => {
    const scale = o.reps![KEY[rep]];
    return { ...o, scale, compute: scale * o.tokens };
  });
}

/**
 * For each representation: approach 2 per budget with D_opt interpolated at the vertex (the runs of a budget no longer share one
 * compute once the scale changes), power laws against C_opt = scale_opt·D_opt, the loss curve, and the targets' predictions.
 * Undefined unless every observation carries its representations.
 */
export function compareRepresentations(
  obs: Observation[],
  window: number,
  targets: FitTarget[],
  opts: { method?: OptimumMethod; keepUnbracketed?: boolean } = {},
): { entries?: NonNullable<FitDetails['representations']>; warnings: FitWarning[] } {
  const warnings: FitWarning[] = [];
  if (obs.length === 0 || !obs.every((o) => o.reps)) return { warnings };
  const entries: NonNullable<FitDetails['representations']> = [];
  for (const rep of REPRESENTATIONS) {
    const r = approach2(inRepresentation(obs, rep), { window, dataAt: 'interpolate', method: opts.method, keepUnbracketed: opts.keepUnbracketed });
    if (!r.scale || !r.data) {
      warnings.push({ code: 'representation-failed', message: `representation ${rep}: allocation laws could not be fitted`, action: 'see the approach-2 warnings' });
      continue;
    }
    const keep = r.used.map((u, i) => (u ? i : -1)).filter((i) => i >= 0);
    const loss = fitLossCurve(keep.map((i) => r.computeOpt[i]), keep.map((i) => r.optima[i].lossOpt));
    const predictions = targets.filter((t) => t.kind !== 'point').map((t) => predictOne(t, { scale: r.scale, loss: loss?.law }, rep)).filter((p) => p !== undefined);
    entries.push({ representation: rep, scale: r.scale, data: r.data, ...(loss ? { loss: loss.law } : {}), predictions });
  }
  return { entries, warnings };
}
