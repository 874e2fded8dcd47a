// Confidence bands of fitted laws over compute: from the fit's own bands when it wrote them (details.bands), else rebuilt for a power law from its marginal intervals.
import type { FitDetails, LawsFile, PowerLaw } from '../schema/laws.ts';
import { InputError } from '../util/errors.ts';

/** The band [lo, hi] of a fitted curve at one compute value. */
export interface BandPoint {
  compute: number;
  lo: number;
  hi: number;
}

/** Optional `details.bands` a fitter may write (e.g. bootstrap percentiles of each curve over a compute grid). */
export interface FitBands {
  scale?: BandPoint[];
  data?: BandPoint[];
  loss?: BandPoint[];
}

/** Reads `details.bands.<key>` when present; malformed → InputError naming the field. */
export function storedBand(details: FitDetails | undefined, key: keyof FitBands, file?: string): BandPoint[] | undefined {
  const bands = details?.bands as Record<string, unknown> | undefined;
  if (bands === undefined) return undefined;
  const arr = bands[key];
  if (arr === undefined) return undefined;
  if (!Array.isArray(arr)) throw new InputError('expected an array of {compute, lo, hi}', { file, field: `details.bands.${key}` });
  return arr.map((p, i) => {
    const o = p as Record<string, unknown>;
    for (const f of ['compute', 'lo', 'hi']) {
      if (typeof o?.[f] !== 'number' || !Number.isFinite(o[f] as number)) throw new InputError(`expected a finite number`, { file, field: `details.bands.${key}[${i}].${f}` });
    }
    return { compute: o.compute as number, lo: o.lo as number, hi: o.hi as number };
  });
}

/**
 * Band of y = k·C^e rebuilt from the marginal intervals of k and e, in the form of a least-squares line in log space
 * (log10 y = log10 k + e·x, x = log10 C): Var ŷ(x) = Var ŷ(x̄) + Var(e)·(x − x̄)², and Var(log10 k) = Var ŷ(x̄) + Var(e)·x̄²,
 * so the half-width at the data's centre x̄ follows from the two intervals: h0² = h_k² − h_e²·x̄². Intervals are used by half-width.
 */
export function powerLawBand(law: PowerLaw, centerLog10C: number, compute: number[]): BandPoint[] | undefined {
  if (!law.ci) return undefined;
  const hk = (Math.log10(law.ci.coefficient[1]) - Math.log10(law.ci.coefficient[0])) / 2;
  const he = (law.ci.exponent[1] - law.ci.exponent[0]) / 2;
  if (!Number.isFinite(hk) || !Number.isFinite(he)) return undefined;
  const h0sq = Math.max(0, hk * hk - he * he * centerLog10C * centerLog10C);
  return compute.map((c) => {
    const x = Math.log10(c);
    const yhat = Math.log10(law.coefficient) + law.exponent * x;
    const h = Math.sqrt(h0sq + he * he * (x - centerLog10C) ** 2);
    return { compute: c, lo: Math.pow(10, yhat - h), hi: Math.pow(10, yhat + h) };
  });
}

/** Mean log10 budget of the optima the laws were fitted on (x̄ of the regression), when the file has details. */
export function fitCenter(laws: LawsFile): number | undefined {
  const used = (laws.details?.optima ?? []).filter((o) => !o.dropped && o.budget > 0);
  if (used.length === 0) return undefined;
  return used.reduce((s, o) => s + Math.log10(o.budget), 0) / used.length;
}

/** Band for a power law of a fits file: the stored one if any, else the rebuilt one (needs intervals and the fit's budgets). */
export function lawBand(laws: LawsFile, key: 'scale' | 'data', compute: number[], file?: string): BandPoint[] | undefined {
  const stored = storedBand(laws.details, key, file);
  if (stored) return stored;
  const law = laws.laws[key];
  const center = fitCenter(laws);
  if (!law || center === undefined) return undefined;
  return powerLawBand(law, center, compute);
}
