// The slice of tfjs-backend-wasm's BackendWasm internals our JS kernels use (heap, tensor registry), typed once.
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

export interface WasmModule {
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  HEAPU8: Uint8Array;
  cwrap(name: string, ret: null | 'number', args: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: DataId): { id: number; memoryOffset: number; shape: number[]; dtype: string } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  refCount(dataId: DataId): number;
}

/** Float32 view of a wasm tensor's memory (re-created on every call: the heap's ArrayBuffer changes when memory grows). */
export function f32View(backend: WasmBackend, t: TensorInfo): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId);
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, sizeOf(t.shape));
}

export function i32View(backend: WasmBackend, t: TensorInfo): Int32Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId);
  return new Int32Array(backend.wasm.HEAPU8.buffer, memoryOffset, sizeOf(t.shape));
}

export function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}
