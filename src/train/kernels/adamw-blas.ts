// AdamW and the global gradient norm for the wasm-blas path: one native call each per step, over all parameters at once, in
// place on the variables' wasm memory (no new tensors, no assign). The arithmetic is adamw-kernel.ts's, operation for
// operation in float64, so the updated parameters and moments have the same bits as the wasm path's kernel gives.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-types.ts';
import type { AdamWAttrs } from './adamw-kernel.ts';
import type { BlasAddon } from './blas-addon.ts';

function wasmBackend(): WasmBackend {
  return tf.backend() as unknown as WasmBackend;
}

function offset(b: WasmBackend, t: tf.Tensor): number {
  return b.dataIdMap.get(t.dataId).memoryOffset;
}

/** Σ over tensors of Σ x², accumulated in float64 in order (the fused JS kernel's sum). */
export function blasSumSquares(addon: BlasAddon, tensors: tf.Tensor[]): number {
  const b = wasmBackend();
  const table = new Float64Array(2 * tensors.length);
  tensors.forEach((t, i) => {
    if (t.dtype !== 'float32') throw new Error('sumSquares: float32 tensors only');
    table[2 * i] = offset(b, t);
    table[2 * i + 1] = t.size;
  });
  return addon.sumSquares(b.wasm.HEAPU8.buffer, table);
}

/** One parameter's update: its variable, gradient, moments and weight decay. */
export interface AdamWEntry {
  param: tf.Variable;
  grad: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
  weightDecay: number;
}

/**
 * Applies AdamW to every entry in place. Safe because nothing else holds these variables' memory between steps (the
 * gradient tape and its saved tensors are gone once the gradients are returned).
 */
export function blasAdamWInPlace(addon: BlasAddon, entries: AdamWEntry[], a: Omit<AdamWAttrs, 'weightDecay'>): void {
  const b = wasmBackend();
  const table = new Float64Array(6 * entries.length);
  entries.forEach((e, i) => {
    const n = e.param.size;
    if (e.grad.size !== n || e.m.size !== n || e.v.size !== n) throw new Error(`AdamW: sizes differ (${n}, ${e.grad.size}, ${e.m.size}, ${e.v.size})`);
    for (const t of [e.param, e.m, e.v]) {
      if (b.refCount(t.dataId) !== 1) throw new Error(`AdamW: variable ${t.name} shares its memory with another tensor; cannot update it in place`);
    }
    table.set([offset(b, e.param), offset(b, e.grad), offset(b, e.m), offset(b, e.v), n, e.weightDecay], 6 * i);
  });
  addon.adamw(b.wasm.HEAPU8.buffer, table, a.lr, a.beta1, a.beta2, a.eps, a.bc1, a.bc2, a.scale);
}
