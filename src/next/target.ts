// The quantity a proposal narrows (a, b, loss at a target, M_opt at a budget): its value and interval read from a fit, and its width.
import { parseNextTarget, DEFAULT_NEXT_TARGET, type NextTargetSpec } from '../schema/settings.ts';
import type { Interval, LawsFile } from '../schema/laws.ts';

export { parseNextTarget, DEFAULT_NEXT_TARGET, type NextTargetSpec };

/** A target's reading in one fit. `halfWidth` is Infinity when the fit gives no interval (no law, no bootstrap, a failed resample set). */
export interface TargetReading {
  value?: number;
  interval?: Interval;
  /** (hi − lo) / 2 in the target's units: exponent units for a and b, loss units for loss, decades (log10) for M_opt. */
  halfWidth: number;
}

/** Units of the half-width, for tables. */
export function targetUnits(t: NextTargetSpec, laws?: LawsFile): string {
  if (t.kind === 'a' || t.kind === 'b') return 'exponent';
  if (t.kind === 'scale') return 'decades of M_opt';
  return laws?.units.loss ?? 'loss units';
}

/** The `--predict` list the fit needs so the target appears among its predictions. */
export function targetPredict(t: NextTargetSpec): string[] {
  return t.at ? [t.at] : [];
}

/** The prediction of a loss/scale target in a fit's details (labels are the --predict items as parsed, lower-cased for presets). */
function findPrediction(laws: LawsFile, t: NextTargetSpec) {
  const want = t.at!.trim();
  return laws.details?.predictions?.find((p) => p.label === want || p.label === want.toLowerCase());
}

/** Reads the target's value and interval from a fit. */
export function readTarget(laws: LawsFile, t: NextTargetSpec): TargetReading {
  const half = (iv: Interval | undefined) => (iv && Number.isFinite(iv[0]) && Number.isFinite(iv[1]) ? (iv[1] - iv[0]) / 2 : Infinity);
  if (t.kind === 'a' || t.kind === 'b') {
    const law = t.kind === 'a' ? laws.laws.scale : laws.laws.data;
    return { value: law?.exponent, interval: law?.ci?.exponent, halfWidth: half(law?.ci?.exponent) };
  }
  const p = findPrediction(laws, t);
  if (!p) return { halfWidth: Infinity };
  if (t.kind === 'loss') return { value: p.loss, interval: p.lossInterval, halfWidth: half(p.lossInterval) };
  const iv = p.scaleInterval;
  const ok = iv && iv[0] > 0 && iv[1] > 0;
  return { value: p.scale, interval: iv, halfWidth: ok ? (Math.log10(iv[1]) - Math.log10(iv[0])) / 2 : Infinity };
}

/** One line: 'a = 0.500 [0.165, 0.924] (±0.380)'. */
export function describeReading(t: NextTargetSpec, r: TargetReading): string {
  const name = t.kind === 'a' ? 'a' : t.kind === 'b' ? 'b' : t.spec;
  const fmt = (x: number) => (t.kind === 'scale' ? x.toExponential(2) : x.toFixed(3));
  if (r.value === undefined) return `${name}: not fitted`;
  const iv = r.interval ? ` [${fmt(r.interval[0])}, ${fmt(r.interval[1])}]` : ' (no interval)';
  const hw = Number.isFinite(r.halfWidth) ? ` (±${r.halfWidth.toFixed(3)}${t.kind === 'scale' ? ' decades' : ''})` : '';
  return `${name} = ${fmt(r.value)}${iv}${hw}`;
}

/** The default target spec, parsed. */
export function defaultTarget(): NextTargetSpec {
  return parseNextTarget(DEFAULT_NEXT_TARGET, { field: '--target' });
}
