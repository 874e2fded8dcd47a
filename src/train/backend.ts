// TensorFlow.js backend selection: auto (tfjs-node-gpu → tfjs-node → wasm), wasm (default, with our fast kernels), cpu (pure JS reference).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BACKENDS, type BackendName } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { registerWasmMatMul } from './kernels/matmul-wasm.ts';
import { registerWasmSegmentSum } from './kernels/segment-sum-wasm.ts';
import { registerWasmCopyFree } from './kernels/copy-free-wasm.ts';
import { registerAdamWKernels } from './kernels/adamw-kernel.ts';
import { registerFusedOps } from './kernels/fused-ops.ts';

const BACKEND_NAMES: readonly BackendName[] = BACKENDS;

let active: string | undefined;

/** Loads a native binding package by name; returns false when it is not installed or fails to load (e.g. no CUDA). */
async function tryImport(pkg: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ pkg);
    return true;
  } catch {
    return false;
  }
}

async function use(name: string): Promise<string> {
  if (name === 'wasm') {
    // Our kernels replace/extend the stock wasm ones; registration is idempotent and must precede setBackend's kernel setup.
    registerWasmMatMul();
    registerWasmSegmentSum();
    registerWasmCopyFree();
  }
  registerAdamWKernels();
  registerFusedOps();
  const ok = await tf.setBackend(name);
  if (!ok) throw new InputError(`backend '${name}' failed to initialise`, { field: '--backend' });
  await tf.ready();
  active = tf.getBackend();
  // The cpu backend prints a "use tfjs-node" banner on its first write; the choice here is deliberate, so silence it.
  if (active === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  return active;
}

/**
 * Selects and initialises the backend; returns the one actually in use. Idempotent: a second call with the same (or 'auto')
 * name returns the active backend. Must run before any tensor is created.
 */
export async function initBackend(name: BackendName = 'auto'): Promise<string> {
  if (!BACKEND_NAMES.includes(name)) throw new InputError(`unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`, { field: '--backend' });
  if (active !== undefined && (name === 'auto' || backendId(name) === active)) return active;
  switch (name) {
    case 'wasm':
    case 'cpu':
      return use(name);
    case 'node':
    case 'node-gpu': {
      const pkg = name === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      if (!(await tryImport(pkg))) {
        throw new InputError(`backend '${name}' needs ${pkg}, which is not installed or failed to load (npm install ${pkg})`, { field: '--backend' });
      }
      return use('tensorflow');
    }
    case 'auto':
      if ((await tryImport('@tensorflow/tfjs-node-gpu')) || (await tryImport('@tensorflow/tfjs-node'))) return use('tensorflow');
      return use('wasm');
  }
}

/** The tfjs registry id of a backend name (both native packages register as 'tensorflow'). */
function backendId(name: BackendName): string {
  return name === 'node' || name === 'node-gpu' ? 'tensorflow' : name;
}

/** The active backend, or undefined before initBackend. */
export function activeBackend(): string | undefined {
  return active;
}
