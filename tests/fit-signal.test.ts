// "Cannot tell" on synthetic grids: noise without a law gives no supported law, grids whose minima sit at the edge are excluded and
// named, one IsoFLOP line refuses approach 3, a ladder with one run per budget still gets intervals that cover the truth, and each
// named warning appears once with what to do.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIT_OPTIONS, fitObservations } from '../src/fit/fit.ts';
import { chinchillaLoss, chinchillaOptimum, isoflopRuns, ladderRuns, lawWithExponent, type ChinchillaLaw } from '../src/fit/synthetic.ts';
import { approach3Identifiability } from '../src/fit/approach3.ts';
import { makeRng } from '../src/util/rng.ts';
import type { Observation } from '../src/fit/types.ts';

const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
const law = lawWithExponent(0.5243);
const opts = { ...DEFAULT_FIT_OPTIONS, dataset: 'synthetic', name: 'syn' };
const codes = (r: ReturnType<typeof fitObservations>) => r.details!.diagnostics!.map((w) => w.code);

describe('no signal, no law', () => {
  it('loss that is pure noise around a constant: the allocation laws are marked unsupported in 5 of 5 seeds, with the reason', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = makeRng(seed);
      const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.6, shift: 0.2, noise: 0, seed }).map((o) => ({ ...o, loss: 3 * Math.exp(0.01 * rng.normal()) }));
      const r = fitObservations(obs, { ...opts, bootstrap: 100, approach3: false });
      for (const l of [r.laws.scale, r.laws.data, r.laws.loss]) {
        if (!l) continue;
        expect(l.supported).toBe(false);
        expect(l.reasons).toContain('too-few-budgets');
      }
      const few = r.details!.diagnostics!.find((w) => w.code === 'too-few-budgets')!;
      expect(few.laws).toEqual(['scale', 'data', 'loss']);
      expect(few.action).toMatch(/interior, significantly curved minimum/);
      // Most budgets are flagged as flat or unbracketed, each code once, naming its budgets.
      const flagged = new Set(r.details!.diagnostics!.filter((w) => w.code === 'flat-curvature' || w.code === 'unbracketed').flatMap((w) => w.budgets ?? []));
      expect(flagged.size).toBeGreaterThanOrEqual(6);
      expect(new Set(codes(r)).size).toBe(codes(r).length);
    }
  });

  it('every minimum at the edge of its grid: all budgets excluded and named, no allocation law, what to add', () => {
    // Each budget's grid spans 2×…20× its optimum: the lowest loss is always the smallest model.
    const obs: Observation[] = [];
    for (const C of BUDGETS) {
      const m = chinchillaOptimum(law, C).M;
      for (let i = 0; i < 7; i++) {
        const M = m * 2 * 10 ** (i / 6);
        obs.push({ runId: `e${obs.length}`, dataset: 'edge', budget: C, compute: C, scale: M, tokens: C / M, loss: chinchillaLoss(law, M, C / M), source: { file: 'e', line: obs.length + 2 } });
      }
    }
    const r = fitObservations(obs, { ...opts, bootstrap: 0, approach3: false });
    expect(r.laws.scale).toBeUndefined();
    expect(r.details!.optima.every((o) => o.excluded && o.codes!.includes('unbracketed'))).toBe(true);
    const w = r.details!.diagnostics!.find((x) => x.code === 'unbracketed')!;
    expect(w.budgets).toEqual(BUDGETS);
    expect(w.message).toMatch(/lowest loss at the smallest sampled scale/);
    expect(w.action).toMatch(/add M below .* at 1\.00e17/);
    expect(w.action).toMatch(/--keep-unbracketed/);
    // --keep-unbracketed fits the law anyway, but still says it is not supported: no budget resolves its minimum.
    const kept = fitObservations(obs, { ...opts, bootstrap: 0, approach3: false, keepUnbracketed: true });
    expect(kept.laws.scale!.supported).toBe(false);
    expect(kept.laws.scale!.reasons).toEqual(['too-few-budgets']);
  });

  it('one IsoFLOP line: approach 3 refused with the reason (and a one-ratio ladder too)', () => {
    const line = isoflopRuns({ law, budgets: [1e19], pointsPerBudget: 9, spanDecades: 1.6, noise: 0.001, seed: 1 });
    const r = fitObservations(line, { ...opts, bootstrap: 0 });
    expect(r.details!.approach3).toBeUndefined();
    const w = r.details!.diagnostics!.find((x) => x.code === 'a3-unidentifiable')!;
    expect(w.message).toMatch(/one IsoFLOP line \(N·D constant\)/);
    expect(w.laws).toEqual(['approach3']);
    const ratio = ladderRuns({ law, scales: [1e8, 1e9, 1e10], multiples: [1], tokensPerScale: 20 / 6, noise: 0, seed: 1 });
    expect(approach3Identifiability(ratio, 'M')).toMatch(/one tokens-per-parameter ratio/);
    expect(approach3Identifiability(ladderRuns({ law, scales: [1e8, 1e9], multiples: [1, 4], tokensPerScale: 20 / 6, noise: 0, seed: 1 }), 'M')).toBeUndefined();
  });
});

