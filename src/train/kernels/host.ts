// Host-side access to tensor memory for our JS kernels, on wasm (views into the wasm heap) and cpu (the backend's arrays).
import type { TensorInfo } from '@tensorflow/tfjs';
import { f32View, i32View, sizeOf, type WasmBackend } from './wasm-types.ts';

interface CpuBackend {
  data: { get(dataId: unknown): { values: Float32Array | Int32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

/** Read float32/int32 data and allocate float32 outputs. On wasm, re-read views after allocating (the heap may grow and detach them). */
export interface Host {
  read(t: TensorInfo): Float32Array;
  readInt(t: TensorInfo): Int32Array;
  alloc(shape: number[]): { info: TensorInfo; data: Float32Array };
  /** A fresh writable view of an allocated output (identity on cpu). */
  write(o: { info: TensorInfo; data: Float32Array }): Float32Array;
}

export function host(backendName: 'wasm' | 'cpu', backend: unknown): Host {
  if (backendName === 'wasm') {
    const b = backend as WasmBackend;
    return {
      read: (t) => f32View(b, t),
      readInt: (t) => i32View(b, t),
      alloc: (shape) => { const info = b.makeOutput(shape, 'float32'); return { info, data: f32View(b, info) }; },
      write: (o) => f32View(b, o.info),
    };
  }
  const b = backend as CpuBackend;
  return {
    read: (t) => b.data.get(t.dataId).values as Float32Array,
    readInt: (t) => b.data.get(t.dataId).values as Int32Array,
    alloc: (shape) => { const data = new Float32Array(sizeOf(shape)); return { info: b.makeTensorInfo(shape, 'float32', data), data }; },
    write: (o) => o.data,
  };
}
