// What trained the rows of this process: the backend path and the matrix library under it, for the run CSV's provenance
// columns (backend, blas). Set by initBackend (src/train/backend.ts); no TensorFlow.js import, so the loop can read it cheaply.

export interface TrainProvenance {
  /** The backend path: wasm, wasm-blas, cpu, node or node-gpu ('' before a backend is initialised). */
  backend: string;
  /** The matrix library and its build, e.g. 'OpenBLAS 0.3.21 Zen' (wasm-blas) or 'XNNPACK tfjs-backend-wasm 4.22.0' (wasm). */
  blas: string;
}

let current: TrainProvenance = { backend: '', blas: '' };

export function setTrainProvenance(p: TrainProvenance): void {
  current = { ...p };
}

export function trainProvenance(): TrainProvenance {
  return { ...current };
}
