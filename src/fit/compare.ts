// Is one dataset's exponent larger than another's? An interval on the difference a_A − a_B (paper §3.2: better data → larger a)
// from the two fits' bootstrap draws. The datasets are independent, so the difference's distribution is that of a_A − a_B with the
// two drawn independently: B's draws are paired with A's through a seeded random permutation (fits bootstrapped with the same seed
// would otherwise pair correlated draws).
import { InputError } from '../util/errors.ts';
import type { Interval, LawsFile } from '../schema/laws.ts';
import { makeRng } from '../util/rng.ts';
import { percentileInterval } from './bootstrap.ts';

export interface ExponentDifference {
  /** 'a' (M_opt ∝ C^a) or 'b' (D_opt ∝ C^b). */
  exponent: 'a' | 'b';
  labels: [string, string];
  /** Point estimate: the two fits' exponents subtracted. */
  difference: number;
  interval: Interval;
  level: number;
  /** Share of paired draws with A's exponent above B's. */
  shareGreater: number;
  draws: number;
  /** True when the interval excludes 0. */
  significant: boolean;
}

/** a_A − a_B (or b) with a percentile interval over paired bootstrap draws; throws when a fit has no draws (refit with --bootstrap). */
export function compareExponents(A: LawsFile, B: LawsFile, exponent: 'a' | 'b' = 'a', opts: { level?: number; seed?: number } = {}): ExponentDifference {
  const key = exponent === 'a' ? 'scale' : 'data';
  const lawA = A.laws[key];
  const lawB = B.laws[key];
  const dA = A.details?.bootstrap?.draws?.[exponent];
  const dB = B.details?.bootstrap?.draws?.[exponent];
  for (const [f, law, d] of [[A, lawA, dA], [B, lawB, dB]] as const) {
    if (!law) throw new InputError(`fit '${f.name}' has no ${key} law to compare`, { field: `laws.${key}` });
    if (!d || d.length < 20) throw new InputError(`fit '${f.name}' keeps no bootstrap draws of ${exponent} (refit it with --bootstrap ≥ 20)`, { field: 'details.bootstrap.draws' });
  }
  const rng = makeRng(opts.seed ?? 7);
  const b = [...dB!];
  for (let i = b.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [b[i], b[j]] = [b[j], b[i]];
  }
  const n = Math.min(dA!.length, b.length);
  const diffs = Array.from({ length: n }, (_, i) => dA![i] - b[i]);
  const level = opts.level ?? A.ciLevel ?? 0.95;
  const interval = percentileInterval(diffs, level);
  return {
    exponent, labels: [A.name, B.name], difference: lawA!.exponent - lawB!.exponent, interval, level,
    shareGreater: diffs.filter((d) => d > 0).length / n, draws: n, significant: interval[0] > 0 || interval[1] < 0,
  };
}
