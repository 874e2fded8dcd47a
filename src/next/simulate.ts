// Seeded simulation of runs not trained yet: draw each run's loss from the current fit's IsoFLOP model plus its noise, refit with
// the real fitter (fitObservations: the same optima, power laws and bootstrap as `scaling fit`), and read the target's interval.
// Common random numbers: a run's noise in simulation s depends only on (s, the run), so two candidate designs sharing a run see the
// same draw, and their difference is measured with far less noise than two independent draws would give.
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../fit/fit.ts';
import type { FitOptions, Observation } from '../fit/types.ts';
import type { LawsFile } from '../schema/laws.ts';
import { scalePerToken } from '../flops/flops.ts';
import { makeRng } from '../util/rng.ts';
import { InputError } from '../util/errors.ts';
import type { SimRun } from './candidates.ts';
import type { NoiseEstimate } from './curves.ts';
import type { IsoflopModel } from './model.ts';
import { readTarget, targetPredict, type NextTargetSpec } from './target.ts';

export interface SimSetup {
  laws: LawsFile;
  observations: Observation[];
  model: IsoflopModel;
  noise: NoiseEstimate;
  target: NextTargetSpec;
  /** Bootstrap resamples per simulated refit. */
  bootstrap: number;
  seed: number;
  /** Half-width counted for a refit that gives no interval (e.g. a budget dropped, a law not fitted). */
  cap: number;
}

/** The fit options of the fit being extended (provenance.options), with the target predicted, this bootstrap and no approach 3. */
export function simFitOptions(laws: LawsFile, target: NextTargetSpec, bootstrap: number, seed: number): FitOptions {
  const recorded = { ...((laws.provenance.options ?? {}) as Record<string, unknown>) };
  delete recorded.input;
  return {
    ...DEFAULT_FIT_OPTIONS,
    dataset: laws.dataset,
    name: laws.name,
    representation: laws.representation,
    lossUnits: laws.units.loss,
    ...(recorded as Partial<FitOptions>),
    ciLevel: laws.ciLevel ?? (recorded.ciLevel as number | undefined) ?? DEFAULT_FIT_OPTIONS.ciLevel,
    bootstrap,
    seed,
    predict: targetPredict(target),
    holdoutLargest: 0,
    // Approach 3 enters none of the targets (a, b, M_opt and the loss curve come from approach 2) and is the slow part of a fit.
    approach3: false,
  };
}

/** FNV-1a of a string (a run's key → its noise stream). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One simulated loss. A new seed of an observed run keeps that shape's estimated offset from the curve (its share of the residual). */
export function drawLoss(run: SimRun, setup: SimSetup, sim: number): number {
  const rng = makeRng((hash32(run.key) ^ Math.imul(sim + 1, 0x9e3779b1)) >>> 0);
  const { sigma, seedSigma } = setup.noise;
  const mean = setup.model.loss(run.point.budget, run.x);
  if (run.replicaOf && seedSigma !== undefined && seedSigma < sigma) {
    // Gaussian conditioning: residual r = shape offset (variance σ² − σ_s²) + seed noise (σ_s²); E[offset | r] = r·(σ² − σ_s²)/σ².
    const s2 = sigma * sigma;
    const shape2 = s2 - seedSigma * seedSigma;
    const r = run.replicaOf.loss - setup.model.loss(run.point.budget, Math.log10(run.replicaOf.scale));
    const offset = (r * shape2) / s2 + Math.sqrt((shape2 * seedSigma * seedSigma) / s2) * rng.normal();
    return mean + offset + seedSigma * rng.normal();
  }
  return mean + sigma * rng.normal();
}

/** A simulated run as the fitter sees it. */
export function simObservation(run: SimRun, loss: number, laws: LawsFile): Observation {
  const p = run.point;
  const scale = scalePerToken(p.shape, laws.representation);
  return {
    runId: `sim-${run.key}`,
    dataset: laws.dataset,
    budget: p.budget,
    compute: scale * p.tokens,
    scale,
    tokens: p.tokens,
    loss,
    lr: p.lr,
    batchTokens: p.batchTokens,
    reps: { M: p.M, sixN1: 6 * p.N1, sixN2: 6 * p.N2 },
    params: laws.representation === '6N2' ? p.N2 : p.N1,
    source: { file: 'simulated', line: 0 },
  };
}

/** Half-width of the target after adding `runs`, in each of `sims` simulations (simulation s uses bootstrap seed setup.seed + s). */
export function simulate(setup: SimSetup, runs: SimRun[], sims: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < sims; s++) {
    const added = runs.map((r) => simObservation(r, drawLoss(r, setup, s), setup.laws));
    const opts = simFitOptions(setup.laws, setup.target, setup.bootstrap, setup.seed + s);
    let hw: number;
    try {
      hw = readTarget(fitObservations([...setup.observations, ...added], opts), setup.target).halfWidth;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      hw = Infinity;
    }
    out.push(Number.isFinite(hw) ? Math.min(hw, setup.cap) : setup.cap);
  }
  return out;
}

export const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/** Mean and standard error of paired differences a[s] − b[s]. */
export function pairedGain(before: number[], after: number[]): { gain: number; se: number } {
  const d = before.map((v, i) => v - after[i]);
  const m = mean(d);
  const sd = d.length > 1 ? Math.sqrt(d.reduce((s, v) => s + (v - m) ** 2, 0) / (d.length - 1)) : 0;
  return { gain: m, se: sd / Math.sqrt(d.length) };
}

/** The p-quantile of values (linear interpolation). */
export function quantileOf(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  return v[lo] + (h - lo) * ((v[Math.min(v.length - 1, lo + 1)] ?? v[lo]) - v[lo]);
}