describe('a ladder with one run per budget', () => {
  it('gets non-zero intervals (runs of single-run budgets resampled as one pool) that cover the truth in ≥ 8 of 10 seeds', () => {
    const truth: ChinchillaLaw = { E: 1.8, A: 400, B: 400, alpha: 0.3, beta: 0.3 };
    const target = { M: 6e10, D: 4e12 };
    let coverA = 0;
    let coverL = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const obs = ladderRuns({ law: truth, scales: [1e9, 2.2e9, 4.6e9, 1e10, 2.2e10], multiples: [0.5, 1, 2, 5, 10], tokensPerScale: 20 / 6, noise: 0.003, seed });
      const r = fitObservations(obs, { ...opts, bootstrap: 150, seed, predict: [`M=${target.M},D=${target.D}`] });
      const a3 = r.details!.approach3!;
      expect(r.details!.bootstrap!.pooledSingletons).toBe(25);
      const [lo, hi] = a3.ci!.a;
      expect(hi - lo).toBeGreaterThan(0.02);
      if (lo <= 0.5 && 0.5 <= hi) coverA++;
      const p = r.details!.predictions![0].approach3!;
      const L = chinchillaLoss(truth, target.M, target.D);
      if (p.lossInterval![0] <= L && L <= p.lossInterval![1]) coverL++;
    }
    expect(coverA).toBeGreaterThanOrEqual(8);
    expect(coverL).toBeGreaterThanOrEqual(8);
  }, 60_000);
});

describe('extrapolation and interval checks', () => {
  it('a budget prediction far beyond the data is marked unsupported with where to extend the grid; intervals wider than the value too', () => {
    const obs = isoflopRuns({ law, budgets: [1e17, 3e17, 1e18], pointsPerBudget: 7, spanDecades: 1.2, shift: 0.1, noise: 0.01, seed: 2 });
    const r = fitObservations(obs, { ...opts, bootstrap: 100, approach3: false, predict: ['3e18', '1e24'] });
    const [near, far] = r.details!.predictions!;
    expect(near.reasons ?? []).not.toContain('extrapolation-too-far');
    expect(far.supported).toBe(false);
    expect(far.reasons).toContain('extrapolation-too-far');
    const w = r.details!.diagnostics!.find((x) => x.code === 'extrapolation-too-far')!;
    // Smallest budget 1e17, target 1e24: the grid should reach their geometric mean, 3.16e20.
    expect(w.message).toMatch(/extend the grid to C ≥ 3\.16e20/);
    expect(w.message).not.toMatch(/3e18 at/);
    // One decade of budgets and 1% noise: a's interval is wider than a itself; predictions inherit their law's reasons.
    expect(r.laws.scale!.reasons).toContain('wide-interval');
    expect(far.reasons).toContain('wide-interval');
    expect(r.details!.diagnostics!.find((x) => x.code === 'wide-interval')!.message).toMatch(/b \(D_opt exponent\) = 0\.366 \[0\.0206, 0\.542\]/);
  });
});
