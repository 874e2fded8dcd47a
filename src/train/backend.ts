// TensorFlow.js backend selection: auto (tfjs-node-gpu → tfjs-node → wasm-blas → wasm), wasm (our kernels), wasm-blas (wasm
// with the native OpenBLAS addon's kernels), cpu (pure JS reference). Records what was chosen for the run rows' provenance.
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { BACKENDS, type BackendName } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { registerWasmMatMul } from './kernels/matmul-wasm.ts';
import { registerWasmSegmentSum } from './kernels/segment-sum-wasm.ts';
import { registerWasmCopyFree } from './kernels/copy-free-wasm.ts';
import { registerAdamWKernels } from './kernels/adamw-kernel.ts';
import { registerFusedOps } from './kernels/fused-ops.ts';
import { registerBlasKernels, setBlasKernels } from './kernels/blas-kernels.ts';
import { describeBlas, loadBlasAddon, noteBlasFallbackOnce, type BlasLoad } from './kernels/blas-addon.ts';
import { setTrainProvenance } from './provenance.ts';

const BACKEND_NAMES: readonly BackendName[] = BACKENDS;

/** The tfjs registry id in use ('wasm', 'cpu', 'tensorflow'), and the path on it (wasm and wasm-blas share 'wasm'). */
let active: string | undefined;
let activeName: Exclude<BackendName, 'auto'> | undefined;
let kernelsRegistered = false;
let nativeTf: { pkg: string; version: string } | undefined;

/** Loads a native binding package by name; returns its version, or undefined when it is not installed or fails to load (e.g. no CUDA). */
async function tryImport(pkg: string): Promise<string | undefined> {
  try {
    const m = (await import(/* @vite-ignore */ pkg)) as { version?: Record<string, string> | string };
    const v = typeof m.version === 'string' ? m.version : m.version?.['tfjs-node'] ?? '';
    return v || 'unknown';
  } catch {
    return undefined;
  }
}

/** Our kernels, registered once per process (the BatchMatMul dispatcher wraps the wasm matmul, so the order matters). */
function registerKernels(): void {
  if (kernelsRegistered) return;
  registerWasmMatMul();
  registerBlasKernels();
  registerWasmSegmentSum();
  registerWasmCopyFree();
  registerAdamWKernels();
  registerFusedOps();
  kernelsRegistered = true;
}

async function use(tfName: 'wasm' | 'cpu' | 'tensorflow', name: Exclude<BackendName, 'auto'>, blas?: Extract<BlasLoad, { ok: true }>): Promise<string> {
  registerKernels();
  setBlasKernels(blas?.addon);
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new InputError(`backend '${name}' failed to initialise`, { field: '--backend' });
  await tf.ready();
  active = tf.getBackend();
  activeName = name;
  // The cpu backend prints a "use tfjs-node" banner on its first write; the choice here is deliberate, so silence it.
  if (active === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  setTrainProvenance({ backend: name, blas: await blasOf(name, blas) });
  return name === 'wasm-blas' ? name : active;
}

async function blasOf(name: Exclude<BackendName, 'auto'>, blas?: Extract<BlasLoad, { ok: true }>): Promise<string> {
  if (blas) return describeBlas(blas.info);
  if (name === 'wasm') return `XNNPACK tfjs-backend-wasm ${version_wasm}${(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? ' simd' : ''}`;
  if (name === 'cpu') return `tfjs-backend-cpu ${tf.version['tfjs-core']} js`;
  return nativeTf ? `libtensorflow ${nativeTf.pkg} ${nativeTf.version}` : 'libtensorflow';
}

/** The addon's load result, throwing the reason as an InputError when `--backend wasm-blas` was asked for explicitly. */
function requireBlas(): Extract<BlasLoad, { ok: true }> {
  const r = loadBlasAddon();
  if (!r.ok) throw new InputError(`backend 'wasm-blas' is unavailable: ${r.reason}`, { field: '--backend' });
  return r;
}

/**
 * Selects and initialises the backend; returns the one actually in use ('wasm-blas' for that path, else the tfjs id:
 * 'wasm', 'cpu', 'tensorflow'). A second call with the same name, or with 'auto', returns the active one; wasm and wasm-blas
 * switch between each other at any time (models and optimizers built afterwards use the new path). Must run before any
 * tensor is created.
 */
export async function initBackend(name: BackendName = 'auto'): Promise<string> {
  if (!BACKEND_NAMES.includes(name)) throw new InputError(`unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`, { field: '--backend' });
  if (activeName !== undefined && (name === 'auto' || name === activeName || (backendId(name) === 'tensorflow' && active === 'tensorflow'))) {
    return activeName === 'wasm-blas' ? activeName : active!;
  }
  switch (name) {
    case 'wasm':
    case 'cpu':
      return use(name, name);
    case 'wasm-blas':
      return use('wasm', 'wasm-blas', requireBlas());
    case 'node':
    case 'node-gpu': {
      const pkg = name === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      const version = await tryImport(pkg);
      if (!version) throw new InputError(`backend '${name}' needs ${pkg}, which is not installed or failed to load (npm install ${pkg})`, { field: '--backend' });
      nativeTf = { pkg, version };
      return use('tensorflow', name);
    }
    case 'auto': {
      for (const [pkg, n] of [['@tensorflow/tfjs-node-gpu', 'node-gpu'], ['@tensorflow/tfjs-node', 'node']] as const) {
        const version = await tryImport(pkg);
        if (version) {
          nativeTf = { pkg, version };
          return use('tensorflow', n);
        }
      }
      const blas = loadBlasAddon();
      if (blas.ok) return use('wasm', 'wasm-blas', blas);
      noteBlasFallbackOnce();
      return use('wasm', 'wasm');
    }
  }
}

/** The tfjs registry id of a backend name (both native packages register as 'tensorflow'; both wasm paths as 'wasm'). */
function backendId(name: BackendName): string {
  return name === 'node' || name === 'node-gpu' ? 'tensorflow' : name === 'wasm-blas' ? 'wasm' : name;
}

/** The active tfjs backend id, or undefined before initBackend. */
export function activeBackend(): string | undefined {
  return active;
}

/** The active backend path (wasm, wasm-blas, cpu, node, node-gpu), or undefined before initBackend. */
export function activeBackendName(): Exclude<BackendName, 'auto'> | undefined {
  return activeName;
}
