// Synthetic fits files for the report tests: IsoFLOP grids generated from known laws, so every chart has independent expected values.
import type { BudgetOptimum, FitPoint, LawsFile } from '../src/schema/laws.ts';

export interface SyntheticLaw {
  name: string;
  /** M_opt = k·C^a (paper Eq. 4); D_opt = C / M_opt. */
  k: number;
  a: number;
  /** L_opt(C) = E + A·C^(−γ). */
  E: number;
  A: number;
  gamma: number;
  /** Curvature of each IsoFLOP parabola: loss = L_opt + κ·(log10 M − log10 M_opt)². */
  kappa: number;
  budgets: number[];
  /** Offsets of the sampled scales from log10 M_opt (decades). */
  offsets?: number[];
  lossUnits?: string;
  withHyper?: boolean;
  withCi?: boolean;
  unbracketedLast?: boolean;
}

/** Builds a LawsFile whose optima, parabolas and laws follow the given law exactly. */
export function syntheticFits(s: SyntheticLaw): LawsFile {
  const offsets = s.offsets ?? [-0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6];
  const points: FitPoint[] = [];
  const optima: BudgetOptimum[] = [];
  s.budgets.forEach((C, bi) => {
    const mOpt = s.k * Math.pow(C, s.a);
    const lOpt = s.E + s.A * Math.pow(C, -s.gamma);
    const x0 = Math.log10(mOpt);
    const unbracketed = s.unbracketedLast && bi === s.budgets.length - 1;
    const offs = unbracketed ? offsets.map((o) => o - 0.9) : offsets;
    offs.forEach((o, i) => {
      const scale = Math.pow(10, x0 + o);
      const lr = 0.3118 * Math.pow(C, -0.125) * (1 + 0.02 * i);
      points.push({ runId: `${s.name}-${C.toExponential(0)}-${i}`, budget: C, compute: C, scale, tokens: C / scale, loss: lOpt + s.kappa * o * o, lr, batchTokens: 0.292 * Math.pow(C, 0.3271), nearOptimal: Math.abs(o) <= 0.2 });
    });
    // loss = κ(x − x0)² + L_opt = κx² − 2κx0·x + (κx0² + L_opt)
    const scales = offs.map((o) => Math.pow(10, x0 + o));
    optima.push({
      budget: C, points: offs.length, usedPoints: offs.length, scaleOpt: mOpt, dataOpt: C / mOpt, lossOpt: lOpt,
      parabola: { c0: s.kappa * x0 * x0 + lOpt, c1: -2 * s.kappa * x0, c2: s.kappa },
      window: [Math.min(...scales), Math.max(...scales)], bracketed: !unbracketed,
      warnings: unbracketed ? [`budget ${C.toExponential(0)}: minimum not bracketed`] : [],
    });
  });
  const ci = <T,>(v: T) => (s.withCi ? v : undefined);
  const laws: LawsFile = {
    schema: 'scaling.laws', version: 1, name: s.name, dataset: `${s.name} data`, representation: 'M',
    units: { compute: 'FLOPs', scale: 'FLOPs/token', data: 'tokens', batch: 'tokens', loss: s.lossUnits ?? 'bits-per-byte' },
    ciLevel: 0.95,
    laws: {
      scale: { coefficient: s.k, exponent: s.a, ci: ci({ coefficient: [s.k / 2, s.k * 2] as [number, number], exponent: [s.a - 0.02, s.a + 0.02] as [number, number] }) },
      data: { coefficient: 1 / s.k, exponent: 1 - s.a, ci: ci({ coefficient: [0.5 / s.k, 2 / s.k] as [number, number], exponent: [1 - s.a - 0.02, 1 - s.a + 0.02] as [number, number] }) },
      loss: { form: 'offset-power', E: s.E, A: s.A, gamma: s.gamma },
    },
    provenance: { source: 'scaling fit', created: '2026-11-28', method: 'synthetic (tests)', inputs: [{ file: `runs/${s.name}.csv`, sha256: 'ab'.repeat(32) }], options: { window: 0 } },
    details: { optima, points, warnings: optima.flatMap((o) => o.warnings) },
  };
  if (s.withHyper) {
    laws.laws.lr = { coefficient: 0.3118, exponent: -0.125 };
    laws.laws.batch = { coefficient: 0.292, exponent: 0.3271 };
    laws.details!.hyper = { threshold: 0.0025, nearOptimal: points.filter((p) => p.nearOptimal), form: 'compute' };
  }
  return laws;
}

export const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19];

/**
 * A hyperparameter study from a known loss landscape: per budget one model on a 4 × 4 grid of batch (×0.5…4 of B*) and peak LR
 * (×0.25…2 of η*), loss = L*(C) + κ_B·(log10 B/B*)² + κ_η·(log10 η/η*)², with B* and η* of the paper's Eq. 1. The runs within
 * `threshold` of each budget's best are the near-optimal ones, the laws are Eq. 1 itself.
 */
export function syntheticHparamFits(budgets = [1e17, 1e18, 1e19], threshold = 0.0025): LawsFile {
  const points: FitPoint[] = [];
  for (const C of budgets) {
    const bStar = 0.292 * Math.pow(C, 0.3271);
    const lrStar = 0.3118 * Math.pow(C, -0.125);
    const lStar = 0.6 + 40 * Math.pow(C, -0.08);
    const grid: FitPoint[] = [];
    [0.5, 1, 2, 4].forEach((bm, bi) => [0.25, 0.5, 1, 2].forEach((lm, li) => {
      const loss = lStar + 0.004 * Math.log10(bm) ** 2 + 0.02 * Math.log10(lm) ** 2;
      grid.push({ runId: `hp-C${C.toExponential(0)}-b${bi}-lr${li}`, budget: C, compute: C, scale: 1e9 * (C / 1e17) ** 0.5, tokens: C / (1e9 * (C / 1e17) ** 0.5), loss, lr: lrStar * lm, batchTokens: bStar * bm });
    }));
    const best = Math.min(...grid.map((p) => p.loss));
    for (const p of grid) points.push({ ...p, nearOptimal: p.loss <= best * (1 + threshold) });
  }
  return {
    schema: 'scaling.laws', version: 1, name: 'hp', dataset: 'hp data', representation: 'M',
    units: { compute: 'FLOPs', scale: 'FLOPs/token', data: 'tokens', batch: 'tokens', loss: 'bits-per-byte' },
    ciLevel: 0.95,
    laws: {
      lr: { coefficient: 0.3118, exponent: -0.125, r2: 0.9, ci: { coefficient: [0.2, 0.5], exponent: [-0.15, -0.1] } },
      batch: { coefficient: 0.292, exponent: 0.3271, r2: 0.9, ci: { coefficient: [0.2, 0.4], exponent: [0.3, 0.35] } },
    },
    provenance: { source: 'scaling fit', created: '2026-11-28T19:02:53.004Z', method: 'synthetic (tests)', inputs: [{ file: '/home/author/secret/runs/hp.csv', sha256: 'cd'.repeat(32) }] },
    details: {
      optima: budgets.map((C) => ({ budget: C, points: 16, usedPoints: 16, scaleOpt: NaN, dataOpt: NaN, lossOpt: NaN, bracketed: false, dropped: true, warnings: ['only 1 distinct scale (fewer than 3): budget dropped'] })),
      points,
      warnings: budgets.map((C) => `budget ${C.toExponential(2).replace('e+', 'e')}: only 1 distinct scale (fewer than 3): budget dropped`),
      hyper: { threshold, nearOptimal: points.filter((p) => p.nearOptimal), form: 'compute' },
    },
  };
}
