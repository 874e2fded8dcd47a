// Loads the optional native trainer addon (native/, Node-API over OpenBLAS: `npm run build:native`) without TensorFlow.js:
// where it is, whether it loads, and what BLAS it runs (name, version, core type) for the run rows' provenance.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (native/src/addon.c). Offsets are byte offsets into `heap`, the wasm memory's current ArrayBuffer. */
export interface BlasAddon {
  sgemm(heap: ArrayBufferLike, ta: number, tb: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number, batch: number, strideA: number, strideB: number, strideC: number): void;
  rmsNorm(heap: ArrayBufferLike, x: number, g: number, y: number, r: number, rows: number, d: number, eps: number): void;
  rmsNormGrad(heap: ArrayBufferLike, dy: number, x: number, g: number, r: number, dx: number, dg: number, rows: number, d: number): void;
  swiglu(heap: ArrayBufferLike, gu: number, h: number, rows: number, f: number): void;
  swigluGrad(heap: ArrayBufferLike, dh: number, gu: number, dgu: number, rows: number, f: number): void;
  attention(heap: ArrayBufferLike, qkv: number, cos: number, sin: number, out: number, qkvr: number, probs: number,
    B: number, T: number, hq: number, hkv: number, hd: number): void;
  attentionGrad(heap: ArrayBufferLike, dout: number, qkvr: number, probs: number, cos: number, sin: number, dqkv: number,
    B: number, T: number, hq: number, hkv: number, hd: number): void;
  xent(heap: ArrayBufferLike, logits: number, targets: number, probs: number, n: number, v: number): number;
  xentGrad(heap: ArrayBufferLike, probs: number, targets: number, out: number, n: number, v: number, scale: number): void;
  /** table: [param, grad, m, v, size, weightDecay] per tensor; updates param, m, v in place. */
  adamw(heap: ArrayBufferLike, table: Float64Array, lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number, scale: number): void;
  /** table: [offset, size] per tensor → Σ x² (float64). */
  sumSquares(heap: ArrayBufferLike, table: Float64Array): number;
  setThreads(n: number): void;
  info(): { config: string; core: string; threads: number; procs: number };
}

/** What BLAS the addon runs, for provenance: e.g. { name: 'OpenBLAS', version: '0.3.21', core: 'Zen', threads: 1 }. */
export interface BlasInfo {
  name: string;
  version: string;
  core: string;
  threads: number;
  /** OpenBLAS's own build string (openblas_get_config). */
  config: string;
}

export type BlasLoad = { ok: true; addon: BlasAddon; info: BlasInfo; path: string } | { ok: false; reason: string; path: string };

/** The built addon: native/build/Release/scaling_blas.node at the package root (src/ and dist/ sit at the same depth), or $SCALING_BLAS_ADDON. */
export function addonPath(): string {
  if (process.env.SCALING_BLAS_ADDON) return resolve(process.env.SCALING_BLAS_ADDON);
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native', 'build', 'Release', 'scaling_blas.node');
}

/** 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64' → name and version. */
export function parseBlasConfig(config: string): { name: string; version: string } {
  const m = /^(\S+)\s+v?(\d+(?:\.\d+)+)/.exec(config.trim());
  return m ? { name: m[1], version: m[2] } : { name: config.trim().split(/\s+/)[0] || 'unknown', version: 'unknown' };
}

let loaded: BlasLoad | undefined;

/**
 * Loads the addon once per process (later calls return the same result). OpenBLAS is held to one thread: the environment
 * variable is set before the library loads (it sizes its thread pool then) and the addon calls openblas_set_num_threads(1).
 */
export function loadBlasAddon(): BlasLoad {
  if (loaded) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    loaded = { ok: false, path, reason: `native addon not built (${path} missing; apt-get install libopenblas-dev, then npm run build:native)` };
    return loaded;
  }
  process.env.OPENBLAS_NUM_THREADS = '1';
  try {
    const addon = createRequire(import.meta.url)(path) as BlasAddon;
    addon.setThreads(1);
    const raw = addon.info();
    const { name, version } = parseBlasConfig(raw.config);
    loaded = { ok: true, addon, path, info: { name, version, core: raw.core, threads: raw.threads, config: raw.config } };
  } catch (e) {
    loaded = { ok: false, path, reason: `native addon failed to load: ${(e as Error).message.split('\n')[0]} (rebuild it: npm run build:native)` };
  }
  return loaded;
}

/** One-line BLAS description for run rows, e.g. 'OpenBLAS 0.3.21 Zen'. */
export function describeBlas(info: BlasInfo): string {
  return `${info.name} ${info.version} ${info.core}`;
}

/**
 * When the addon is unavailable, says so once on stderr (what `--backend auto` falls back to and how to get the fast path) and
 * sets SCALING_QUIET_BACKEND=1 so that worker processes forked afterwards stay quiet. No-op when the addon loads or when
 * SCALING_QUIET_BACKEND=1 is already set. A parent that forks training workers can call it first: one notice per run.
 */
export function noteBlasFallbackOnce(): void {
  if (process.env.SCALING_QUIET_BACKEND === '1') return;
  const r = loadBlasAddon();
  if (r.ok) return;
  process.stderr.write(`scaling: training on the wasm kernels; the faster wasm-blas path is off: ${r.reason}\n`);
  process.env.SCALING_QUIET_BACKEND = '1';
}
