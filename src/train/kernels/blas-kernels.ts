// The `wasm-blas` path: tfjs-backend-wasm kernels that run in the native addon (OpenBLAS) on the wasm heap's memory in place.
// - BatchMatMul: every product (transposed, batched, broadcast) is one or a few sgemm calls; registered as a dispatcher that
//   runs the XNNPACK kernel of matmul-wasm.ts whenever the blas path is off, so the wasm path's numbers do not change.
// - Fused ops with hand-written gradients (wrapped with tf.customGrad): causal RoPE attention for all heads of a layer,
//   SwiGLU, RMSNorm and softmax cross-entropy — one kernel each way where tfjs would run 6–40 small ones.
// Offsets are taken after every output is allocated and the heap's ArrayBuffer is re-read on every call (allocation can grow
// the wasm memory, which replaces the buffer); offsets themselves never move.
import * as tf from '@tensorflow/tfjs';
import { BatchMatMul, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { sizeOf, type WasmBackend } from './wasm-types.ts';
import { broadcastIndex, fastBatchMatMul, matMulGeometry } from './matmul-wasm.ts';
import { kernelRmsNorm } from './fused-ops.ts';
import type { BlasAddon } from './blas-addon.ts';

const ATTENTION = 'ScalingBlasAttention';
const ATTENTION_GRAD = 'ScalingBlasAttentionGrad';
const SWIGLU = 'ScalingBlasSwiglu';
const SWIGLU_GRAD = 'ScalingBlasSwigluGrad';
const RMS = 'ScalingBlasRmsNorm';
const RMS_GRAD = 'ScalingBlasRmsNormGrad';
const XENT = 'ScalingBlasXent';
const XENT_GRAD = 'ScalingBlasXentGrad';

let addon: BlasAddon | undefined;

/** Turns the blas path on (an addon) or off (undefined) for the wasm backend's BatchMatMul and the fused ops below. */
export function setBlasKernels(a: BlasAddon | undefined): void {
  addon = a;
}

/** The addon when the blas path is on and the wasm backend is active. */
export function activeBlas(): BlasAddon | undefined {
  return addon !== undefined && tf.getBackend() === 'wasm' ? addon : undefined;
}

type Args = { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: NamedAttrMap };

const heapOf = (b: WasmBackend): ArrayBufferLike => b.wasm.HEAPU8.buffer;
const offsetOf = (b: WasmBackend, t: TensorInfo): number => b.dataIdMap.get(t.dataId).memoryOffset;

function need(): BlasAddon {
  if (!addon) throw new Error('wasm-blas kernel called while the blas path is off (initBackend("wasm-blas") first)');
  return addon;
}

function blasBatchMatMul(args: Args): TensorInfo {
  const { inputs: { a, b }, backend, attrs } = args;
  const A = need();
  const ta = Boolean(attrs.transposeA);
  const tb = Boolean(attrs.transposeB);
  const { m, k, n, aOuter, bOuter, outOuter, batchA, batchB, batch } = matMulGeometry(a, b, ta, tb);
  const out = backend.makeOutput([...outOuter, m, n], 'float32');
  if (batch * m * n === 0) return out;
  if (k === 0) {
    new Float32Array(heapOf(backend), offsetOf(backend, out), batch * m * n).fill(0);
    return out;
  }
  const heap = heapOf(backend);
  const ao = offsetOf(backend, a);
  const bo = offsetOf(backend, b);
  const co = offsetOf(backend, out);
  const lda = ta ? m : k;
  const ldb = tb ? k : n;
  const T = (x: boolean) => (x ? 1 : 0);
  if (batchB === 1 && !ta && batchA === batch) {
    // A shared right operand: every left batch stacked into the rows of one [batch·m, k] × [k, n] product.
    A.sgemm(heap, 0, T(tb), batch * m, n, k, ao, lda, bo, ldb, 0, co, n, 1, 0, 0, 0);
  } else if ((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1)) {
    A.sgemm(heap, T(ta), T(tb), m, n, k, ao, lda, bo, ldb, 0, co, n, batch, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n);
  } else {
    const ia = broadcastIndex(outOuter, aOuter);
    const ib = broadcastIndex(outOuter, bOuter);
    for (let i = 0; i < batch; i++) {
      A.sgemm(heap, T(ta), T(tb), m, n, k, ao + ia[i] * m * k * 4, lda, bo + ib[i] * k * n * 4, ldb, 0, co + i * m * n * 4, n, 1, 0, 0, 0);
    }
  }
  return out;
}

function dispatchBatchMatMul(args: Args): TensorInfo {
  return addon ? blasBatchMatMul(args) : fastBatchMatMul(args as never);
}

interface AttentionDims { B: number; T: number; hq: number; hkv: number; hd: number }

function dimsOf(attrs: NamedAttrMap): AttentionDims {
  return { B: Number(attrs.B), T: Number(attrs.T), hq: Number(attrs.hq), hkv: Number(attrs.hkv), hd: Number(attrs.hd) };
}

function checkAttention(qkv: TensorInfo, cos: TensorInfo, sin: TensorInfo, d: AttentionDims): void {
  const W = (d.hq + 2 * d.hkv) * d.hd;
  const ok = qkv.shape.length === 2 && qkv.shape[0] === d.B * d.T && qkv.shape[1] === W && sizeOf(cos.shape) === d.T * W && sizeOf(sin.shape) === d.T * W;
  if (!ok) throw new Error(`attention: qkv [${qkv.shape}] and RoPE tables [${cos.shape}] do not fit B=${d.B} T=${d.T} heads ${d.hq}/${d.hkv} × ${d.hd}`);
}

function attentionKernel(args: Args): TensorInfo[] {
  const { inputs: { qkv, cos, sin }, backend, attrs } = args;
  const d = dimsOf(attrs);
  checkAttention(qkv, cos, sin, d);
  const out = backend.makeOutput([d.B * d.T, d.hq * d.hd], 'float32');
  const qkvr = backend.makeOutput(qkv.shape, 'float32');
  const probs = backend.makeOutput([d.B, d.hq, d.T, d.T], 'float32');
  const o = (t: TensorInfo) => offsetOf(backend, t);
  need().attention(heapOf(backend), o(qkv), o(cos), o(sin), o(out), o(qkvr), o(probs), d.B, d.T, d.hq, d.hkv, d.hd);
  return [out, qkvr, probs];
}

function attentionGradKernel(args: Args): TensorInfo {
  const { inputs: { dout, qkvr, probs, cos, sin }, backend, attrs } = args;
  const d = dimsOf(attrs);
  checkAttention(qkvr, cos, sin, d);
  const dqkv = backend.makeOutput(qkvr.shape, 'float32');
  const o = (t: TensorInfo) => offsetOf(backend, t);
  need().attentionGrad(heapOf(backend), o(dout), o(qkvr), o(probs), o(cos), o(sin), o(dqkv), d.B, d.T, d.hq, d.hkv, d.hd);
  return dqkv;
}

function swigluKernel(args: Args): TensorInfo {
  const { inputs: { gu }, backend } = args;
  const [rows, f2] = gu.shape;
  const h = backend.makeOutput([rows, f2 / 2], 'float32');
  need().swiglu(heapOf(backend), offsetOf(backend, gu), offsetOf(backend, h), rows, f2 / 2);
  return h;
}

function swigluGradKernel(args: Args): TensorInfo {
  const { inputs: { dh, gu }, backend } = args;
  const [rows, f2] = gu.shape;
  const dgu = backend.makeOutput(gu.shape, 'float32');
  need().swigluGrad(heapOf(backend), offsetOf(backend, dh), offsetOf(backend, gu), offsetOf(backend, dgu), rows, f2 / 2);
  return dgu;
}

function rmsKernel(args: Args): TensorInfo[] {
  const { inputs: { x, g }, backend, attrs } = args;
  const d = x.shape[x.shape.length - 1];
  const rows = sizeOf(x.shape) / d;
  const y = backend.makeOutput(x.shape, 'float32');
  const r = backend.makeOutput([rows], 'float32');
  const o = (t: TensorInfo) => offsetOf(backend, t);
  need().rmsNorm(heapOf(backend), o(x), o(g), o(y), o(r), rows, d, Number(attrs.eps));
  return [y, r];
}

function rmsGradKernel(args: Args): TensorInfo[] {
  const { inputs: { dy, x, g, r }, backend } = args;
  const d = x.shape[x.shape.length - 1];
  const rows = r.shape[0];
  const dx = backend.makeOutput(x.shape, 'float32');
  const dg = backend.makeOutput([d], 'float32');
  const o = (t: TensorInfo) => offsetOf(backend, t);
  need().rmsNormGrad(heapOf(backend), o(dy), o(x), o(g), o(r), o(dx), o(dg), rows, d);
  return [dx, dg];
}

function xentKernel(args: Args): TensorInfo[] {
  const { inputs: { logits, targets }, backend } = args;
  if (targets.dtype !== 'int32' || logits.dtype !== 'float32') throw new Error('cross-entropy: float32 logits and int32 targets expected');
  const [n, v] = logits.shape;
  const loss = backend.makeOutput([], 'float32');
  const probs = backend.makeOutput([n, v], 'float32');
  const value = need().xent(heapOf(backend), offsetOf(backend, logits), offsetOf(backend, targets), offsetOf(backend, probs), n, v);
  new Float32Array(heapOf(backend), offsetOf(backend, loss), 1)[0] = value;
  return [loss, probs];
}

function xentGradKernel(args: Args): TensorInfo {
  const { inputs: { probs, targets, dy }, backend } = args;
  const [n, v] = probs.shape;
  const out = backend.makeOutput([n, v], 'float32');
  const scale = new Float32Array(heapOf(backend), offsetOf(backend, dy), 1)[0] / n;
  need().xentGrad(heapOf(backend), offsetOf(backend, probs), offsetOf(backend, targets), offsetOf(backend, out), n, v, scale);
  return out;
}

/**
 * Installs the BatchMatMul dispatcher (over whatever wasm BatchMatMul is registered: call after registerWasmMatMul) and the
 * fused kernels for the wasm backend. Idempotent.
 */
export function registerBlasKernels(): void {
  const current = getKernel(BatchMatMul, 'wasm');
  if (current?.kernelFunc !== (dispatchBatchMatMul as unknown as KernelFunc)) {
    if (current) unregisterKernel(BatchMatMul, 'wasm');
    registerKernel({ kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: dispatchBatchMatMul as unknown as KernelFunc });
  }
  const add = (name: string, f: unknown) => { if (!getKernel(name, 'wasm')) registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: f as KernelFunc }); };
  add(ATTENTION, attentionKernel);
  add(ATTENTION_GRAD, attentionGradKernel);
  add(SWIGLU, swigluKernel);
  add(SWIGLU_GRAD, swigluGradKernel);
  add(RMS, rmsKernel);
  add(RMS_GRAD, rmsGradKernel);
  add(XENT, xentKernel);
  add(XENT_GRAD, xentGradKernel);
}

