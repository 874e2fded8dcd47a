// UnsortedSegmentSum for tfjs-backend-wasm (missing there): a JS scatter-add over heap views. tf.gather's gradient needs it,
// so without it an embedding lookup cannot be trained on wasm. out[s, :] = Σ_{i : ids[i] = s} x[i, :]; ids outside
// [0, numSegments) are dropped, as in TensorFlow.
import { getKernel, registerKernel, UnsortedSegmentSum } from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { f32View, i32View, sizeOf, type WasmBackend } from './wasm-types.ts';

function unsortedSegmentSum(args: { inputs: { x: TensorInfo; segmentIds: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  const { inputs: { x, segmentIds }, backend, attrs } = args;
  const numSegments = Number(attrs.numSegments);
  if (x.dtype !== 'float32') throw new Error('UnsortedSegmentSum (wasm): only float32 is supported');
  if (segmentIds.dtype !== 'int32') throw new Error('UnsortedSegmentSum (wasm): segmentIds must be int32');
  const idRank = segmentIds.shape.length;
  for (let i = 0; i < idRank; i++) {
    if (segmentIds.shape[i] !== x.shape[i]) throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} must prefix x shape ${x.shape}`);
  }
  const inner = sizeOf(x.shape.slice(idRank));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(idRank)], 'float32');
  // Views after makeOutput: an allocation may grow (and detach) the heap.
  const o = f32View(backend, out);
  const xs = f32View(backend, x);
  const ids = i32View(backend, segmentIds);
  o.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
  }
  return out;
}

/** Registers the kernel for wasm unless some kernel is already registered (idempotent). */
export function registerWasmSegmentSum(): void {
  if (getKernel(UnsortedSegmentSum, 'wasm')) return;
  registerKernel({ kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as KernelFunc });
}
