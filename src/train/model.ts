// The decoder-only LLaMA of the paper (§2.1) in tfjs: embedding → n_layer × (RMSNorm → causal GQA attention with RoPE →
// residual; RMSNorm → SwiGLU FFN → residual) → RMSNorm → untied output head. Dense layers are 2-D matmuls (tfjs's rank-3 ×
// rank-2 matmul gradient has the wrong shape). Per-step op count is kept low: Q, K and V come from one fused matmul, gate and
// up from another, RoPE is one rotation matmul and two multiplies over Q, K and V at once (V's table is the identity), the
// 1/√d_head score scale is folded into Q's RoPE table, and all constant tensors (RoPE tables, rotation, causal mask) are built once.
// On the wasm-blas path (kernels/blas-kernels.ts) attention of all heads, SwiGLU, RMSNorm and the loss are one native kernel
// each, with the same tables; the composition of tfjs ops below is the wasm path's (and every other backend's) model.
import * as tf from '@tensorflow/tfjs';
import type { ModelShape } from '../flops/shape.ts';
import { validateShape } from '../flops/shape.ts';
import { RMS_NORM_EPS, ROPE_THETA } from '../schema/settings.ts';
import { makeRng } from '../util/rng.ts';
import { rmsNorm, softmaxCrossEntropy } from './kernels/fused-ops.ts';
import { activeBlas, blasAttention, blasRmsNorm, blasSoftmaxCrossEntropy, blasSwiglu } from './kernels/blas-kernels.ts';

/** RMSNorm ε and RoPE base θ (LLaMA): one home in src/schema/settings.ts, which the exports read too. */
export const RMS_EPS = RMS_NORM_EPS;
export const ROPE_BASE = ROPE_THETA;

/** A parameter's name, shape, whether it is a matrix (normal init, weight decay) or a norm gain (ones, no decay). */
export interface ParamSpec {
  name: string;
  shape: number[];
  kind: 'matrix' | 'gain';
}

/** Stable parameter names and shapes (they key checkpoint tensors). Q/K/V and gate/up are stored fused. */
export function paramSpecs(s: ModelShape): ParamSpec[] {
  const hd = s.dModel / s.nHeads;
  const qkvWidth = (s.nHeads + 2 * s.nKvHeads) * hd;
  const specs: ParamSpec[] = [{ name: 'tok_embeddings', shape: [s.vocab, s.dModel], kind: 'matrix' }];
  for (let i = 0; i < s.nLayer; i++) {
    const p = `layers.${i}.`;
    specs.push(
      { name: p + 'attention_norm', shape: [s.dModel], kind: 'gain' },
      { name: p + 'attention.wqkv', shape: [s.dModel, qkvWidth], kind: 'matrix' },
      { name: p + 'attention.wo', shape: [s.dModel, s.dModel], kind: 'matrix' },
      { name: p + 'ffn_norm', shape: [s.dModel], kind: 'gain' },
      { name: p + 'feed_forward.w13', shape: [s.dModel, 2 * s.dFf], kind: 'matrix' },
      { name: p + 'feed_forward.w2', shape: [s.dFf, s.dModel], kind: 'matrix' },
    );
  }
  specs.push({ name: 'norm', shape: [s.dModel], kind: 'gain' }, { name: 'output', shape: [s.dModel, s.vocab], kind: 'matrix' });
  return specs;
}

/** Number of matrix parameters (embedding + head + N1). */
export function matrixParamCount(s: ModelShape): number {
  return paramSpecs(s).filter((p) => p.kind === 'matrix').reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}

// The init-std rule lives with the optimizer settings (api.ts), which load without TensorFlow.js.
export { PAPER_INIT_STD, SMALL_MODEL_INIT_STD, initStdFor } from './api.ts';

