// Copy-free replacements for tfjs-backend-wasm's data-movement kernels, which dominate small training steps:
// - Identity and same-dtype Cast copy the whole tensor on wasm (every Multiply gradient casts its operand to float32);
//   here they share the input's memory (reference count +1), as the cpu backend does. Tensors are immutable, so this is safe.
// - Slice (and SplitV, which calls it) first copies the WHOLE input out of the heap (readSync) and then copies rows of the
//   innermost axis one `set` at a time; here it copies maximal contiguous runs straight between heap views.
import { Cast, Identity, Slice, SplitV, backend_util, getKernel, registerKernel, slice_util, unregisterKernel, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { sizeOf, type WasmBackend } from './wasm-types.ts';

interface RefCounting { incRef(dataId: unknown): void }

function shareMemory(backend: WasmBackend, x: TensorInfo, dtype = x.dtype): TensorInfo {
  (backend as unknown as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype };
}

function identity(args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo {
  return shareMemory(args.backend, args.inputs.x);
}

let stockCast: KernelFunc | undefined;
function cast(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  if (args.attrs.dtype === args.inputs.x.dtype) return shareMemory(args.backend, args.inputs.x);
  return stockCast!(args as never) as TensorInfo;
}

function typedView(backend: WasmBackend, t: TensorInfo): Float32Array | Int32Array | Uint8Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId);
  const buf = backend.wasm.HEAPU8.buffer;
  const n = sizeOf(t.shape);
  if (t.dtype === 'float32') return new Float32Array(buf, memoryOffset, n);
  if (t.dtype === 'int32') return new Int32Array(buf, memoryOffset, n);
  if (t.dtype === 'bool') return new Uint8Array(buf, memoryOffset, n);
  throw new Error(`Slice (wasm): unsupported dtype ${t.dtype}`);
}

/** Copies x[begin : begin+size] into a new tensor, one contiguous run at a time. */
export function sliceCopy(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = sizeOf(size);
  if (total === 0) return out;
  const xs = typedView(backend, x);
  const os = typedView(backend, out);
  const rank = x.shape.length;
  if (rank === 0) {
    os[0] = xs[0];
    return out;
  }
  // Trailing axes taken whole merge into one contiguous run with the last partially-taken axis.
  let a = rank - 1;
  while (a > 0 && size[a] === x.shape[a] && begin[a] === 0) a--;
  const strides = util.computeStrides(x.shape);
  const inner = sizeOf(x.shape.slice(a + 1));
  const run = size[a] * inner;
  const outer = total / run;
  const idx = new Array<number>(a).fill(0);
  let base = 0;
  for (let d = 0; d <= a; d++) base += begin[d] * (d === rank - 1 ? 1 : strides[d]);
  let o = 0;
  for (let r = 0; r < outer; r++) {
    let off = base;
    for (let d = 0; d < a; d++) off += idx[d] * strides[d];
    if (run >= 32) os.set(xs.subarray(off, off + run), o);
    else for (let j = 0; j < run; j++) os[o + j] = xs[off + j];
    o += run;
    for (let d = a - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function slice(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (x.dtype === 'string') return stockSlice!(args as never) as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number[], attrs.size as number[]);
  return sliceCopy(backend, x, begin, size);
}

function splitV(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo[] {
  const { inputs: { x }, backend, attrs } = args;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number[], axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const piece = sliceCopy(backend, x, begin.slice(), size);
    begin[axis] += s;
    return piece;
  });
}

let stockSlice: KernelFunc | undefined;

function replace(name: string, fn: unknown): KernelConfig | undefined {
  const current = getKernel(name, 'wasm');
  if (current?.kernelFunc === fn) return undefined;
  if (current) unregisterKernel(name, 'wasm');
  registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as KernelFunc });
  return current;
}

/** Installs the copy-free Identity, Cast, Slice and SplitV kernels for wasm (idempotent). */
export function registerWasmCopyFree(): void {
  const c = replace(Cast, cast);
  if (c) stockCast = c.kernelFunc;
  const s = replace(Slice, slice);
  if (s) stockSlice = s.kernelFunc;
  replace(Identity, identity);
  replace(SplitV, splitV);
}
