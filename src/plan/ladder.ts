// Token ladders (docs/ladder.md): one shape trained for several token budgets that share the multi-step schedule's stage 1 (paper
// §2.2, Fig. 1): the ladder plan, the ladders found among any plan's points, the trunk as a trainable point, and the compute saved.
import { computeFlops, scaleCounts, scalePerToken, type Representation } from '../flops/flops.ts';
import type { ModelShape } from '../flops/shape.ts';
import { evalPowerLaw, type LawsFile } from '../schema/laws.ts';
import { allPoints, validatePlan, type BudgetPlan, type GridPoint, type LadderSpec, type PlanFile } from '../schema/plan.ts';
import { DEFAULT_STAGES, type ScheduleName } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { hyperparameters, planFile } from './grid.ts';
import { ladderWarmupSteps, makeSchedule, stagesOf } from './schedule.ts';

/** A ladder plan: one shape, its rungs (token or compute budgets), the seeds, schedules and multi-step stage ratios to train. */
export interface LadderPlanOptions {
  shape: ModelShape;
  /** Rungs as training tokens (each rounded to whole batches); or give `budgets`. */
  tokens?: number[];
  /** Rungs as compute budgets C (FLOPs, in the laws' representation): D = C / scale, rounded to whole batches, within 1% of C. */
  budgets?: number[];
  /** One ladder per seed (a seed fixes the init and the data order, so each seed has its own trunk). */
  seeds: number[];
  /** 'multistep' rungs branch from the trunk; 'cosine' and 'constant' rungs (no shared prefix) are planned from scratch, for comparison. */
  schedules: ScheduleName[];
  /** Multi-step stage ratios ('80/10/10', '70/15/15', …): every ratio of a seed branches from the same trunk (stage 1 is all peak LR). */
  stages: string[];
  /** Warm-up rule, resolved once to a step count for every rung (ladderWarmupSteps). */
  warmup: string;
  /** Override Eq. 1's batch size (tokens) / peak LR; default: Eq. 1 of the laws at the largest rung's compute. */
  batchTokens?: number;
  lr?: number;
  /** Label prefixed to ids (a plan per dataset). */
  dataset?: string;
}

const tag = (x: number) => x.toExponential(2).replace('e+', 'e');
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

/** The id of a rung: dataset, shape, tokens, schedule (with its stage ratios) and seed, e.g. 'curated-L2-d24-D2.00e6-ms80-10-10-s0'. */
export function rungId(prefix: string, shape: ModelShape, tokens: number, schedule: ScheduleName, stages: string | undefined, seed: number): string {
  const sched = schedule === 'multistep' ? `ms${(stages ?? DEFAULT_STAGES).replace(/\//g, '-')}` : schedule === 'cosine' ? 'cos' : 'const';
  return `${prefix}L${shape.nLayer}-d${shape.dModel}-D${tag(tokens)}-${sched}-s${seed}`;
}

/** Identity of a trunk: what two multistep points must share for one to be a branch of the other's stage 1. */
function trunkKey(p: GridPoint): string {
  return JSON.stringify([p.shape, p.batchSeqs, p.batchTokens, p.lr, p.seed, p.schedule.warmupSteps]);
}

/**
 * The ladders among a plan's points: multistep points with the same shape, batch, peak LR, seed and warm-up steps share a trunk
 * (≥ 2 such points; a lone point trains from scratch). Trunk ids are '<prefix>L<n>-d<d>-s<seed>-trunk', made unique with -2, -3.
 */