/** Initial values: N(0, initStd) for matrices (seeded mulberry32 + Box–Muller), ones for norm gains. */
export function initialValues(s: ModelShape, seed: number, initStd: number): Map<string, Float32Array> {
  const rng = makeRng(seed);
  const out = new Map<string, Float32Array>();
  for (const p of paramSpecs(s)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (p.kind === 'gain') a.fill(1);
    else for (let i = 0; i < n; i++) a[i] = initStd * rng.normal();
    out.set(p.name, a);
  }
  return out;
}

/**
 * RoPE tables for the fused [T, H_q + 2·H_kv, d_head] Q|K|V tensor (rotate-half form, Su et al. 2021):
 *   rope(x)_t = x_t ⊙ cos(t·θ) + rot(x_t) ⊙ sin(t·θ),  θ_i = base^(−2i/d_head),  rot([x1, x2]) = [−x2, x1].
 * Q's rows carry the attention scale 1/√d_head; V's rows are the identity (cos 1, sin 0).
 */
export function ropeTables(s: ModelShape): { cos: Float32Array; sin: Float32Array; rot: Float32Array } {
  const hd = s.dModel / s.nHeads;
  const half = hd / 2;
  const H = s.nHeads + 2 * s.nKvHeads;
  const T = s.seqLen;
  const cos = new Float32Array(T * H * hd);
  const sin = new Float32Array(T * H * hd);
  const qScale = 1 / Math.sqrt(hd);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      const isV = h >= s.nHeads + s.nKvHeads;
      const scale = h < s.nHeads ? qScale : 1;
      for (let j = 0; j < hd; j++) {
        const theta = t * ROPE_BASE ** (-(2 * (j % half)) / hd);
        const o = (t * H + h) * hd + j;
        cos[o] = isV ? 1 : scale * Math.cos(theta);
        sin[o] = isV ? 0 : scale * Math.sin(theta);
      }
    }
  }
  // rot as a matrix R with x·R = [−x2, x1].
  const rot = new Float32Array(hd * hd);
  for (let j = 0; j < half; j++) {
    rot[(j + half) * hd + j] = -1;
    rot[j * hd + (j + half)] = 1;
  }
  return { cos, sin, rot };
}

/** Additive causal mask for scores laid out [rep·T, T] (rep = n_heads / n_kv_heads query heads per K/V head): −1e9 above the diagonal. */
export function causalMask(T: number, rep: number): Float32Array {
  const m = new Float32Array(rep * T * T);
  for (let r = 0; r < rep; r++) for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[(r * T + i) * T + j] = -1e9;
  return m;
}

export class LlamaModel {
  readonly shape: ModelShape;
  readonly params = new Map<string, tf.Variable>();
  readonly specs: ParamSpec[];
  private readonly cos: tf.Tensor;
  private readonly sin: tf.Tensor;
  private readonly rot: tf.Tensor;
  private readonly mask: tf.Tensor;
  /** Native fused kernels (wasm-blas path), decided when the model is built. */
  private readonly blas: boolean;

  constructor(shape: ModelShape, seed: number, initStd: number) {
    this.shape = validateShape(shape);
    this.blas = activeBlas() !== undefined;
    this.specs = paramSpecs(shape);
    const init = initialValues(shape, seed, initStd);
    for (const p of this.specs) {
      const t = tf.tensor(init.get(p.name)!, p.shape, 'float32');
      this.params.set(p.name, tf.variable(t, true));
      t.dispose();
    }
    const hd = shape.dModel / shape.nHeads;
    const H = shape.nHeads + 2 * shape.nKvHeads;
    const rope = ropeTables(shape);
    this.cos = tf.keep(tf.tensor(rope.cos, [shape.seqLen, H, hd]));
    this.sin = tf.keep(tf.tensor(rope.sin, [shape.seqLen, H, hd]));
    this.rot = tf.keep(tf.tensor(rope.rot, [hd, hd]));
    const rep = shape.nHeads / shape.nKvHeads;
    this.mask = tf.keep(tf.tensor(causalMask(shape.seqLen, rep), [rep * shape.seqLen, shape.seqLen]));
  }

  private p(name: string): tf.Tensor {
    return this.params.get(name)!;
  }

