// A replacement BatchMatMul kernel for tfjs-backend-wasm: every matmul becomes untransposed 2-D calls of the stock kernel, so
// transposed, batched and broadcast products (all of backprop, all of attention) take XNNPACK's fast path instead of a scalar loop.
//
// The stock C kernel uses XNNPACK only when transposeA = transposeB = false and both batch sizes are 1. We therefore
// 1. materialise transposes with the wasm Transpose kernel (one pass over memory, far cheaper than the scalar matmul),
// 2. fold a shared right operand into the rows: [B, m, k] × [k, n] is one [B·m, k] × [k, n] call,
// 3. otherwise loop over the output batch, registering zero-copy views (tensor ids pointing into the operands' and the output's
//    heap memory) so each 2-D call reads its slices in place and writes straight into the output — no copies, no tf.slice.
// (Computing a weight gradient Xᵀ·dY as (dYᵀ·X)ᵀ, to pack the smaller operand, was measured slower: the wasm Transpose of the
// large dY costs more than XNNPACK's packing of it.)
// XNNPACK caches a packed operator per right-operand id (shape not in the key); every right operand goes through a view id that
// is disposed right after its call, which drops that cache entry.
import { BatchMatMul, broadcast_util, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { sizeOf, type WasmBackend } from './wasm-types.ts';

type CMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: number, transposeB: number, outId: number) => void;

let stock: KernelConfig | undefined;
let cMatMul: CMatMul | undefined;
let cMatMulModule: unknown;

/** The stock wasm BatchMatMul kernel, as registered before ours replaced it (for tests and benchmarks). */
export function stockBatchMatMul(): KernelConfig | undefined {
  return stock;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function cFunction(backend: WasmBackend): CMatMul {
  if (!cMatMul || cMatMulModule !== backend.wasm) {
    cMatMul = backend.wasm.cwrap(BatchMatMul, null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as CMatMul;
    cMatMulModule = backend.wasm;
  }
  return cMatMul;
}

/** Registers a tensor id over existing heap memory (no allocation); release with `dropView`. */
function view(backend: WasmBackend, byteOffset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, byteOffset);
  return id;
}

function dropView(backend: WasmBackend, id: number): void {
  backend.wasm.tfjs.disposeData(id);
}

/** [rows, cols] of the last two axes as a rank-3 tensor [batch, cols, rows] transposed to [batch, rows, cols]. */
function materialiseTranspose(backend: WasmBackend, t: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const transpose = getKernel('Transpose', 'wasm')!.kernelFunc;
  const x: TensorInfo = { dataId: t.dataId, shape: [batch, cols, rows], dtype: 'float32' };
  return transpose({ inputs: { x }, backend: backend as never, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

/** For each output batch index, the batch index of an operand whose outer dims broadcast against `outOuter`. */
export function broadcastIndex(outOuter: number[], operandOuter: number[]): Int32Array {
  const total = sizeOf(outOuter);
  const idx = new Int32Array(total);
  const offset = outOuter.length - operandOuter.length;
  const stride: number[] = new Array(operandOuter.length);
  let s = 1;
  for (let j = operandOuter.length - 1; j >= 0; j--) { stride[j] = s; s *= operandOuter[j]; }
  for (let i = 0; i < total; i++) {
    let rem = i;
    let k = 0;
    for (let d = outOuter.length - 1; d >= 0; d--) {
      const c = rem % outOuter[d];
      rem = (rem - c) / outOuter[d];
      const j = d - offset;
      if (j >= 0 && operandOuter[j] !== 1) k += c * stride[j];
    }
    idx[i] = k;
  }
  return idx;
}

/** A BatchMatMul's geometry (tfjs semantics: float32, broadcast outer dimensions); shared by this kernel and the wasm-blas one. */
export interface MatMulGeometry {
  m: number; k: number; n: number;
  aOuter: number[]; bOuter: number[]; outOuter: number[];
  batchA: number; batchB: number; batch: number;
}

/** Checks dtypes and inner sizes (with tfjs's own error text) and returns the product's geometry. */
export function matMulGeometry(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulGeometry {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul: only float32 is supported');
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outOuter = broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  return { m, k, n, aOuter, bOuter, outOuter, batchA: sizeOf(aOuter), batchB: sizeOf(bOuter), batch: sizeOf(outOuter) };
}

export function fastBatchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const { m, k, n, aOuter, bOuter, outOuter, batchA, batchB, batch } = matMulGeometry(a, b, transposeA, transposeB);
  if (batch * m * n === 0 || k === 0) {
    const out = backend.makeOutput([...outOuter, m, n], 'float32');
    new Float32Array(backend.wasm.HEAPU8.buffer, backend.dataIdMap.get(out.dataId).memoryOffset, batch * m * n).fill(0);
    return out;
  }
  const out = backend.makeOutput([...outOuter, m, n], 'float32');

  const a2 = transposeA ? materialiseTranspose(backend, a, batchA, m, k) : a; // [batchA, m, k] in memory
  const b2 = transposeB ? materialiseTranspose(backend, b, batchB, k, n) : b; // [batchB, k, n] in memory
  const call = cFunction(backend);
  const aInfo = backend.dataIdMap.get(a2.dataId);
  const bInfo = backend.dataIdMap.get(b2.dataId);
  const outOffset = backend.dataIdMap.get(out.dataId).memoryOffset;

  if (batchB === 1 && (batchA === batch || batchA === 1)) {
    // One call: stack every left batch into the rows of a single [batchA·m, k] × [k, n] product. b goes through a fresh view
    // id too: XNNPACK keys its packed-weights cache by tensor id only, and reshapes share ids, so a reshaped b could hit a
    // stale operator packed for another shape.
    const rows = batchA * m;
    const bId = view(backend, bInfo.memoryOffset, k * n);
    const outId = view(backend, outOffset, rows * n);
    call(aInfo.id, shapeBytes([1, rows, k]), 3, bId, shapeBytes([1, k, n]), 3, 0, 0, outId);
    dropView(backend, bId);
    dropView(backend, outId);
  } else {
    const ia = broadcastIndex(outOuter, aOuter);
    const ib = broadcastIndex(outOuter, bOuter);
    const aShape = shapeBytes([1, m, k]);
    const bShape = shapeBytes([1, k, n]);
    let lastB = -1;
    let bId = 0;
    for (let i = 0; i < batch; i++) {
      const aId = view(backend, aInfo.memoryOffset + ia[i] * m * k * 4, m * k);
      if (ib[i] !== lastB) {
        if (bId) dropView(backend, bId);
        bId = view(backend, bInfo.memoryOffset + ib[i] * k * n * 4, k * n);
        lastB = ib[i];
      }
      const outId = view(backend, outOffset + i * m * n * 4, m * n);
      call(aId, aShape, 3, bId, bShape, 3, 0, 0, outId);
      dropView(backend, aId);
      dropView(backend, outId);
    }
    if (bId) dropView(backend, bId);
  }
  if (a2 !== a) backend.disposeData(a2.dataId);
  if (b2 !== b) backend.disposeData(b2.dataId);
  return out;
}

/** Replaces the wasm BatchMatMul kernel with the fast one (idempotent). Call before the wasm backend is first used. */
export function registerWasmMatMul(): void {
  const current = getKernel(BatchMatMul, 'wasm');
  if (current && current.kernelFunc === (fastBatchMatMul as unknown as KernelFunc)) return;
  if (current) {
    stock = current;
    unregisterKernel(BatchMatMul, 'wasm');
  }
  registerKernel({ kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: fastBatchMatMul as unknown as KernelFunc });
}
