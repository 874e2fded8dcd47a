// Hyperparameter grids (paper §3.1): one compute-optimal model per budget on a batch × LR grid centred on Eq. 1, each run within 1% of C.
import { describe, expect, it } from 'vitest';
import { loadLaws } from '../src/laws/load.ts';
import { DEFAULT_PLAN_OPTIONS } from '../src/plan/grid.ts';
import { makeHparamPlan } from '../src/plan/hparam-grid.ts';
import { validatePlan } from '../src/schema/plan.ts';

describe('hyperparameter grid', () => {
  const { laws, path } = loadLaws();
  const o = { ...DEFAULT_PLAN_OPTIONS, seqLen: 128, vocab: 256 };
  const plan = makeHparamPlan([3e10, 1e11, 3e11], laws, path, o, [0.5, 1, 2], [0.25, 1, 4]);

  it('is a valid plan with batch × lr points per budget, one shape per budget', () => {
    validatePlan(JSON.parse(JSON.stringify(plan)));
    for (const b of plan.budgets) {
      expect(b.points.length).toBe(9);
      expect(new Set(b.points.map((p) => JSON.stringify(p.shape))).size).toBe(1);
      expect(new Set(b.points.map((p) => p.id)).size).toBe(9);
      for (const p of b.points) expect(Math.abs(p.flops / b.budget - 1)).toBeLessThan(0.01);
    }
  });

  it('centres on Eq. 1: the ×1 column has η_opt(C) = 0.3118·C^−0.125 and B near 0.292·C^0.3271', () => {
    for (const b of plan.budgets) {
      const etaOpt = 0.3118 * b.budget ** -0.125;
      const lrs = [...new Set(b.points.map((p) => p.lr))].sort((x, y) => x - y);
      expect(lrs).toHaveLength(3);
      expect(lrs[1] / etaOpt).toBeCloseTo(1, 6);
      expect(lrs[0] / etaOpt).toBeCloseTo(0.25, 6);
      const bOpt = 0.292 * b.budget ** 0.3271;
      const batches = [...new Set(b.points.map((p) => p.batchTokens))].sort((x, y) => x - y);
      expect(Math.abs(batches[1] - bOpt)).toBeLessThanOrEqual(128); // whole sequences of 128
    }
  });
});