/**
 * Causal self-attention of all heads of a layer from the fused projection qkv [B·T, (hq + 2·hkv)·hd]: RoPE on q and k (the
 * rotate-half tables of model.ts, [T, hq + 2·hkv, hd], with 1/√hd folded into q's rows), scores, causal softmax, weighted
 * values, heads merged → [B·T, hq·hd]. GQA: query head h reads k/v head ⌊h / (hq/hkv)⌋.
 */
export function blasAttention(qkv: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, dims: AttentionDims): tf.Tensor {
  const attrs = { ...dims } as unknown as NamedAttrMap;
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [out, qkvr, probs] = tf.engine().runKernel(ATTENTION, { qkv: x, cos, sin }, attrs) as tf.Tensor[];
    save([qkvr, probs]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(ATTENTION_GRAD, { dout: dy, qkvr: saved[0], probs: saved[1], cos, sin }, attrs) as tf.Tensor,
    };
  }) as never) as unknown as (x: tf.Tensor) => tf.Tensor;
  return f(qkv);
}

/** SwiGLU gate (Shazeer 2020) on gu = [g | u] [N, 2f]: silu(g) ⊙ u [N, f]. */
export function blasSwiglu(gu: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.engine().runKernel(SWIGLU, { gu: x }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(SWIGLU_GRAD, { dh: dy, gu: saved[0] }) as tf.Tensor,
    };
  }) as never) as unknown as (x: tf.Tensor) => tf.Tensor;
  return f(gu);
}

/** RMSNorm of x [N, d] with gain g [d] (the arithmetic of fused-ops.ts's JS kernel, in C: the same bits). */
export function blasRmsNorm(x: tf.Tensor, g: tf.Tensor, eps: number): tf.Tensor {
  return kernelRmsNorm(x, g, eps, RMS, RMS_GRAD);
}

/** Mean next-token cross-entropy (nats/token) of logits [N, V] against int32 targets [N]; softmax and loss in one pass. */
export function blasSoftmaxCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const f = tf.customGrad(((l: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, probs] = tf.engine().runKernel(XENT, { logits: l, targets }) as tf.Tensor[];
    save([probs]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(XENT_GRAD, { probs: saved[0], targets, dy }) as tf.Tensor,
    };
  }) as never) as unknown as (a: tf.Tensor) => tf.Scalar;
  return f(logits);
}
