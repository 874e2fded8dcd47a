// One fused AdamW update per parameter tensor as a JS kernel ('ScalingAdamW') for the wasm and cpu backends, plus a fused
// sum of squares for the global gradient norm. Replaces ~12 tfjs ops per parameter (each with dispatch and bookkeeping) by
// one pass over the heap; the arithmetic (in float64, stored as float32) is src/train/adamw.ts's `adamwElement`.
import { getKernel, registerKernel } from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { host } from './host.ts';

export const ADAMW_KERNEL = 'ScalingAdamW';
export const SUMSQ_KERNEL = 'ScalingSumSquares';

/** Hyper-parameters of one update, as kernel attrs. `scale` is the clipping factor applied to the gradient. */
export interface AdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (0 for parameters that are not decayed). */
  weightDecay: number;
  /** 1 − β1^t and 1 − β2^t (bias corrections, t = step after this update). */
  bc1: number;
  bc2: number;
  scale: number;
}

/**
 * AdamW on flat arrays (Loshchilov & Hutter; PyTorch's convention), for each element:
 *   g ← scale·g;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   θ ← θ − lr·wd·θ − lr·(m / bc1) / (√(v / bc2) + ε)
 */
export function adamwArrays(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array,
  outTheta: Float32Array, outM: Float32Array, outV: Float32Array, a: AdamWAttrs): void {
  const { lr, beta1, beta2, eps, weightDecay, bc1, bc2, scale } = a;
  const decay = lr * weightDecay;
  const step = lr / bc1;
  const invBc2 = 1 / bc2;
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i] * scale;
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    const th = theta[i];
    outM[i] = mi;
    outV[i] = vi;
    outTheta[i] = th - decay * th - (step * mi) / (Math.sqrt(vi * invBc2) + eps);
  }
}

function makeAdamW(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap }) => {
    const { inputs: { param, grad, m, v }, backend, attrs } = args;
    const h = host(backendName, backend);
    const shape = param.shape;
    const pt = h.alloc(shape);
    const pm = h.alloc(shape);
    const pv = h.alloc(shape);
    // Read views after the allocations (a wasm allocation may grow the heap and detach earlier views).
    const views = [h.read(param), h.read(grad), h.read(m), h.read(v)];
    const out = [h.write(pt), h.write(pm), h.write(pv)];
    adamwArrays(views[0], views[1], views[2], views[3], out[0], out[1], out[2], attrs as unknown as AdamWAttrs);
    return [pt.info, pm.info, pv.info];
  }) as unknown as KernelFunc;
}

/** Σx² of every input tensor, in float64, returned as a float32 scalar tensor whose value is the (float64-rounded) sum. */
function makeSumSquares(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ((args: { inputs: Record<string, TensorInfo>; backend: unknown }) => {
    const h = host(backendName, args.backend);
    const out = h.alloc([]);
    let s = 0;
    for (const t of Object.values(args.inputs)) {
      const x = h.read(t);
      for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    }
    h.write(out)[0] = s;
    return out.info;
  }) as unknown as KernelFunc;
}

/** Registers both kernels for wasm and cpu (idempotent). */
export function registerAdamWKernels(): void {
  for (const b of ['wasm', 'cpu'] as const) {
    if (!getKernel(ADAMW_KERNEL, b)) registerKernel({ kernelName: ADAMW_KERNEL, backendName: b, kernelFunc: makeAdamW(b) });
    if (!getKernel(SUMSQ_KERNEL, b)) registerKernel({ kernelName: SUMSQ_KERNEL, backendName: b, kernelFunc: makeSumSquares(b) });
  }
}

/** True when the fused kernels exist for the active backend. */
export function hasFusedAdamW(backendName: string): boolean {
  return getKernel(ADAMW_KERNEL, backendName) !== undefined;
}
