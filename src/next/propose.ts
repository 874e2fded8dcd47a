// `scaling next`: the runs that shrink the target's interval most per FLOP, chosen greedily within the spend.
// Each step lists the candidates the design allows (candidates.ts), ranks them by the linearised variance per FLOP (fisher.ts),
// simulates the best few of each kind through the real fitter (simulate.ts), and keeps the one whose expected gain in half-width,
// less one standard error of that gain, per FLOP is largest. It stops at the spend, at --max-runs, at the goal half-width, or when
// no candidate is expected to help. The chosen runs become a plan file that `scaling train` (and export/slurm) take as is.
import type { LawsFile } from '../schema/laws.ts';
import { allPoints, type BudgetPlan, type GridPoint, type PlanFile } from '../schema/plan.ts';
import type { RunRow } from '../schema/runs.ts';
import type { ModelShape } from '../flops/shape.ts';
import { parseTargets } from '../flops/targets.ts';
import { scalePerToken } from '../flops/flops.ts';
import { planFile } from '../plan/grid.ts';
import { dataHash } from '../fit/fit.ts';
import type { Observation } from '../fit/types.ts';
import { InputError } from '../util/errors.ts';
import { sci } from '../util/format.ts';
import { budgetCurves, estimateNoise, type NoiseEstimate } from './curves.ts';
import { buildModel, type IsoflopModel } from './model.ts';
import { targetVariance, type DesignBudget, type LinearTarget } from './fisher.ts';
import { addToDesign, candidatesFor, observedDesign, type Candidate, type CandidateKind, type CandidateOptions, type DesignState, type SimRun } from './candidates.ts';
import { mean, pairedGain, quantileOf, simulate, type SimSetup } from './simulate.ts';
import { readTarget, targetUnits, type NextTargetSpec, type TargetReading } from './target.ts';
import type { GridContext } from './context.ts';

export interface NextOptions {
  /** Extra compute to spend, FLOPs (in the fit's representation: scale × tokens). */
  spend: number;
  target: NextTargetSpec;
  /** At most this many new runs. */
  maxRuns: number;
  /** Simulations per candidate and step (common random numbers across candidates). */
  simulations: number;
  /** Simulations of the final proposal (before and after), for the reported intervals. */
  finalSimulations: number;
  /** Bootstrap resamples per simulated refit. */
  bootstrap: number;
  seed: number;
  /** Stop adding runs once the expected half-width is at most this. */
  goal?: number;
  /** Loss noise σ per run, instead of the residual estimate; σ between seeds, instead of the replicates'. */
  noise?: number;
  seedNoise?: number;
  /** Candidates simulated per step (the linearised ranking picks them). */
  shortlist: number;
  /** Offer a budget below the smallest. */
  smaller: boolean;
  /** Tag in the new run ids (default: the first 6 hex digits of the data hash). */
  tag?: string;
  log?: (line: string) => void;
  /** Log every simulated candidate's gain, not only the chosen ones. */
  verbose?: boolean;
}

export const DEFAULT_NEXT_OPTIONS: Omit<NextOptions, 'spend' | 'target'> = {
  maxRuns: 12, simulations: 8, finalSimulations: 24, bootstrap: 200, seed: 1, shortlist: 6, smaller: false,
};

export interface NextInput {
  laws: LawsFile;
  /** Path of the fits file (recorded in the plan). */
  lawsPath: string;
  observations: Observation[];
  rows: Map<string, RunRow>;
  grid: GridContext;
  notes?: string[];
  /** The plan the runs came from: new points of its budgets are indexed after its own (so the two plans merge without clashes). */
  basePlan?: PlanFile;
}

export interface ProposedRun {
  id: string;
  kind: CandidateKind;
  budget: number;
  shape: ModelShape;
  /** Scale in the fit's representation. */
  scale: number;
  tokens: number;
  flops: number;
  batchTokens: number;
  lr: number;
  seed: number;
  why: string;
  /** Expected half-width once this run and every run before it are trained (mean over simulations at the step it was chosen). */
  expectedHalfWidth: number;
}

export interface IntervalForecast {
  /** Mean half-width over the simulations, and the 10% and 90% quantiles. */
  halfWidth: number;
  p10: number;
  p90: number;
  sims: number[];
}

