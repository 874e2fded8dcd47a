// Synthetic runs from known laws with seeded noise, shared by the fitter's tests and bench/fit.ts (never used on real data).
import type { Observation } from './types.ts';
import { makeRng, type Rng } from '../util/rng.ts';

/** Chinchilla-style law in the scale variable M (C = M·D): L = E + A/M^α + B/D^β. */
export interface ChinchillaLaw {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/** The law's compute-optimal M: M_opt = G·C^a, G = (αA/(βB))^(1/(α+β)), a = β/(α+β) (closed form, C = M·D). */
export function chinchillaOptimum(law: ChinchillaLaw, C: number): { M: number; D: number; loss: number } {
  const s = law.alpha + law.beta;
  const G = Math.pow((law.alpha * law.A) / (law.beta * law.B), 1 / s);
  const M = G * Math.pow(C, law.beta / s);
  const D = C / M;
  return { M, D, loss: chinchillaLoss(law, M, D) };
}

export function chinchillaLoss(law: ChinchillaLaw, M: number, D: number): number {
  return law.E + law.A / Math.pow(M, law.alpha) + law.B / Math.pow(D, law.beta);
}

/** A law whose optimum follows M_opt ∝ C^a (a = β/(α+β)) — α is chosen, β = α·a/(1 − a). */
export function lawWithExponent(a: number, alpha = 0.3, E = 1.8, A = 400, B = 400): ChinchillaLaw {
  return { E, A, B, alpha, beta: (alpha * a) / (1 - a) };
}

/** Paper Eq. 1: η_opt = 0.3118·C^−0.1250, B_opt = 0.2920·C^0.3271 (B in tokens). */
export const EQ1 = { lr: { k: 0.3118, p: -0.125 }, batch: { k: 0.292, q: 0.3271 } };
/** Paper Eq. 4: M_opt = 0.1715·C^0.5243, D_opt = 5.8316·C^0.4757. */
export const EQ4 = { scale: { k: 0.1715, a: 0.5243 }, data: { k: 5.8316, b: 0.4757 } };

export interface HyperBowl {
  /** Extra loss per squared decade away from η_opt(C) and B_opt(C) (paper Eq. 1). */
  lrCurvature: number;
  batchCurvature: number;
  /** Each run's log10 η and log10 B offsets are uniform on [−spread, spread]. */
  spread: number;
}

export interface IsoflopOptions {
  law: ChinchillaLaw;
  budgets: number[];
  pointsPerBudget: number;
  /** Decades of M covered per budget, centred on the true optimum (shifted by up to ±shift decades at random). */
  spanDecades: number;
  shift?: number;
  /** Multiplicative noise: loss · exp(noise·z). */
  noise: number;
  seed: number;
  /** Give each run a learning rate and batch size around Eq. 1 and add the hyperparameter bowl to its loss. */
  hyper?: HyperBowl;
  /** Attach App. A.2 representations from a standard LLaMA shape of each M (l_seq 4096, n_vocab 102400, d/n_layer = 64). */
  reps?: boolean;
}

/** IsoFLOP grids: per budget, `pointsPerBudget` log-spaced M around the law's optimum, D = C/M, loss from the law with noise. */
export function isoflopRuns(o: IsoflopOptions): Observation[] {
  const rng = makeRng(o.seed);
  const out: Observation[] = [];
  for (const C of o.budgets) {
    const opt = chinchillaOptimum(o.law, C);
    const center = Math.log10(opt.M) + (o.shift ? (2 * rng.uniform() - 1) * o.shift : 0);
    for (let i = 0; i < o.pointsPerBudget; i++) {
      const t = o.pointsPerBudget === 1 ? 0 : i / (o.pointsPerBudget - 1) - 0.5;
      const M = 10 ** (center + t * o.spanDecades);
      const D = C / M;
      let loss = chinchillaLoss(o.law, M, D);
      const obs: Observation = {
        runId: `C${C.toExponential(2)}-${i}`,
        dataset: 'synthetic',
        budget: C,
        compute: C,
        scale: M,
        tokens: D,
        loss,
        params: M / 6,
        source: { file: 'synthetic', line: out.length + 2 },
      };
      if (o.hyper) {
        const dl = (2 * rng.uniform() - 1) * o.hyper.spread;
        const db = (2 * rng.uniform() - 1) * o.hyper.spread;
        obs.lr = EQ1.lr.k * Math.pow(C, EQ1.lr.p) * 10 ** dl;
        obs.batchTokens = EQ1.batch.k * Math.pow(C, EQ1.batch.q) * 10 ** db;
        loss += o.hyper.lrCurvature * dl * dl + o.hyper.batchCurvature * db * db;
      }
      if (o.reps) obs.reps = standardReps(M);
      obs.loss = loss * Math.exp(o.noise * rng.normal());
      out.push(obs);
    }
  }
  return out;
}

/** Representations of a standard shape with M FLOPs/token: d/n_layer = 64, l_seq 4096, n_vocab 102400 (paper Eq. 2, continuous n, d). */
export function standardReps(M: number, seqLen = 4096, vocab = 102400): { M: number; sixN1: number; sixN2: number } {
  // M = 72·n·d² + 12·n·d·l with n = d/64 → (72/64)·d³ + (12·l/64)·d² = M, solved by Newton's method.
  let d = Math.cbrt(M / 1.125);
  for (let k = 0; k < 60; k++) {
    const f = 1.125 * d ** 3 + ((12 * seqLen) / 64) * d * d - M;
    const df = 3.375 * d * d + ((24 * seqLen) / 64) * d;
    d -= f / df;
  }
  const n = d / 64;
  const sixN1 = 72 * n * d * d;
  return { M, sixN1, sixN2: sixN1 + 6 * vocab * d };
}

export interface OptimaOptions {
  budgets: number[];
  pointsPerBudget: number;
  spanDecades: number;
  /** Loss rises by `curvature`·(Δ log10 M)² away from the optimum. */
  curvature: number;
  noise: number;
  seed: number;
  /** L_opt(C) = E + A·C^(−γ). */
  lossLaw: { E: number; A: number; gamma: number };
}

/** IsoFLOP curves whose optima follow paper Eq. 4 exactly: a parabola in log10 M around M_opt = 0.1715·C^0.5243, additive noise. */
export function eq4Runs(o: OptimaOptions): Observation[] {
  const rng = makeRng(o.seed);
  const out: Observation[] = [];
  for (const C of o.budgets) {
    const xOpt = Math.log10(EQ4.scale.k * Math.pow(C, EQ4.scale.a));
    const lOpt = o.lossLaw.E + o.lossLaw.A * Math.pow(C, -o.lossLaw.gamma);
    for (let i = 0; i < o.pointsPerBudget; i++) {
      const dx = (i / (o.pointsPerBudget - 1) - 0.5) * o.spanDecades;
      const M = 10 ** (xOpt + dx);
      out.push({
        runId: `eq4-${C.toExponential(2)}-${i}`,
        dataset: 'synthetic-eq4',
        budget: C,
        compute: C,
        scale: M,
        tokens: C / M,
        loss: lOpt + o.curvature * dx * dx + o.noise * rng.normal(),
        source: { file: 'synthetic', line: out.length + 2 },
      });
    }
  }
  return out;
}

export interface HyperGridOptions {
  budgets: number[];
  /** Grid points per axis (log-spaced, `stepDecades` apart, centred on Eq. 1's optimum with a random offset of up to half a step). */
  perAxis: number;
  stepDecades: number;
  bowl: { lrCurvature: number; batchCurvature: number };
  noise: number;
  seed: number;
  /** Generating laws (default: paper Eq. 1). */
  lr?: { k: number; p: number };
  batch?: { k: number; q: number };
}

/** Learning-rate × batch-size grids per budget: loss = L(C) + u·(Δlog η)² + v·(Δlog B)² + noise, optimum on Eq. 1. */
export function hyperGridRuns(o: HyperGridOptions): Observation[] {
  const rng = makeRng(o.seed);
  const lrLaw = o.lr ?? EQ1.lr;
  const bLaw = o.batch ?? EQ1.batch;
  const out: Observation[] = [];
  for (const C of o.budgets) {
    const lOpt = 1.8 + 400 * Math.pow(C, -0.15);
    const M = EQ4.scale.k * Math.pow(C, EQ4.scale.a);
    const lrOpt = Math.log10(lrLaw.k * Math.pow(C, lrLaw.p));
    const bOpt = Math.log10(bLaw.k * Math.pow(C, bLaw.q));
    const offL = (rng.uniform() - 0.5) * o.stepDecades;
    const offB = (rng.uniform() - 0.5) * o.stepDecades;
    for (let i = 0; i < o.perAxis; i++) {
      for (let j = 0; j < o.perAxis; j++) {
        const dl = (i - (o.perAxis - 1) / 2) * o.stepDecades + offL;
        const db = (j - (o.perAxis - 1) / 2) * o.stepDecades + offB;
        out.push({
          runId: `hp-${C.toExponential(2)}-${i}-${j}`,
          dataset: 'synthetic-hyper',
          budget: C,
          compute: C,
          scale: M,
          tokens: C / M,
          lr: 10 ** (lrOpt + dl),
          batchTokens: 10 ** (bOpt + db),
          loss: lOpt + o.bowl.lrCurvature * dl * dl + o.bowl.batchCurvature * db * db + o.noise * rng.normal(),
          source: { file: 'synthetic', line: out.length + 2 },
        });
      }
    }
  }
  return out;
}

export interface CurveOptions {
  law: ChinchillaLaw;
  /** Model scales (M) trained, each to `maxTokens[i]` tokens, evaluated at `evals` log-spaced points. */
  scales: number[];
  maxTokens: number[];
  evals: number;
  noise: number;
  seed: number;
}

/** Training curves whose every evaluation lies on the law (each prefix behaves like a finished run of that length). */
export function curveRuns(o: CurveOptions): Observation[] {
  const rng = makeRng(o.seed);
  return o.scales.map((M, r) => {
    const Dmax = o.maxTokens[r];
    const curve: { tokens: number; compute: number; loss: number }[] = [];
    for (let k = 0; k < o.evals; k++) {
      const D = Dmax * 10 ** (-3 + (3 * (k + 1)) / o.evals);
      curve.push({ tokens: D, compute: M * D, loss: chinchillaLoss(o.law, M, D) * Math.exp(o.noise * rng.normal()) });
    }
    const last = curve[curve.length - 1];
    return {
      runId: `curve-${r}`,
      dataset: 'synthetic-curves',
      budget: last.compute,
      compute: last.compute,
      scale: M,
      tokens: last.tokens,
      loss: last.loss,
      curve,
      source: { file: 'synthetic', line: r + 2 },
    } satisfies Observation;
  });
}

export { makeRng, type Rng };

export interface LadderOptions {
  law: ChinchillaLaw;
  /** Model scales (M; N = M/6 for approach 3 in N) and token multiples: D = multiple · tokensPerScale · M. */
  scales: number[];
  multiples: number[];
  /** Tokens per unit of scale at multiple 1 (e.g. 20 tokens per parameter = 20/6 per FLOP/token). */
  tokensPerScale: number;
  noise: number;
  seed: number;
}

/** A ladder (OLMo-style): every scale trained at every multiple, one run per (scale, multiple), each run its own budget (C = M·D). */
export function ladderRuns(o: LadderOptions): Observation[] {
  const rng = makeRng(o.seed);
  const out: Observation[] = [];
  for (const M of o.scales) {
    for (const k of o.multiples) {
      const D = k * o.tokensPerScale * M;
      out.push({
        runId: `ladder-${M.toExponential(2)}-${k}x`,
        dataset: 'synthetic-ladder',
        budget: M * D,
        compute: M * D,
        scale: M,
        tokens: D,
        loss: chinchillaLoss(o.law, M, D) * Math.exp(o.noise * rng.normal()),
        params: M / 6,
        source: { file: 'synthetic', line: out.length + 2 },
      });
    }
  }
  return out;
}
