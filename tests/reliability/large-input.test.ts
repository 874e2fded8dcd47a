// Guarantee: input size is not a crash. A mapped CSV of 130,000 runs (past the ~120,000 elements where spreading an array into
// a call overflows V8's stack) loads and fits, and the fit recovers the law the rows were drawn from. bench/fit-large.ts
// measures a 50 MB file (time and memory).
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, tally } from './helpers.ts';
import { loadObservations } from '../../src/fit/input/load.ts';
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../../src/fit/fit.ts';

const counts = { crashes: 0 };
afterAll(() => tally(counts));

describe('large inputs', () => {
  it('loads and fits 130,000 mapped rows (a = 0.5 for a symmetric Chinchilla law)', () => {
    // L(N, D) = E + A/N^α + B/D^β with α = β: N_opt ∝ C^(β/(α+β)) = C^0.5 (Hoffmann et al. 2022, Eq. 4).
    const loss = (N: number, D: number) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.34;
    const lines = ['params,tokens,loss,budget'];
    let rng = 1;
    const next = () => (rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0) / 2 ** 32; // LCG (Numerical Recipes)
    // 4 budgets × 13 allocations, each with ~2,500 seed replicas (rows with equal N and D, which the fitter averages).
    for (let i = 0; lines.length <= 130_000; i++) {
      const C = [1e18, 1e19, 1e20, 1e21][i % 4];
      const k = Math.floor(i / 4) % 13;
      const N = (C / 6) ** 0.5 * 2 ** ((k - 6) / 3);
      lines.push(`${N.toFixed(0)},${(C / (6 * N)).toFixed(0)},${(loss(N, C / (6 * N)) * (1 + 1e-3 * (next() - 0.5))).toPrecision(15)},${C}`);
    }
    const file = join(sandbox('large'), 'runs.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const loaded = loadObservations([file], { columns: ['N=params', 'D=tokens', 'loss=loss', 'budget=budget'] });
    expect(loaded.inputs[0].rows).toBe(130_000); // every row read (the loader used to overflow the stack here)
    expect(loaded.observations.length).toBeGreaterThanOrEqual(52);
    const laws = fitObservations(loaded.observations, { ...DEFAULT_FIT_OPTIONS, dataset: 'large', name: 'large', representation: loaded.representation, lossUnits: loaded.lossUnits, bootstrap: 0, approach3: false });
    expect(laws.laws.scale!.exponent).toBeCloseTo(0.5, 2);
    counts.crashes++;
  }, 120_000);
});