export function findLadders(points: GridPoint[], prefix = '', taken: Set<string> = new Set(points.map((p) => p.id))): LadderSpec[] {
  const groups = new Map<string, GridPoint[]>();
  for (const p of points) {
    if (p.schedule.name !== 'multistep' || p.schedule.breakpoints.length === 0) continue;
    const k = trunkKey(p);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const ladders: LadderSpec[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const p0 = g[0];
    const base = `${prefix}L${p0.shape.nLayer}-d${p0.shape.dModel}-s${p0.seed}-trunk`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    const branches = g.map((p) => ({ id: p.id, at: p.schedule.breakpoints[0] })).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
    ladders.push({
      id, shape: p0.shape, batchSeqs: p0.batchSeqs, batchTokens: p0.batchTokens, lr: p0.lr, seed: p0.seed,
      warmupSteps: p0.schedule.warmupSteps, steps: branches[branches.length - 1].at, branches,
    });
  }
  return ladders;
}

/** A plan with its ladders found (`scaling plan … --ladder` on any grid); unchanged when no two points share a stage 1. */
export function withLadders(plan: PlanFile): PlanFile {
  const ladders = findLadders(allPoints(plan), plan.options.dataset ? safe(plan.options.dataset) + '-' : '');
  return validatePlan(ladders.length ? { ...plan, ladders } : plan);
}

/**
 * The trunk as a trainable grid point: the ladder's shape, batch, peak LR and seed for `ladder.steps` steps at constant peak LR
 * after the shared warm-up. lrFactor gives it, at every step before a branch point, exactly the LR its branch's multistep
 * schedule has there (warm-up (s+1)/W, then 1), so its state at a branch point is the branch's state at that step.
 */
export function trunkPoint(ladder: LadderSpec, representation: Representation): GridPoint {
  const { M, N1, N2 } = scaleCounts(ladder.shape);
  const tokens = ladder.steps * ladder.batchTokens;
  const flops = computeFlops(ladder.shape, tokens, representation);
  return {
    id: ladder.id, budget: flops, index: 0, shape: ladder.shape, targetScale: scalePerToken(ladder.shape, representation), M, N1, N2, tokens, flops,
    batchTokens: ladder.batchTokens, batchSeqs: ladder.batchSeqs, lr: ladder.lr, steps: ladder.steps,
    schedule: { name: 'constant', warmupSteps: ladder.warmupSteps, totalSteps: ladder.steps, breakpoints: [], factors: [] },
    seed: ladder.seed,
  };
}

/** Compute of one ladder: the trunk once, each branch's own stages 2–3, against every branch trained from scratch. */
export interface LadderCompute {
  id: string;
  trunkSteps: number;
  trunkTokens: number;
  trunkFlops: number;
  branches: { id: string; at: number; steps: number; ownTokens: number; ownFlops: number; scratchFlops: number }[];
  /** trunk + Σ branches' own stages. */
  spentFlops: number;
  /** Σ branches trained from scratch. */
  scratchFlops: number;
}

export interface PlanCompute {
  ladders: LadderCompute[];
  /** Points of no ladder (trained from scratch either way). */
  otherRuns: number;
  otherFlops: number;
  /** Whole plan: ladders (trunks + branch stages) + other points, vs. every point from scratch. */
  spentFlops: number;
  scratchFlops: number;
  /** 1 − spent / scratch. */
  saving: number;
}

/** What a plan's training costs with its ladders, and what training every point from scratch would (computeFlops throughout). */
export function planCompute(plan: PlanFile): PlanCompute {
  const rep = plan.representation;
  const byId = new Map(allPoints(plan).map((p) => [p.id, p]));
  const inLadder = new Set<string>();
  const ladders = (plan.ladders ?? []).map((l): LadderCompute => {
    const trunkTokens = l.steps * l.batchTokens;
    const branches = l.branches.map((b) => {
      const p = byId.get(b.id)!;
      inLadder.add(b.id);
      const ownTokens = (p.steps - b.at) * p.batchTokens;
      return { id: b.id, at: b.at, steps: p.steps, ownTokens, ownFlops: computeFlops(p.shape, ownTokens, rep), scratchFlops: computeFlops(p.shape, p.tokens, rep) };
    });
    const trunkFlops = computeFlops(l.shape, trunkTokens, rep);
    return {
      id: l.id, trunkSteps: l.steps, trunkTokens, trunkFlops, branches,
      spentFlops: trunkFlops + branches.reduce((s, b) => s + b.ownFlops, 0),
      scratchFlops: branches.reduce((s, b) => s + b.scratchFlops, 0),
    };
  });
  const others = [...byId.values()].filter((p) => !inLadder.has(p.id));
  const otherFlops = others.reduce((s, p) => s + computeFlops(p.shape, p.tokens, rep), 0);
  const spentFlops = ladders.reduce((s, l) => s + l.spentFlops, 0) + otherFlops;
  const scratchFlops = ladders.reduce((s, l) => s + l.scratchFlops, 0) + otherFlops;
  return { ladders, otherRuns: others.length, otherFlops, spentFlops, scratchFlops, saving: 1 - spentFlops / scratchFlops };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const e3 = (x: number) => x.toExponential(3).replace('e+', 'e');

/** The lines `scaling plan`, `scaling train` and `scaling run` print for a plan with ladders. */
export function formatPlanCompute(c: PlanCompute): string {
  const lines = c.ladders.map((l) => {
    const own = l.branches.reduce((s, b) => s + b.ownTokens, 0);
    return `ladder ${l.id}: trunk ${l.trunkSteps} steps (${e3(l.trunkTokens)} tokens, ${e3(l.trunkFlops)} FLOPs) + ${l.branches.length} branches' stages 2–3 (${e3(own)} tokens) = ${e3(l.spentFlops)} FLOPs; from scratch ${e3(l.scratchFlops)} FLOPs (${pct(l.spentFlops / l.scratchFlops)} of it)`;
  });
  if (c.otherRuns > 0) lines.push(`${c.otherRuns} run(s) outside ladders, from scratch: ${e3(c.otherFlops)} FLOPs`);
  lines.push(`compute: ${e3(c.spentFlops)} FLOPs with ladders vs ${e3(c.scratchFlops)} FLOPs training every budget from scratch — saves ${pct(c.saving)}`);
  return lines.join('\n');
}

/**
 * A ladder plan: for each seed, each rung (D_1 < … < D_k) and each schedule (and, for multistep, each stage ratio), one grid point
 * of the shape; the multistep points of a seed form one ladder. Batch size and peak LR are one pair for the whole ladder: Eq. 1
 * of the laws at the largest rung's compute (a rung must not change them, or it could not share stage 1), unless overridden.
 */
export function makeLadderPlan(laws: LawsFile, lawsPath: string, o: LadderPlanOptions): PlanFile {
  const rep = laws.representation;
  const scale = scalePerToken(o.shape, rep);
  const field = o.budgets ? 'budgets' : '--ladder';
  const targets = o.budgets ? o.budgets.map((c) => c / scale) : o.tokens ?? [];
  if (targets.length === 0) throw new InputError('a ladder needs at least one rung', { field });
  for (const t of targets) if (!(t > 0) || !Number.isFinite(t)) throw new InputError(`rungs must be finite and > 0, got ${t}`, { field });
  if (o.seeds.length === 0 || o.schedules.length === 0 || o.stages.length === 0) throw new InputError('seeds, schedules and stages must be non-empty', { field: 'ladder' });
  const order = targets.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
  const cMax = scale * order[order.length - 1][0];
  const hp = hyperparameters(laws, cMax, { seqLen: o.shape.seqLen, batchTokens: o.batchTokens, lr: o.lr });
  const rungs = order.map(([t, i]) => {
    const steps = Math.max(1, Math.round(t / hp.batchTokens));
    const tokens = steps * hp.batchTokens;
    const real = computeFlops(o.shape, tokens, rep);
    const budget = o.budgets ? o.budgets[i] : real;
    if (Math.abs(real / budget - 1) > 0.01) {
      throw new InputError(`rung C = ${e3(budget)}: ${steps} steps × ${hp.batchTokens} tokens spend ${e3(real)} FLOPs, ${pct(Math.abs(real / budget - 1))} off (limit 1%): give a larger budget or a smaller batch`, { field });
    }
    return { steps, tokens, budget };
  });
  for (let i = 1; i < rungs.length; i++) {
    if (rungs[i].steps === rungs[i - 1].steps) throw new InputError(`two rungs round to the same ${rungs[i].steps} steps of ${hp.batchTokens} tokens: give distinct budgets`, { field });
  }
  const warmup = ladderWarmupSteps(rungs.map((r) => r.steps), o.warmup);
  const prefix = o.dataset ? safe(o.dataset) + '-' : '';
  const { M, N1, N2 } = scaleCounts(o.shape);
  const budgets: BudgetPlan[] = rungs.map((r) => {
    const points: GridPoint[] = [];
    for (const seed of o.seeds) {
      for (const name of o.schedules) {
        for (const stages of name === 'multistep' ? o.stages : [undefined]) {
          const schedule = makeSchedule(name, r.steps, String(warmup), stages ?? DEFAULT_STAGES);
          points.push({
            id: rungId(prefix, o.shape, r.tokens, name, stagesOf(schedule), seed), budget: r.budget, index: points.length, shape: o.shape, targetScale: scale,
            M, N1, N2, tokens: r.tokens, flops: computeFlops(o.shape, r.tokens, rep), batchTokens: hp.batchTokens, batchSeqs: hp.batchSeqs, lr: hp.lr,
            steps: r.steps, schedule, seed,
          });
        }
      }
    }
    const scaleOpt = laws.laws.scale ? evalPowerLaw(laws.laws.scale, r.budget) : scale;
    return { budget: r.budget, scaleOpt, tokensOpt: r.budget / scaleOpt, batchTokens: hp.batchTokens, batchSeqs: hp.batchSeqs, lr: hp.lr, points };
  });
  for (const b of budgets) {
    for (const p of b.points) {
      const bp = p.schedule.breakpoints;
      if (p.schedule.name === 'multistep' && !(bp[0] >= 1 && bp[1] < p.steps)) {
        throw new InputError(`rung of ${p.steps} steps is too short for stages ${stagesOf(p.schedule)} (drops at steps ${bp.join(', ')}): give larger budgets`, { field });
      }
    }
  }
  const options: PlanFile['options'] = {
    points: Math.max(...budgets.map((b) => b.points.length)), span: 1, seqLen: o.shape.seqLen, vocab: o.shape.vocab, schedule: o.schedules[0],
    warmup: String(warmup), seed: o.seeds[0],
    ...(o.stages.length === 1 && o.stages[0] !== DEFAULT_STAGES ? { stages: o.stages[0] } : {}),
    ...(o.dataset ? { dataset: o.dataset } : {}),
    ...(o.batchTokens ? { batchTokens: o.batchTokens } : {}),
    ...(o.lr ? { lr: o.lr } : {}),
  };
  const plan = planFile(laws, lawsPath, options, budgets);
  return withLadders(plan);
}
