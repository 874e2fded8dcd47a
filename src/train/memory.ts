// Memory a training run needs (weights + AdamW state + gradients + activations, float32) and the machine's limit, checked before a model is built.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { InputError } from '../util/errors.ts';
import { si } from '../util/format.ts';
import type { ModelShape } from '../flops/shape.ts';
import type { BackendName } from '../schema/settings.ts';

const F32 = 4;
/** The wasm backend's heap is a 32-bit WebAssembly memory: at most 4 GiB, whatever the machine has. */
export const WASM_HEAP_LIMIT = 4 * 1024 ** 3;

export interface MemoryEstimate {
  /** Parameters of the model as src/train/model.ts builds it (untied head, fused Q|K|V and gate|up, norm gains). */
  params: number;
  /** Bytes, float32. */
  weights: number;
  /** AdamW first and second moments (2 × weights). */
  optimizer: number;
  /** Gradients, plus one more weights-sized buffer for the initial values and update temporaries. */
  gradients: number;
  /** Activations for one batch: every forward intermediate the tape keeps (all layers, the logits) and as much again for their gradients in the backward pass. */
  activations: number;
  total: number;
}

/** Parameter count of the trained model: per layer W_qkv (d × (H_q + 2H_kv)·d_head), W_o (d²), W_1|W_3 (d × 2d_ff), W_2 (d_ff × d), 2 gains; embedding, head, final gain. */
export function trainedParamCount(s: ModelShape): number {
  const hd = s.dModel / s.nHeads;
  const qkv = (s.nHeads + 2 * s.nKvHeads) * hd;
  const perLayer = s.dModel * qkv + s.dModel * s.dModel + 2 * s.dModel * s.dFf + s.dFf * s.dModel + 2 * s.dModel;
  return s.nLayer * perLayer + 2 * s.vocab * s.dModel + s.dModel;
}

/**
 * Bytes one training run of `shape` with `batchSeqs` sequences per step needs at its peak. Activations per token and layer
 * (floats), counting each intermediate tensor the tfjs tape keeps: 8·d (norms, attention output and projections, residuals),
 * 7·W with W = (H_q + 2·H_kv)·d_head (Q|K|V and its RoPE steps), 3·H_q·T (scores, masked scores, softmax), 7·d_ff (SwiGLU);
 * plus 3·vocab per token for the logits, their softmax and gradient; one more layer for temporaries; all × 2 for the backward
 * pass's gradients of those tensors. tests/reliability/memory.test.ts checks the estimate against tf.profile's measured peak
 * (it is 1.0–1.5 × the measurement on small shapes: an upper bound, not an exact count).
 */
export function estimateTrainingMemory(shape: ModelShape, batchSeqs: number): MemoryEstimate {
  const P = trainedParamCount(shape);
  const { dModel: d, nHeads: Hq, nKvHeads: Hkv, dFf, seqLen: T, vocab: V, nLayer: L } = shape;
  const W = (Hq + 2 * Hkv) * (d / Hq);
  const perTokenLayer = 8 * d + 7 * W + 3 * Hq * T + 7 * dFf;
  const tokens = batchSeqs * T;
  const constants = (Hq / Hkv) * T * T + 2 * T * W; // causal mask, RoPE tables
  const BACKWARD = 2;
  const activations = F32 * (BACKWARD * tokens * ((L + 1) * perTokenLayer + 3 * V + 2 * d) + constants);
  const weights = F32 * P;
  const optimizer = 2 * weights;
  const gradients = 2 * weights;
  return { params: P, weights, optimizer, gradients, activations, total: weights + optimizer + gradients + activations };
}

/** The memory this process may use: the cgroup limit (containers, Slurm) when there is one and it is lower, else os.totalmem(). */
export function machineMemoryLimit(): { bytes: number; source: string } {
  const total = totalmem();
  for (const [file, name] of [['/sys/fs/cgroup/memory.max', 'cgroup memory.max'], ['/sys/fs/cgroup/memory/memory.limit_in_bytes', 'cgroup memory.limit_in_bytes']] as const) {
    try {
      const v = readFileSync(file, 'utf8').trim();
      const n = Number(v);
      if (v !== 'max' && Number.isFinite(n) && n > 0 && n < total) return { bytes: n, source: name };
    } catch {
      /* no such cgroup file */
    }
  }
  return { bytes: total, source: 'os.totalmem()' };
}

