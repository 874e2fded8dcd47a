// Synthetic studies for bench/next.ts and the tests (never used on real data): "training" a plan = drawing each point's final loss
// from a known Chinchilla law L = E + A/M^α + B/D^β with multiplicative noise, so two strategies — the adaptive loop (fit → next →
// train) and the uniform ladder (one more budget per round, the same grid) — can be run from the same initial grid and compared by
// the compute each needs to bring a target's fitted interval down to a goal.
import type { LawsFile } from '../schema/laws.ts';
import type { PlanFile, GridPoint } from '../schema/plan.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan, type PlanOptions } from '../plan/grid.ts';
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../fit/fit.ts';
import { chinchillaLoss, type ChinchillaLaw } from '../fit/synthetic.ts';
import type { FitOptions, Observation } from '../fit/types.ts';
import { makeRng } from '../util/rng.ts';
import { gridContext } from './context.ts';
import { proposeNext, DEFAULT_NEXT_OPTIONS, type NextOptions } from './propose.ts';
import { adaptiveLoop } from './adaptive.ts';
import { readTarget, type NextTargetSpec } from './target.ts';

export interface SyntheticStudy {
  /** The law the runs are drawn from. */
  law: ChinchillaLaw;
  /** Multiplicative noise of one run's final loss: loss · exp(noise · z). */
  noise: number;
  /** Laws the initial grid (and the uniform ladder before any fit) are planned with. */
  prior: LawsFile;
  budgets: number[];
  plan: Partial<PlanOptions>;
  /** Fit settings of every round (bootstrap resamples, seed). */
  fit: Partial<FitOptions>;
  target: NextTargetSpec;
  goal: number;
  maxRounds: number;
  seed: number;
}

export interface StrategyResult {
  reached: boolean;
  rounds: number;
  /** FLOPs of every run, initial grid included, when the goal was reached (or when the strategy stopped). */
  totalFlops: number;
  halfWidths: number[];
  runs: number;
  /** The target's value and interval in the last fit (does the interval cover the truth?). */
  value?: number;
  interval?: [number, number];
  /** Adaptive: each round's expected half-width (the proposal's simulation) and the one its fit then gave. */
  calibration?: { expected: number; realised: number }[];
}

/** FNV-1a of a run id (a run's noise depends on the study seed and its id only). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** "Trains" grid points: the law's loss at (M, D = tokens) times exp(noise·z), z seeded by (seed, point id). */
export function simulateTraining(points: GridPoint[], law: ChinchillaLaw, noise: number, seed: number, dataset = 'synthetic'): Observation[] {
  return points.map((p) => {
    const rng = makeRng((hash32(p.id) ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0);
    return {
      runId: p.id,
      dataset,
      budget: p.budget,
      compute: p.M * p.tokens,
      scale: p.M,
      tokens: p.tokens,
      loss: chinchillaLoss(law, p.M, p.tokens) * Math.exp(noise * rng.normal()),
      lr: p.lr,
      batchTokens: p.batchTokens,
      reps: { M: p.M, sixN1: 6 * p.N1, sixN2: 6 * p.N2 },
      params: p.N1,
      source: { file: `synthetic:${p.id}`, line: 2 },
    };
  });
}

const planOptions = (s: SyntheticStudy): PlanOptions => ({ ...DEFAULT_PLAN_OPTIONS, points: 5, span: 3, ...s.plan });
const fitOf = (s: SyntheticStudy, obs: Observation[]): LawsFile =>
  fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset: 'synthetic', name: 'synthetic', bootstrap: 1000, approach3: false, ...s.fit, predict: s.target.at ? [s.target.at] : [] });
const totalFlops = (obs: Observation[]) => obs.reduce((t, o) => t + o.compute, 0);

/** The initial grid of the study, planned with the prior laws. */
export function initialPlan(s: SyntheticStudy): PlanFile {
  return makePlan(s.budgets, s.prior, 'prior', planOptions(s));
}

/** Uniform ladder: each round adds the next budget (the budgets' own log step) with the same grid, centred by the latest fit. */
export function runUniform(s: SyntheticStudy): StrategyResult {
  const first = initialPlan(s);
  let obs = simulateTraining(first.budgets.flatMap((b) => b.points), s.law, s.noise, s.seed);
  const step = s.budgets.length > 1 ? s.budgets[1] / s.budgets[0] : Math.sqrt(10);
  let C = s.budgets[s.budgets.length - 1];
  const halfWidths: number[] = [];
  for (let r = 0; ; r++) {
    const laws = fitOf(s, obs);
    const t = readTarget(laws, s.target);
    halfWidths.push(t.halfWidth);
    const last = { totalFlops: totalFlops(obs), halfWidths, runs: obs.length, value: t.value, interval: t.interval };
    if (t.halfWidth <= s.goal) return { reached: true, rounds: r, ...last };
    if (r >= s.maxRounds) return { reached: false, rounds: r, ...last };
    C = Number((C * step).toPrecision(3));
    const centre = laws.laws.scale ? laws : s.prior;
    const plan = makePlan([C], centre, 'fit', { ...planOptions(s), dataset: `u${r + 1}` });
    obs = obs.concat(simulateTraining(plan.budgets.flatMap((b) => b.points), s.law, s.noise, s.seed));
  }
}

/**
 * The adaptive loop (src/next/adaptive.ts) on the same initial grid. `spend` per round: a number of FLOPs, or {factor}: each round
 * may spend factor × the compute of every run so far (a lever arm grows geometrically; the loop still stops at the goal).
 */
export async function runAdaptiveStudy(s: SyntheticStudy, spend: number | { factor: number }, next: Partial<NextOptions> = {}): Promise<StrategyResult> {
  const first = initialPlan(s);
  let obs = simulateTraining(first.budgets.flatMap((b) => b.points), s.law, s.noise, s.seed);
  const halfWidths: number[] = [];
  let final: ReturnType<typeof readTarget> | undefined;
  const res = await adaptiveLoop(
    { rounds: s.maxRounds, spendPerRound: typeof spend === 'number' ? spend : spend.factor * totalFlops(obs), target: s.target, halfWidth: s.goal },
    {
      fit: () => {
        const laws = fitOf(s, obs);
        final = readTarget(laws, s.target);
        halfWidths.push(final.halfWidth);
        return laws;
      },
      propose: (laws, k, o) => {
        const grid = gridContext(obs, new Map(), { like: first });
        const proposal = proposeNext(
          { laws, lawsPath: 'synthetic', observations: obs, rows: new Map(), grid },
          { ...DEFAULT_NEXT_OPTIONS, ...next, spend: typeof spend === 'number' ? o.spend : spend.factor * totalFlops(obs), target: o.target, goal: o.goal, tag: `r${k}` },
        );
        return { plan: proposal.plan, proposal };
      },
      train: (plan) => {
        const added = simulateTraining(plan.budgets.flatMap((b) => b.points), s.law, s.noise, s.seed);
        obs = obs.concat(added);
        return { interrupted: false, flops: totalFlops(added) };
      },
    },
  );
  const calibration = res.rounds.slice(0, -1).flatMap((r, i) => (r.expected !== undefined ? [{ expected: r.expected, realised: res.rounds[i + 1].reading.halfWidth }] : []));
  return { reached: res.reached, rounds: res.rounds.length - 1, totalFlops: totalFlops(obs), halfWidths, runs: obs.length, value: final?.value, interval: final?.interval, calibration };
}
