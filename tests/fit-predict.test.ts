// Predictions: target parsing, and the paper's derived checks — Eq. 1 at the 7B and 67B computes gives Table 2's LR and batch.
import { describe, expect, it } from 'vitest';
import { parseTargets, predictOne } from '../src/fit/predict.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { PRESETS } from '../src/flops/presets.ts';
import { EQ1, EQ4 } from '../src/fit/synthetic.ts';

const PAPER = {
  scale: { coefficient: EQ4.scale.k, exponent: EQ4.scale.a },
  lr: { coefficient: EQ1.lr.k, exponent: EQ1.lr.p },
  batch: { coefficient: EQ1.batch.k, exponent: EQ1.batch.q },
  loss: { form: 'offset-power' as const, E: 0.5, A: 20, gamma: 0.05 },
};

describe('predictions', () => {
  it('parses presets, budgets and key=value shapes; rejects the rest with the flag named', () => {
    const t = parseTargets(['7b,67b'.split(',')[0], '67b', '1e21', 'n_layer=24,d_model=2048,tokens=1e11']);
    expect(t.map((x) => x.kind)).toEqual(['shape', 'shape', 'budget', 'shape']);
    expect(t[2].compute).toBe(1e21);
    expect(t[3].shape).toMatchObject({ nLayer: 24, dModel: 2048, nHeads: 16, nKvHeads: 16, seqLen: 4096, vocab: 102400 });
    expect(t[3].tokens).toBe(1e11);
    expect(() => parseTargets(['70b'])).toThrow(/--predict: cannot read '70b'/);
    expect(() => parseTargets(['n_layer=2'])).toThrow(/needs n_layer and d_model/);
  });

  it('7B at 2T tokens: C ≈ 8.5e22, η ≈ 4.2e-4, B ≈ 9.2M tokens (paper Table 2 via Eq. 1)', () => {
    const p = predictOne(parseTargets(['7b'])[0], PAPER, 'M')!;
    expect(p.scale).toBe(scaleCounts(PRESETS['7b']).M);
    expect(p.tokens).toBe(2e12);
    expect(p.compute / 8.5e22).toBeCloseTo(1, 1);
    expect(p.lr! / 4.2e-4).toBeCloseTo(1, 1);
    expect(p.batchTokens! / 9.2e6).toBeCloseTo(1, 1);
    expect(p.loss).toBeCloseTo(0.5 + 20 * p.compute ** -0.05, 12);
  });

  it('67B with its GQA shape: M ≈ 4.33e11, C ≈ 8.66e23, η ≈ 3.18e-4, B ≈ 19.7M tokens', () => {
    const p = predictOne(parseTargets(['67b'])[0], PAPER, 'M')!;
    expect(p.scale / 4.33e11).toBeCloseTo(1, 2);
    expect(p.compute / 8.66e23).toBeCloseTo(1, 2);
    expect(p.lr! / 3.18e-4).toBeCloseTo(1, 2);
    expect(p.batchTokens! / 19.7e6).toBeCloseTo(1, 1);
  });

  it('a budget gives the compute-optimal model: M_opt(3e20) ≈ 9.3e9, D_opt ≈ 3.2e10 (paper Eq. 4, derived)', () => {
    const p = predictOne(parseTargets(['3e20'])[0], PAPER, 'M')!;
    expect(p.scale / 9.3e9).toBeCloseTo(1, 1);
    expect(p.tokens / 3.2e10).toBeCloseTo(1, 1);
    expect(p.scale * p.tokens).toBeCloseTo(3e20, -8);
  });

  it('in another representation a shape uses 6·N1 or 6·N2 FLOPs/token; without laws the LR and batch are absent', () => {
    const t = parseTargets(['7b'])[0];
    const c = scaleCounts(PRESETS['7b']);
    expect(predictOne(t, {}, '6N1')!.scale).toBe(6 * c.N1);
    const p = predictOne(t, {}, '6N2')!;
    expect(p.scale).toBe(6 * c.N2);
    expect(p.lr).toBeUndefined();
    expect(p.loss).toBeUndefined();
    expect(predictOne(parseTargets(['1e21'])[0], {}, 'M')).toBeUndefined();
  });
});
