// Fused RMSNorm and softmax cross-entropy as JS kernels (wasm and cpu) with hand-written gradients, wrapped as tfjs ops.
// Each replaces 6–15 small tfjs ops (and their autograd ops) by one pass over the heap; other backends get the same math from
// plain tfjs ops. Equations: RMSNorm (Zhang & Sennrich 2019) y = x·r·g, r = 1/√(mean(x²) + ε); its gradient
// dx = r·(dŷ − x̂·mean(dŷ·x̂)), dg = Σ_rows dy·x̂ with x̂ = x·r, dŷ = dy·g. Cross-entropy L = −(1/N)·Σ log p[n, t_n],
// p = softmax(logits); ∂L/∂logits = (p − onehot(t))/N.
import * as tf from '@tensorflow/tfjs';
import { getKernel, registerKernel } from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { host } from './host.ts';

const RMS = 'ScalingRmsNorm';
const RMS_GRAD = 'ScalingRmsNormGrad';
const XENT = 'ScalingXent';
const XENT_GRAD = 'ScalingXentGrad';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap };

function rmsNormKernel(b: 'wasm' | 'cpu'): KernelFunc {
  return ((args: Args) => {
    const h = host(b, args.backend);
    const { x, g } = args.inputs;
    const eps = Number(args.attrs.eps);
    const d = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((a, c) => a * c, 1) / d;
    const y = h.alloc(x.shape);
    const r = h.alloc([rows]);
    const xs = h.read(x);
    const gs = h.read(g);
    const ys = h.write(y);
    const rs = h.write(r);
    for (let i = 0; i < rows; i++) {
      const o = i * d;
      let ss = 0;
      for (let j = 0; j < d; j++) ss += xs[o + j] * xs[o + j];
      const inv = 1 / Math.sqrt(ss / d + eps);
      rs[i] = inv;
      for (let j = 0; j < d; j++) ys[o + j] = xs[o + j] * inv * gs[j];
    }
    return [y.info, r.info];
  }) as unknown as KernelFunc;
}

function rmsNormGradKernel(b: 'wasm' | 'cpu'): KernelFunc {
  return ((args: Args) => {
    const h = host(b, args.backend);
    const { dy, x, g, r } = args.inputs;
    const d = x.shape[x.shape.length - 1];
    const rows = r.shape[0];
    const dx = h.alloc(x.shape);
    const dg = h.alloc([d]);
    const dys = h.read(dy);
    const xs = h.read(x);
    const gs = h.read(g);
    const rs = h.read(r);
    const dxs = h.write(dx);
    const dgs = h.write(dg);
    const acc = new Float64Array(d);
    for (let i = 0; i < rows; i++) {
      const o = i * d;
      const inv = rs[i];
      let c = 0;
      for (let j = 0; j < d; j++) {
        const xh = xs[o + j] * inv;
        acc[j] += dys[o + j] * xh;
        c += dys[o + j] * gs[j] * xh;
      }
      c /= d;
      for (let j = 0; j < d; j++) dxs[o + j] = inv * (dys[o + j] * gs[j] - xs[o + j] * inv * c);
    }
    for (let j = 0; j < d; j++) dgs[j] = acc[j];
    return [dx.info, dg.info];
  }) as unknown as KernelFunc;
}

function xentKernel(b: 'wasm' | 'cpu'): KernelFunc {
  return ((args: Args) => {
    const h = host(b, args.backend);
    const { probs, targets } = args.inputs;
    const [n, v] = probs.shape;
    const out = h.alloc([]);
    const p = h.read(probs);
    const t = h.readInt(targets);
    let s = 0;
    for (let i = 0; i < n; i++) s -= Math.log(p[i * v + t[i]]);
    h.write(out)[0] = s / n;
    return out.info;
  }) as unknown as KernelFunc;
}

function xentGradKernel(b: 'wasm' | 'cpu'): KernelFunc {
  return ((args: Args) => {
    const h = host(b, args.backend);
    const { probs, targets, dy } = args.inputs;
    const [n, v] = probs.shape;
    const out = h.alloc([n, v]);
    const p = h.read(probs);
    const t = h.readInt(targets);
    const scale = h.read(dy)[0] / n;
    const o = h.write(out);
    for (let i = 0; i < n * v; i++) o[i] = p[i] * scale;
    for (let i = 0; i < n; i++) o[i * v + t[i]] -= scale;
    return out.info;
  }) as unknown as KernelFunc;
}

/** Registers the four kernels for wasm and cpu (idempotent). */
export function registerFusedOps(): void {
  for (const b of ['wasm', 'cpu'] as const) {
    const add = (name: string, f: KernelFunc) => { if (!getKernel(name, b)) registerKernel({ kernelName: name, backendName: b, kernelFunc: f }); };
    add(RMS, rmsNormKernel(b));
    add(RMS_GRAD, rmsNormGradKernel(b));
    add(XENT, xentKernel(b));
    add(XENT_GRAD, xentGradKernel(b));
  }
}

const fused = () => getKernel(RMS, tf.getBackend()) !== undefined;

/**
 * RMSNorm through a registered kernel pair: `forward` {x, g} → [y, r] (r = 1/rms per row) and `grad` {dy, x, g, r} → [dx, dg].
 * This file's JS kernels and blas-kernels.ts's C kernels share this wrapper.
 */
export function kernelRmsNorm(x: tf.Tensor, g: tf.Tensor, eps: number, forward: string, grad: string): tf.Tensor {
  const f = tf.customGrad(((xi: tf.Tensor, gi: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, r] = tf.engine().runKernel(forward, { x: xi, g: gi }, { eps }) as tf.Tensor[];
    save([xi, gi, r]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(grad, { dy, x: saved[0], g: saved[1], r: saved[2] }) as tf.Tensor[],
    };
  }) as never) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return f(x, g);
}

/** RMSNorm over the last axis of x [N, d] with gain g [d]. */
export function rmsNorm(x: tf.Tensor, g: tf.Tensor, eps: number): tf.Tensor {
  if (!fused()) return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), g);
  return kernelRmsNorm(x, g, eps, RMS, RMS_GRAD);
}

/** Mean next-token cross-entropy (nats/token) of logits [N, V] against int32 targets [N]. */
export function softmaxCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const V = logits.shape[1]!;
  if (!fused()) {
    // int32 then cast: wasm's OneHot kernel writes int32 values whatever dtype it is asked for.
    const onehot = tf.cast(tf.oneHot(targets as tf.Tensor1D, V, 1, 0, 'int32'), 'float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), onehot), 1))) as tf.Scalar;
  }
  const f = tf.customGrad(((l: tf.Tensor, save: tf.GradSaveFunc) => {
    const probs = tf.softmax(l);
    save([probs]);
    return {
      value: tf.engine().runKernel(XENT, { probs, targets }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(XENT_GRAD, { probs: saved[0], targets, dy }) as tf.Tensor,
    };
  }) as never) as unknown as (a: tf.Tensor) => tf.Scalar;
  return f(logits);
}