export interface NextProposal {
  target: NextTargetSpec;
  units: string;
  /** The target as the fits file states it. */
  fit: TargetReading;
  /** Refits of the current runs at the simulation's settings (bootstrap seeds as in `after`). */
  before: IntervalForecast;
  after: IntervalForecast;
  /** 1 − after/before (mean half-widths). */
  narrowing: number;
  spend: number;
  spent: number;
  runs: ProposedRun[];
  plan?: PlanFile;
  noise: NoiseEstimate;
  /** Why the selection stopped. */
  stopped: 'spend' | 'max-runs' | 'goal' | 'no-gain' | 'goal-met';
  notes: string[];
  settings: { simulations: number; finalSimulations: number; bootstrap: number; seed: number; shortlist: number };
  seconds: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** The linear target of the Fisher shortlist (compute of a loss/M_opt target in the fit's representation). */
function linearTarget(t: NextTargetSpec, laws: LawsFile): LinearTarget {
  if (t.kind === 'a' || t.kind === 'b') return { kind: t.kind };
  const pt = parseTargets([t.at!])[0];
  const compute = pt.kind === 'budget' ? pt.compute! : scalePerToken(pt.shape!, laws.representation) * pt.tokens!;
  return { kind: t.kind, compute };
}

function designOf(state: DesignState): DesignBudget[] {
  return [...state.budgets].map(([budget, points]) => ({ budget, points }));
}

/** Half-width counted for a refit without an interval: wide enough to lose against any real interval. */
function capFor(t: NextTargetSpec, fit: TargetReading): number {
  const base = t.kind === 'a' || t.kind === 'b' ? 1 : t.kind === 'scale' ? 3 : 1;
  return Math.max(base, Number.isFinite(fit.halfWidth) ? 2 * fit.halfWidth : 0);
}

function forecast(sims: number[]): IntervalForecast {
  return { halfWidth: mean(sims), p10: quantileOf(sims, 0.1), p90: quantileOf(sims, 0.9), sims };
}

/** Linearised gain per FLOP of each candidate; the best few of each kind go on to simulation. */
function shortlist(cands: Candidate[], state: DesignState, model: IsoflopModel, noise: { sigma2: number; seedSigma2: number }, lt: LinearTarget, size: number): Candidate[] {
  const v0 = targetVariance(designOf(state), model, noise, lt);
  const scored = cands.map((c) => {
    const v1 = targetVariance(designOf(addToDesign(state, c)), model, noise, lt);
    const score = Number.isFinite(v0) ? (v0 - v1) / c.cost : Number.isFinite(v1) ? 1 / (v1 * c.cost) : 0;
    return { c, score };
  });
  scored.sort((p, q) => q.score - p.score);
  const pick: Candidate[] = [];
  const take = (list: typeof scored, n: number) => {
    for (const s of list) if (pick.length < size && n-- > 0 && !pick.includes(s.c)) pick.push(s.c);
  };
  // Diversity: the best new budget of each grid size (the linearised ranking cannot know which the fitter accepts, e.g. whether
  // 3 models resolve a minimum), the best point per budget, the best seed; then the rest by score.
  const budgets = scored.filter((s) => s.c.kind === 'budget');
  const bySize = new Map<number, (typeof scored)[number]>();
  for (const s of budgets) if (!bySize.has(s.c.runs.length)) bySize.set(s.c.runs.length, s);
  take([...bySize.values()], Math.max(1, Math.floor(size / 2)));
  const bestPerBudget = new Map<number, (typeof scored)[number]>();
  for (const s of scored) if (s.c.kind === 'point' && !bestPerBudget.has(s.c.budget)) bestPerBudget.set(s.c.budget, s);
  take([...bestPerBudget.values()], size - pick.length - (scored.some((s) => s.c.kind === 'seed') ? 1 : 0));
  take(scored.filter((s) => s.c.kind === 'seed'), 1);
  take(scored, size);
  return pick;
}

/** Run ids: '<dataset>-C<budget>-next<tag>-<k>-L<n>-d<d>'; a new seed of run P is P-s<k> (src/plan/replicas.ts). Unique against the runs. */
function runId(prefix: string, tag: string, p: GridPoint, k: number): string {
  const c = p.budget.toExponential(2).replace('e+', 'e');
  return `${prefix}C${c}-next${tag}-${String(k).padStart(2, '0')}-L${p.shape.nLayer}-d${p.shape.dModel}`;
}

/** Proposes the next runs for a fit and its runs. */
export function proposeNext(input: NextInput, opts: NextOptions): NextProposal {
  const t0 = performance.now();
  const o = { ...DEFAULT_NEXT_OPTIONS, ...opts };
  const log = o.log ?? (() => {});
  if (!(o.spend > 0) || !Number.isFinite(o.spend)) throw new InputError(`must be a finite number of FLOPs > 0, got ${o.spend}`, { field: '--spend' });
  const { laws, observations } = input;
  const notes = [...(input.notes ?? [])];
  const curves = budgetCurves(observations, laws);
  const noise = estimateNoise(observations, laws.units.loss, o.noise, o.seedNoise);
  const model = buildModel(laws, curves);
  const fitReading = readTarget(laws, o.target);
  const setup: SimSetup = { laws, observations, model, noise, target: o.target, bootstrap: o.bootstrap, seed: o.seed, cap: capFor(o.target, fitReading) };
  const lt = linearTarget(o.target, laws);
  const fNoise = { sigma2: noise.sigma ** 2, seedSigma2: noise.seedSigma !== undefined ? Math.min(noise.seedSigma, noise.sigma) ** 2 : 0 };
  const spans = curves.filter((c) => c.groups.length >= 2).map((c) => (c.groups[c.groups.length - 1].x - c.groups[0].x) / 2);
  const copts: CandidateOptions = {
    laws, model, grid: input.grid,
    pointsPerBudget: Math.max(3, Math.min(9, median(curves.map((c) => c.groups.length)))),
    span: Math.max(1.5, 10 ** (spans.length ? median(spans) : 0.5)),
    smaller: o.smaller,
    seeds: noise.seedSigma !== undefined && noise.seedSigma > 0,
    observations, rows: input.rows,
  };
  if (!copts.seeds) notes.push('no replicate runs (same shape, other seed) and no --seed-noise: the seed noise is unknown, so no extra seeds are proposed');
  if (model.scaleFrom === 'rough') notes.push('the fit has no scale law: budgets are centred on a power law through each budget\'s rough optimum (quadratic vertex near the data, else its best run)');
  for (const c of curves) {
    const from = model.curveAt(c.budget).from;
    if (from === 'laws') notes.push(`budget ${sci(c.budget)}: its optimum is not bracketed (or was dropped): its simulated curve is centred on the scale law instead`);
  }

  const baseline = simulate(setup, [], o.simulations);
  let cur = baseline;
  let nSim = o.simulations;
  log(`before: expected half-width ${mean(cur).toFixed(4)} (${o.simulations} refits of the current runs, ${o.bootstrap} resamples each)`);
  let state = observedDesign(observations);
  const chosen: Candidate[] = [];
  const expected: number[] = [];
  let spent = 0;
  let nRuns = 0;
  let stopped: NextProposal['stopped'] = 'no-gain';
  // The goal is about the fit's own interval: the simulations (fewer resamples, other bootstrap seeds) are scaled by the ratio of
  // the fit's half-width to their refit of the same runs before they are compared with it.
  const toFit = Number.isFinite(fitReading.halfWidth) && mean(baseline) > 0 ? fitReading.halfWidth / mean(baseline) : 1;
  const goalMet = (sims: number[]) => o.goal !== undefined && mean(sims) * toFit <= o.goal;
  if (o.goal !== undefined && fitReading.halfWidth <= o.goal) stopped = 'goal-met';
  else {
    for (;;) {
      if (nRuns >= o.maxRuns) {
        stopped = 'max-runs';
        break;
      }
      const all = candidatesFor(state, copts);
      const affordable = all.filter((c) => c.cost <= o.spend - spent && nRuns + c.runs.length <= o.maxRuns);
      if (affordable.length === 0) {
        stopped = all.some((c) => c.cost <= o.spend - spent) ? 'max-runs' : 'spend';
        break;
      }
      const list = shortlist(affordable, state, model, fNoise, lt, o.shortlist);
      const simRuns = chosen.flatMap((c) => c.runs);
      // Score: the expected gain less one standard error, per FLOP. The first run of a proposal needs only a positive expected gain
      // (a proposal of nothing helps no one while a goal is unmet); later runs must clear the standard error. When no candidate
      // shows a positive gain for the first run, the step is simulated once more with twice the simulations before giving up.
      type Scored = { c: Candidate; sims: number[]; score: number; gain: number; se: number };
      let best: Scored | undefined;
      for (let attempt = 0; ; attempt++) {
        best = undefined;
        let bestMean: Scored | undefined;
        for (const c of list) {
          const sims = simulate(setup, [...simRuns, ...c.runs], nSim);
          const { gain, se } = pairedGain(cur, sims);
          const e: Scored = { c, sims, score: (gain - se) / c.cost, gain, se };
          if (o.verbose) log(`    ${c.kind} ${c.why} cost ${sci(c.cost)} gain ${gain.toFixed(4)} ± ${se.toFixed(4)}`);
          if (!best || e.score > best.score) best = e;
          if (!bestMean || e.gain / c.cost > bestMean.gain / bestMean.c.cost) bestMean = e;
        }
        if ((!best || !(best.score > 0)) && chosen.length === 0 && bestMean && bestMean.gain > 0) best = bestMean;
        const found = !!best && (best.score > 0 || (chosen.length === 0 && best.gain > 0));
        if (found || chosen.length > 0 || attempt > 0) break;
        nSim *= 2;
        cur = simulate(setup, simRuns, nSim);
        log(`no candidate expected to help in ${nSim / 2} simulations: trying ${nSim}`);
      }
      if (!best || !(best.score > 0 || (chosen.length === 0 && best.gain > 0))) {
        stopped = 'no-gain';
        break;
      }
      chosen.push(best.c);
      state = addToDesign(state, best.c);
      cur = best.sims;
      spent += best.c.cost;
      nRuns += best.c.runs.length;
      expected.push(mean(cur));
      log(`step ${chosen.length}: ${best.c.why}: ${sci(best.c.cost)} FLOPs, expected half-width ${mean(cur).toFixed(4)} (gain ${best.gain.toFixed(4)} ± ${best.se.toFixed(4)})`);
      if (goalMet(cur)) {
        stopped = 'goal';
        break;
      }
    }
  }

  // The reported intervals: fresh simulations when more are asked than the selection used, else the selection's own (no extra fits).
  const allRuns: SimRun[] = chosen.flatMap((c) => c.runs);
  const more = o.finalSimulations > nSim;
  const before = forecast(more ? simulate(setup, [], o.finalSimulations) : !chosen.length ? cur : nSim === o.simulations ? baseline : simulate(setup, [], nSim));
  const after = chosen.length ? forecast(more ? simulate(setup, allRuns, o.finalSimulations) : cur) : before;

  // Run ids and the plan file.
  const tag = o.tag ?? dataHash(observations).slice(0, 6);
  if (!/^[A-Za-z0-9._-]*$/.test(tag)) throw new InputError(`must be filesystem-safe (letters, digits, . _ -), got ${JSON.stringify(tag)}`, { field: '--tag' });
  const safeDs = laws.dataset.replace(/[^A-Za-z0-9._-]+/g, '-');
  const prefix = observations.length && observations.every((x) => x.runId.startsWith(`${safeDs}-`)) ? `${safeDs}-` : '';
  const existing = new Set([...observations.map((x) => x.runId), ...(input.basePlan ? allPoints(input.basePlan).map((q) => q.id) : [])]);
  const indexBase = (budget: number) => {
    const b = input.basePlan?.budgets.find((x) => Math.abs(x.budget - budget) <= 1e-9 * budget);
    return b && b.points.length ? Math.max(...b.points.map((q) => q.index)) + 1 : 0;
  };
  const perBudget = new Map<number, { header: Candidate['header']; points: GridPoint[] }>();
  const runs: ProposedRun[] = [];
  chosen.forEach((c, step) => {
    const entry = perBudget.get(c.budget) ?? { header: c.header, points: [] };
    perBudget.set(c.budget, entry);
    for (const r of c.runs) {
      const k = entry.points.length;
      const id = c.kind === 'seed' ? r.point.id : runId(prefix, tag, r.point, k);
      if (existing.has(id)) throw new InputError(`run id ${id} already exists among the runs: choose another --tag`, { field: '--tag' });
      existing.add(id);
      const point: GridPoint = { ...r.point, id, index: indexBase(c.budget) + k };
      entry.points.push(point);
      runs.push({
        id, kind: c.kind, budget: c.budget, shape: point.shape, scale: 10 ** r.x, tokens: point.tokens, flops: point.flops,
        batchTokens: point.batchTokens, lr: point.lr, seed: point.seed, why: c.why, expectedHalfWidth: expected[step],
      });
    }
  });
  let plan: PlanFile | undefined;
  if (runs.length) {
    const g = input.grid.plan;
    const budgets: BudgetPlan[] = [...perBudget.values()].map((e) => ({ ...e.header, points: e.points }));
    plan = planFile(laws, input.lawsPath, {
      points: copts.pointsPerBudget, span: copts.span, seqLen: g.seqLen, vocab: g.vocab, schedule: g.schedule, warmup: g.warmup, seed: g.seed,
      ...(g.dataset ? { dataset: g.dataset } : {}),
      ...(g.stages ? { stages: g.stages } : {}),
      kvGroup: g.kvGroup, tp: g.tp, pp: g.pp, headSize: g.headSize, multipleOf: g.multipleOf,
    } as PlanFile['options'], budgets);
  }
  return {
    target: o.target,
    units: targetUnits(o.target, laws),
    fit: fitReading,
    before,
    after,
    narrowing: before.halfWidth > 0 ? 1 - after.halfWidth / before.halfWidth : 0,
    spend: o.spend,
    spent,
    runs,
    ...(plan ? { plan } : {}),
    noise,
    stopped,
    notes,
    settings: { simulations: o.simulations, finalSimulations: Math.max(o.finalSimulations, nSim), bootstrap: o.bootstrap, seed: o.seed, shortlist: o.shortlist },
    seconds: (performance.now() - t0) / 1000,
  };
}