  /** RMSNorm (Zhang & Sennrich 2019): x / √(mean(x²) + ε) ⊙ g, over the last axis of [N, d] (fused kernel + gradient). */
  private rmsNorm(x: tf.Tensor, g: tf.Tensor): tf.Tensor {
    return this.blas ? blasRmsNorm(x, g, RMS_EPS) : rmsNorm(x, g, RMS_EPS);
  }

  /** Causal self-attention with RoPE and GQA on x [B·T, d]; returns [B·T, d] (before the residual). */
  private attention(x: tf.Tensor, i: number, B: number): tf.Tensor {
    const { seqLen: T, nHeads: Hq, nKvHeads: Hkv, dModel: d } = this.shape;
    const hd = d / Hq;
    const H = Hq + 2 * Hkv;
    const rep = Hq / Hkv;
    const qkv = tf.matMul(x, this.p(`layers.${i}.attention.wqkv`)); // [B·T, H·hd]
    if (this.blas) return tf.matMul(blasAttention(qkv, this.cos, this.sin, { B, T, hq: Hq, hkv: Hkv, hd }), this.p(`layers.${i}.attention.wo`));
    const rotated = tf.matMul(tf.reshape(qkv, [-1, hd]), this.rot); // [B·T·H, hd]
    const roped = tf.add(tf.mul(tf.reshape(qkv, [B, T, H, hd]), this.cos), tf.mul(tf.reshape(rotated, [B, T, H, hd]), this.sin));
    const heads = tf.transpose(roped, [0, 2, 1, 3]); // [B, H, T, hd]
    const [q, k, v] = tf.split(heads, [Hq, Hkv, Hkv], 1);
    // GQA without repeating K/V: the rep query heads of K/V head j are stacked along the time axis.
    const q5 = tf.reshape(q, [B, Hkv, rep * T, hd]);
    const scores = tf.add(tf.matMul(q5, k, false, true), this.mask); // [B, Hkv, rep·T, T], already scaled by 1/√hd
    const probs = tf.softmax(scores);
    const ctx = tf.reshape(tf.matMul(probs, v), [B, Hq, T, hd]);
    const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, d]);
    return tf.matMul(merged, this.p(`layers.${i}.attention.wo`));
  }

  /** SwiGLU FFN (Shazeer 2020): (silu(x·W1) ⊙ x·W3)·W2, with W1|W3 fused. */
  private feedForward(x: tf.Tensor, i: number): tf.Tensor {
    const gu = tf.matMul(x, this.p(`layers.${i}.feed_forward.w13`));
    if (this.blas) return tf.matMul(blasSwiglu(gu), this.p(`layers.${i}.feed_forward.w2`));
    const [g, u] = tf.split(gu, 2, 1);
    const h = tf.mul(tf.mul(g, tf.sigmoid(g)), u);
    return tf.matMul(h, this.p(`layers.${i}.feed_forward.w2`));
  }

  /** Logits [B·T, vocab] for token ids [B·T]. */
  logits(ids: tf.Tensor1D, B: number): tf.Tensor2D {
    let h: tf.Tensor = tf.gather(this.p('tok_embeddings'), ids);
    for (let i = 0; i < this.shape.nLayer; i++) {
      h = tf.add(h, this.attention(this.rmsNorm(h, this.p(`layers.${i}.attention_norm`)), i, B));
      h = tf.add(h, this.feedForward(this.rmsNorm(h, this.p(`layers.${i}.ffn_norm`)), i));
    }
    return tf.matMul(this.rmsNorm(h, this.p('norm')), this.p('output')) as tf.Tensor2D;
  }

  /** Mean next-token cross-entropy (nats/token). */
  loss(ids: tf.Tensor1D, targets: tf.Tensor1D, B: number): tf.Scalar {
    const logits = this.logits(ids, B);
    return this.blas ? blasSoftmaxCrossEntropy(logits, targets) : softmaxCrossEntropy(logits, targets);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
    for (const t of [this.cos, this.sin, this.rot, this.mask]) t.dispose();
  }
}
