// AdamW: two updates against the update rule computed by hand in float64 (bias correction, clipping, decoupled decay), on both code paths.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { AdamW, clipFactor } from '../src/train/adamw.ts';

const cfg = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1.0 };
const W0 = [0.5, -1.0, 2.0, 0.25];
const G0 = [0.1, -0.2];
// Step 1 gradients have global norm 5 (clipped to 1); step 2 gradients have norm 0.5 (not clipped).
const grads1 = { W: [3, 0, 0, -4], g: [0, 0] };
const grads2 = { W: [0.3, -0.1, 0.2, 0.1], g: [0.1, -0.3] };

for (const backend of ['wasm', 'cpu'] as const) {
  for (const fused of [true, false]) {
    describe(`AdamW on ${backend} (${fused ? 'fused kernel' : 'tfjs ops'})`, () => {
      beforeAll(async () => {
        await initBackend('wasm');
        await tf.setBackend(backend);
      });

      it('two steps equal the hand-computed update, with clipping and decay on matrices only', () => {
        const W = tf.variable(tf.tensor(W0, [2, 2]), false);
        const g = tf.variable(tf.tensor(G0, [2]), false);
        const opt = new AdamW(new Map([['W', W], ['g', g]]), ['W'], cfg, { fused });
        const lr = [0.01, 0.02];
        // After step 1 alone, Adam's first step is sign-like: θ1 = θ0(1 − lr·wd) − lr·sign(g) for W's nonzero-gradient entries.
        const sanity = refTwoLr(W0, [grads1.W], [1 / (5 + 1e-6)], [0.01], true);
        expect(sanity[0]).toBeCloseTo(0.5 * (1 - 0.001) - 0.01, 6);
        expect(sanity[3]).toBeCloseTo(0.25 * (1 - 0.001) + 0.01, 6);
        const norms: number[] = [];
        for (const [s, gr] of [grads1, grads2].entries()) {
          const t = { W: tf.tensor(gr.W, [2, 2]), g: tf.tensor(gr.g, [2]) };
          norms.push(opt.apply(t, lr[s]));
          tf.dispose([t.W, t.g]);
        }
        expect(norms[0]).toBeCloseTo(5, 5);
        expect(norms[1]).toBeCloseTo(0.5, 6);
        expect(opt.step).toBe(2);
        const scales = [1 / (5 + 1e-6), 1];
        // Two learning rates: run the reference step by step with each step's lr.
        const refW = refTwoLr(W0, [grads1.W, grads2.W], scales, lr, true);
        const refG = refTwoLr(G0, [grads1.g, grads2.g], scales, lr, false);
        const w = W.dataSync();
        const gg = g.dataSync();
        refW.forEach((x, i) => expect(w[i]).toBeCloseTo(x, 6));
        refG.forEach((x, i) => expect(gg[i]).toBeCloseTo(x, 6));
        opt.dispose();
        tf.dispose([W, g]);
      });
    });
  }
}

/** The reference: AdamW written out element by element from Loshchilov & Hutter's Algorithm 2 (bias-corrected moments, decoupled decay), per-step lr. */
function refTwoLr(theta0: number[], gs: number[][], scales: number[], lrs: number[], decay: boolean): number[] {
  const th = theta0.slice();
  const m = th.map(() => 0);
  const v = th.map(() => 0);
  gs.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < th.length; i++) {
      const gi = g[i] * scales[s];
      m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * gi;
      v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * gi * gi;
      th[i] = th[i] * (1 - lrs[s] * (decay ? cfg.weightDecay : 0)) - (lrs[s] * m[i] / (1 - cfg.beta1 ** t)) / (Math.sqrt(v[i] / (1 - cfg.beta2 ** t)) + cfg.eps);
    }
  });
  return th;
}

describe('clipFactor', () => {
  it('is 1 below the threshold and clipNorm/(‖g‖+1e-6) above it', () => {
    expect(clipFactor(0.5, 1)).toBe(1);
    expect(clipFactor(4, 1)).toBeCloseTo(1 / (4 + 1e-6), 12);
    expect(clipFactor(4, 0)).toBe(1);
  });
});
