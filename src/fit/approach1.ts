// Approach 1 (Chinchilla): the envelope of the training curves — at each compute level the lowest loss any run reached (linear
// interpolation in log compute along each curve) — and power laws of the winning run's scale and tokens against compute. Levels won
// by the smallest or largest model are left out (with a warning): the true optimum may lie outside the sampled sizes there.
import type { FitWarning, PowerLaw } from '../schema/laws.ts';
import type { Observation } from './types.ts';
import { fitPowerLaw } from './powerlaw.ts';
import { minOf, maxOf } from '../util/arrays.ts';

export interface EnvelopePoint {
  compute: number;
  loss: number;
  scale: number;
}

export interface Approach1Result {
  scale: PowerLaw;
  data: PowerLaw;
  envelope: EnvelopePoint[];
  warnings: FitWarning[];
}

/** Loss of one curve at compute c by linear interpolation in log10 compute; undefined outside the curve's range. */
export function curveLossAt(curve: { compute: number; loss: number }[], c: number): number | undefined {
  if (curve.length === 0 || c < curve[0].compute || c > curve[curve.length - 1].compute) return undefined;
  const lc = Math.log10(c);
  for (let i = 1; i < curve.length; i++) {
    if (c <= curve[i].compute) {
      const x0 = Math.log10(curve[i - 1].compute);
      const x1 = Math.log10(curve[i].compute);
      if (x1 === x0) return Math.min(curve[i - 1].loss, curve[i].loss);
      const t = (lc - x0) / (x1 - x0);
      return curve[i - 1].loss + t * (curve[i].loss - curve[i - 1].loss);
    }
  }
  return curve[curve.length - 1].loss;
}

/** The envelope at `levels` log-spaced compute values spanning every curve, then scale_opt = k·C^a and D_opt = C/scale_opt = k'·C^b. */
export function approach1(obs: Observation[], levels = 40): Approach1Result | undefined {
  const runs = obs.filter((o) => o.curve && o.curve.length >= 2).map((o) => ({ scale: o.scale, curve: [...o.curve!].sort((p, q) => p.compute - q.compute) }));
  if (runs.length < 2) return undefined;
  const warnings: FitWarning[] = [];
  const lo = minOf(runs.map((r) => r.curve[0].compute));
  const hi = maxOf(runs.map((r) => r.curve[r.curve.length - 1].compute));
  const envelope: EnvelopePoint[] = [];
  for (let k = 0; k < levels; k++) {
    const c = lo * Math.pow(hi / lo, levels === 1 ? 1 : k / (levels - 1));
    let best: EnvelopePoint | undefined;
    for (const r of runs) {
      const l = curveLossAt(r.curve, c);
      if (l !== undefined && (!best || l < best.loss)) best = { compute: c, loss: l, scale: r.scale };
    }
    if (best) envelope.push(best);
  }
  // Levels won by the smallest or the largest model are not bracketed (a smaller or larger model might have won): dropped.
  const smallest = minOf(runs.map((r) => r.scale));
  const largest = maxOf(runs.map((r) => r.scale));
  const edge = envelope.filter((e) => e.scale === smallest || e.scale === largest).length;
  if (edge > 0) {
    warnings.push({ code: 'approach1-edge', message: `approach 1: ${edge} of ${envelope.length} envelope levels are won by the smallest or largest model (not bracketed) and left out`, action: 'train smaller and larger models so every compute level is won by an interior size' });
    envelope.splice(0, envelope.length, ...envelope.filter((e) => e.scale !== smallest && e.scale !== largest));
  }
  const distinct = new Set(envelope.map((e) => e.scale)).size;
  if (distinct < 3) warnings.push({ code: 'approach1-few-scales', message: `approach 1: the envelope is won by only ${distinct} distinct model scale${distinct === 1 ? '' : 's'}; its exponent is unreliable`, action: 'train more sizes with overlapping compute' });
  if (distinct < 2) return undefined;
  const scale = fitPowerLaw(envelope.map((e) => e.compute), envelope.map((e) => e.scale));
  const data = fitPowerLaw(envelope.map((e) => e.compute), envelope.map((e) => e.compute / e.scale));
  if (!scale || !data) return undefined;
  return { scale, data, envelope, warnings };
}
