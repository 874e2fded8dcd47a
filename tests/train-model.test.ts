// The LLaMA model: parameter count against src/flops (N1 + 2·V·d), RoPE/mask constants, a finite-difference gradient check of
// the whole model (cpu backend, float32) and wasm-vs-cpu agreement of loss and all gradients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { LlamaModel, causalMask, matrixParamCount, paramSpecs, ropeTables } from '../src/train/model.ts';
import { layerParams, scaleCounts } from '../src/flops/flops.ts';
import type { ModelShape } from '../src/flops/shape.ts';
import { makeRng } from '../src/util/rng.ts';
import { rmsNorm, softmaxCrossEntropy } from '../src/train/kernels/fused-ops.ts';

// GQA (4 query heads over 2 K/V heads) and a non-standard FFN width, so nothing cancels by accident.
const tiny: ModelShape = { nLayer: 2, dModel: 16, nHeads: 4, nKvHeads: 2, dFf: 24, seqLen: 6, vocab: 11 };
const B = 2;
const rng = makeRng(3);
const ids = Int32Array.from({ length: B * tiny.seqLen }, () => rng.int(tiny.vocab));
const targets = Int32Array.from({ length: B * tiny.seqLen }, () => rng.int(tiny.vocab));

function lossAndGrads(model: LlamaModel): { loss: number; grads: Map<string, Float32Array> } {
  const x = tf.tensor1d(ids, 'int32');
  const y = tf.tensor1d(targets, 'int32');
  const { value, grads } = tf.variableGrads(() => model.loss(x, y, B), [...model.params.values()]);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.params) out.set(name, grads[v.name].dataSync() as Float32Array);
  const loss = value.dataSync()[0];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return { loss, grads: out };
}

function lossAt(model: LlamaModel): number {
  const l = tf.tidy(() => model.loss(tf.tensor1d(ids, 'int32'), tf.tensor1d(targets, 'int32'), B));
  const v = l.dataSync()[0];
  l.dispose();
  return v;
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('parameters', () => {
  it('matrix parameters = N1 + 2·vocab·d (untied embedding and head), as src/flops counts them', () => {
    for (const s of [tiny, { ...tiny, nKvHeads: 4, dFf: 40 }, { nLayer: 4, dModel: 128, nHeads: 8, nKvHeads: 8, dFf: 344, seqLen: 128, vocab: 256 }]) {
      expect(matrixParamCount(s)).toBe(s.nLayer * layerParams(s) + 2 * s.vocab * s.dModel);
      expect(matrixParamCount(s)).toBe(scaleCounts(s).N1 + 2 * s.vocab * s.dModel);
    }
  });

  it('names are stable and unique; norm gains are the only non-matrix parameters', () => {
    const specs = paramSpecs(tiny);
    expect(new Set(specs.map((p) => p.name)).size).toBe(specs.length);
    expect(specs.map((p) => p.name).slice(0, 4)).toEqual(['tok_embeddings', 'layers.0.attention_norm', 'layers.0.attention.wqkv', 'layers.0.attention.wo']);
    expect(specs.filter((p) => p.kind === 'gain').length).toBe(2 * tiny.nLayer + 1);
  });
});

describe('constants', () => {
  it('RoPE tables rotate pairs (j, j + d/2) by t·θ_j with θ_j = 10000^(−2j/d), q scaled by 1/√d_head, v untouched', () => {
    const { cos, sin, rot } = ropeTables(tiny);
    const hd = 4;
    const H = tiny.nHeads + 2 * tiny.nKvHeads;
    const at = (t: number, h: number, j: number) => (t * H + h) * hd + j;
    expect(cos[at(3, 5, 1)]).toBeCloseTo(Math.cos(3 * 10000 ** (-2 / 4)), 6); // a K head
    expect(sin[at(3, 5, 3)]).toBeCloseTo(Math.sin(3 * 10000 ** (-2 / 4)), 6); // j = 3 pairs with j = 1
    expect(cos[at(2, 0, 0)]).toBeCloseTo(Math.cos(2) / 2, 6); // a Q head carries 1/√4
    expect(cos[at(4, 7, 2)]).toBe(1); // a V head: identity
    expect(sin[at(4, 7, 2)]).toBe(0);
    // x·R = [−x2, x1] for x = [1, 2, 3, 4]
    const x = [1, 2, 3, 4];
    const xr = [0, 1, 2, 3].map((j) => x.reduce((s, xi, i) => s + xi * rot[i * hd + j], 0));
    expect(xr).toEqual([-3, -4, 1, 2]);
  });

  it('the causal mask blocks exactly the future, for every stacked query head', () => {
    const m = causalMask(3, 2);
    expect(Array.from(m)).toEqual([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0, 0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0].map(Math.fround));
  });
});

describe('fused kernels', () => {
  it('RMSNorm and softmax cross-entropy (values and gradients) equal their textbook formulas in plain tfjs ops', () => {
    tf.setBackend('wasm');
    const r = makeRng(9);
    const x = tf.tensor(Float32Array.from({ length: 5 * 7 }, () => 2 * r.normal()), [5, 7]);
    const g = tf.tensor(Float32Array.from({ length: 7 }, () => 1 + r.normal()), [7]);
    const w = tf.tensor(Float32Array.from({ length: 5 * 7 }, () => r.normal()), [5, 7]);
    const t = tf.tensor1d([0, 6, 3, 3, 1], 'int32');
    const close = (a: tf.Tensor, b: tf.Tensor, tol: number) => {
      const av = a.dataSync();
      const bv = b.dataSync();
      expect(av.length).toBe(bv.length);
      for (let i = 0; i < av.length; i++) expect(Math.abs(av[i] - bv[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(bv[i])));
    };
    tf.tidy(() => {
      const plainNorm = (a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.div(a, tf.sqrt(tf.add(tf.mean(tf.square(a), -1, true), 1e-6))), b);
      close(rmsNorm(x, g, 1e-6), plainNorm(x, g), 1e-6);
      const [fx, fg] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a, b, 1e-6), w)))([x, g]);
      const [px, pg] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(plainNorm(a, b), w)))([x, g]);
      close(fx, px, 1e-5);
      close(fg, pg, 1e-5);
      // L = −mean log softmax(x)[t]
      const plainXent = (a: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(a), tf.oneHot(t, 7).cast('float32')), 1)));
      close(softmaxCrossEntropy(x, t), plainXent(x), 1e-6);
      close(tf.grad((a: tf.Tensor) => softmaxCrossEntropy(a, t))(x), tf.grad(plainXent)(x), 1e-5);
    });
    tf.dispose([x, g, w, t]);
  });
});

