// Noise budget (src/fit/replicas.ts, src/fit/noise.ts): replicas merge to their mean, and the pooled seed and residual SDs recover the
// σ of synthetic IsoFLOP curves built from a known parabola with known seed noise and known shape-to-shape scatter.
import { describe, expect, it } from 'vitest';
import { mergeReplicas } from '../src/fit/replicas.ts';
import { noiseBudget, pooledSeedSd } from '../src/fit/noise.ts';
import { makeRng } from '../src/util/rng.ts';
import type { Observation } from '../src/fit/types.ts';

/** Budgets × points on a parabola in log10(M), each point with a fixed grid offset (σ_grid) and `seeds` replicas (σ_seed). */
function grid(sigmaSeed: number, sigmaGrid: number, seeds: number, seed = 1): Observation[] {
  const rng = makeRng(seed);
  const out: Observation[] = [];
  for (const C of [1e10, 1e11, 1e12, 1e13]) {
    for (let i = 0; i < 9; i++) {
      const scale = 1e5 * 10 ** (i / 4) * Math.sqrt(C / 1e10);
      const x = Math.log10(scale);
      const base = 3 + 0.3 * (x - Math.log10(3e5 * Math.sqrt(C / 1e10))) ** 2 + sigmaGrid * rng.normal();
      for (let k = 0; k < seeds; k++) {
        out.push({ runId: `C${C}-i${i}-s${k}`, dataset: 'syn', budget: C, compute: C, scale, tokens: C / scale, loss: base + sigmaSeed * rng.normal(), source: { file: 'syn', line: 1 } });
      }
    }
  }
  return out;
}

describe('noise budget', () => {
  it('merges replicas to their mean and keeps their spread', () => {
    const obs = grid(0.02, 0, 3);
    const merged = mergeReplicas(obs);
    expect(merged).toHaveLength(36);
    const first = merged[0];
    expect(first.replicas!.n).toBe(3);
    const ls = obs.slice(0, 3).map((o) => o.loss);
    expect(first.loss).toBeCloseTo((ls[0] + ls[1] + ls[2]) / 3, 12);
    expect(mergeReplicas(grid(0.02, 0, 1))).toHaveLength(36);
  });

  it('recovers σ_seed = 0.02 and σ_grid = 0.04 (4 budgets × 9 points × 4 seeds)', () => {
    const est = [1, 2, 3, 4, 5].map((s) => noiseBudget(mergeReplicas(grid(0.02, 0.04, 4, s))));
    const mean = (f: (n: (typeof est)[0]) => number) => est.reduce((a, n) => a + f(n), 0) / est.length;
    expect(mean((n) => n.seedSd!)).toBeGreaterThan(0.018);
    expect(mean((n) => n.seedSd!)).toBeLessThan(0.022);
    expect(mean((n) => n.gridSd!)).toBeGreaterThan(0.03);
    expect(mean((n) => n.gridSd!)).toBeLessThan(0.05);
    expect(est[0].seedDof).toBe(36 * 3);
    expect(est[0].residualDof).toBe(4 * (9 - 3));
    expect(est[0].verdict).toMatch(/more points or budgets pay more than more seeds/);
  });

  it('says seeds pay when the scatter is all seed noise', () => {
    const n = noiseBudget(mergeReplicas(grid(0.03, 0, 2, 9)), 'bpb');
    expect(n.seedShare!).toBeGreaterThan(0.5);
    expect(n.verdict).toMatch(/more seeds per point narrow the fit/);
  });

  it('without replicas the seed σ is unknown, and says so', () => {
    expect(pooledSeedSd(grid(0.02, 0, 1)).sd).toBeUndefined();
    expect(noiseBudget(grid(0.02, 0, 1)).verdict).toMatch(/no seed replicas/);
  });
});
