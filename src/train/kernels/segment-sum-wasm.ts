// Embedding-lookup kernels for tfjs-backend-wasm, as JS over heap views:
// - UnsortedSegmentSum (missing on wasm): out[s, :] = Σ_{i : ids[i] = s} x[i, :]; ids outside [0, numSegments) are dropped,
//   as in TensorFlow. tf.gather's gradient needs it, so without it an embedding cannot be trained on wasm.
// - GatherV2 on axis 0 of a float32 table (the embedding lookup): row copies; the stock kernel first copies the indices out of
//   the heap and then gathers element by element. Other gathers fall through to the stock kernel.
import { GatherV2, getKernel, registerKernel, unregisterKernel, UnsortedSegmentSum } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
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

let stockGather: KernelConfig | undefined;
let stockGatherReady: unknown;

function gatherRows(args: { inputs: { x: TensorInfo; indices: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  const { inputs: { x, indices }, backend, attrs } = args;
  const axis = Number(attrs.axis);
  if (x.dtype !== 'float32' || indices.dtype !== 'int32' || Number(attrs.batchDims ?? 0) !== 0 || (axis !== 0 && axis !== -x.shape.length)) {
    // The stock kernel's setup (its cwrap) never ran: it was unregistered before the backend initialised.
    if (stockGatherReady !== backend) { stockGather!.setupFunc?.(backend as never); stockGatherReady = backend; }
    return stockGather!.kernelFunc(args as never) as TensorInfo;
  }
  const rows = x.shape[0];
  const inner = sizeOf(x.shape.slice(1));
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
  const o = f32View(backend, out);
  const xs = f32View(backend, x);
  const ids = i32View(backend, indices);
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i];
    if (r < 0 || r >= rows) throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
    const src = r * inner;
    const dst = i * inner;
    if (inner >= 32) o.set(xs.subarray(src, src + inner), dst);
    else for (let j = 0; j < inner; j++) o[dst + j] = xs[src + j];
  }
  return out;
}

/** Registers UnsortedSegmentSum and the row-gather GatherV2 for wasm (idempotent). */
export function registerWasmSegmentSum(): void {
  if (!getKernel(UnsortedSegmentSum, 'wasm')) {
    registerKernel({ kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as KernelFunc });
  }
  const g = getKernel(GatherV2, 'wasm');
  if (g && g.kernelFunc !== (gatherRows as unknown as KernelFunc)) {
    stockGather = g;
    unregisterKernel(GatherV2, 'wasm');
    registerKernel({ kernelName: GatherV2, backendName: 'wasm', kernelFunc: gatherRows as unknown as KernelFunc });
  }
}