describe('gradients', () => {
  it('a finite-difference check of the full model agrees with autograd (cpu backend, float32, central differences)', async () => {
    await tf.setBackend('cpu');
    const model = new LlamaModel(tiny, 11, 0.3);
    const { grads } = lossAndGrads(model);
    const names = [...model.params.keys()];
    const r = makeRng(5);
    // Directions: one correlated with the gradient (g ⊙ U[0.5, 1.5]) and three random ones, each normalised to unit length.
    const directions: Map<string, Float32Array>[] = [];
    for (let k = 0; k < 4; k++) {
      const dir = new Map<string, Float32Array>();
      for (const n of names) dir.set(n, Float32Array.from(grads.get(n)!, (g) => (k === 0 ? g * (0.5 + r.uniform()) : r.normal())));
      let norm = 0;
      for (const a of dir.values()) for (const x of a) norm += x * x;
      for (const a of dir.values()) for (let i = 0; i < a.length; i++) a[i] /= Math.sqrt(norm);
      directions.push(dir);
    }
    const base = new Map(names.map((n) => [n, Float32Array.from(model.params.get(n)!.dataSync())]));
    const setAt = (dir: Map<string, Float32Array>, h: number) => {
      for (const n of names) {
        const b = base.get(n)!;
        const d = dir.get(n)!;
        const t = tf.tensor(Float32Array.from(b, (x, i) => x + h * d[i]), model.params.get(n)!.shape);
        model.params.get(n)!.assign(t);
        t.dispose();
      }
    };
    const h = 1e-2;
    for (const dir of directions) {
      let analytic = 0;
      for (const n of names) {
        const g = grads.get(n)!;
        const d = dir.get(n)!;
        for (let i = 0; i < g.length; i++) analytic += g[i] * d[i];
      }
      setAt(dir, h);
      const up = lossAt(model);
      setAt(dir, -h);
      const down = lossAt(model);
      const numeric = (up - down) / (2 * h);
      expect(Math.abs(numeric - analytic)).toBeLessThanOrEqual(2e-2 * Math.abs(analytic) + 2e-4);
    }
    expect(Math.abs([...grads.values()].reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0))).toBeGreaterThan(1e-4);
    model.dispose();
    await tf.setBackend('wasm');
  });

  it('wasm (with the replacement kernels) and cpu give the same loss and gradients for every parameter', async () => {
    await tf.setBackend('cpu');
    const mc = new LlamaModel(tiny, 12, 0.1);
    const c = lossAndGrads(mc);
    mc.dispose();
    await tf.setBackend('wasm');
    const mw = new LlamaModel(tiny, 12, 0.1);
    const w = lossAndGrads(mw);
    mw.dispose();
    expect(w.loss).toBeCloseTo(c.loss, 5);
    for (const [name, gc] of c.grads) {
      const gw = w.grads.get(name)!;
      let num = 0;
      let den = 0;
      for (let i = 0; i < gc.length; i++) {
        num = Math.max(num, Math.abs(gw[i] - gc[i]));
        den = Math.max(den, Math.abs(gc[i]));
      }
      expect(num / den, name).toBeLessThanOrEqual(1e-4);
    }
  });
});