/** The heap cap of a backend: wasm (and 'auto' when no tfjs-node package is installed) is a 4 GiB WebAssembly memory. */
export function backendHeapLimit(backend: BackendName): number | undefined {
  if (backend === 'wasm') return WASM_HEAP_LIMIT;
  if (backend !== 'auto') return undefined;
  const req = createRequire(import.meta.url);
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      req.resolve(pkg);
      return undefined;
    } catch {
      /* not installed */
    }
  }
  return WASM_HEAP_LIMIT;
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, KB: 1024, KIB: 1024, M: 1024 ** 2, MB: 1024 ** 2, MIB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, GIB: 1024 ** 3, T: 1024 ** 4, TB: 1024 ** 4, TIB: 1024 ** 4 };

/** '16G', '512MiB', '1.5e9' → bytes (binary units); an InputError naming `field` otherwise. */
export function parseByteSize(v: unknown, field = '--max-memory'): number {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+)\s*([A-Za-z]*)$/i.exec(s);
  const unit = m ? UNITS[m[2].toUpperCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`expected a size like 16G, 512M or a number of bytes, got '${s}'`, { field });
  return n;
}

/** 1.23 GiB. */
export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  let x = b;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x >= 100 || i === 0 ? x.toFixed(0) : x.toPrecision(3)} ${units[i]}`;
}

export interface MemoryCheckPoint {
  id: string;
  shape: ModelShape;
  batchSeqs: number;
}

export interface MemoryCheckOptions {
  /** Bytes the run may use (default: machineMemoryLimit()). */
  maxMemory?: number;
  /** Points trained at the same time (workers). */
  jobs?: number;
  backend?: BackendName;
  /** The plan file, for messages. */
  file?: string;
}

/**
 * Refuses (InputError, before any model is built) a point whose estimate exceeds the limit or the backend's heap, and a set of
 * points whose `jobs` largest estimates together exceed the limit (workers train them at the same time).
 */
export function checkMemory(points: MemoryCheckPoint[], opts: MemoryCheckOptions = {}): { largest: MemoryEstimate | undefined; limit: number } {
  const machine = opts.maxMemory === undefined ? machineMemoryLimit() : { bytes: opts.maxMemory, source: '--max-memory' };
  const heap = opts.backend ? backendHeapLimit(opts.backend) : undefined;
  const perPoint = heap !== undefined && heap < machine.bytes ? { bytes: heap, source: `the wasm backend's ${formatBytes(heap)} heap` } : machine;
  const ests = points.map((p) => ({ p, e: estimateTrainingMemory(p.shape, p.batchSeqs) }));
  ests.sort((a, b) => b.e.total - a.e.total);
  const describe = (e: MemoryEstimate) =>
    `${formatBytes(e.total)} (${si(e.params)} parameters: weights ${formatBytes(e.weights)} + AdamW ${formatBytes(e.optimizer)} + gradients ${formatBytes(e.gradients)} + activations ${formatBytes(e.activations)})`;
  const big = ests[0];
  if (big && big.e.total > perPoint.bytes) {
    const limitText = perPoint.source === '--max-memory' ? `--max-memory ${formatBytes(perPoint.bytes)}` : `${formatBytes(perPoint.bytes)} (${perPoint.source})`;
    throw new InputError(`needs an estimated ${describe(big.e)}, more than the limit ${limitText}: plan smaller points, fewer sequences per batch, or raise --max-memory`, { file: opts.file, field: `${big.p.id}` });
  }
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, ests.length));
  if (jobs > 1) {
    const together = ests.slice(0, jobs).reduce((s, x) => s + x.e.total, 0);
    if (together > machine.bytes) {
      const fit = Math.max(1, ests.reduce((n, _x, i) => (ests.slice(0, i + 1).reduce((s, y) => s + y.e.total, 0) <= machine.bytes ? i + 1 : n), 1));
      throw new InputError(`${jobs} workers would train points needing ${formatBytes(together)} at once (largest ${big.p.id}: ${formatBytes(big.e.total)}), more than ${formatBytes(machine.bytes)} (${machine.source}): use --jobs ${fit} or raise --max-memory`, { field: '--jobs' });
    }
  }
  return { largest: big?.e, limit: perPoint.bytes };
}
