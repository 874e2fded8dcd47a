// Trainer throughput benchmark (`npm run bench:train [-- --json] [-- --quick]`): tokens/s and model FLOP/s (C = M × tokens) of
// three LLaMA byte models on the default backend, the backend's own 2-D matmul rate measured in the same run, the fixed
// per-step overhead of the smallest model (and how much of it is op dispatch), and the speed-up of 2 worker processes over 1.
import * as tf from '@tensorflow/tfjs';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER, type BackendName } from '../src/train/api.ts';
import { llamaFfn, type ModelShape } from '../src/flops/shape.ts';
import { scaleCounts } from '../src/flops/flops.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const json = flag('json');
const quick = flag('quick');
const backendName = (option('backend') ?? 'wasm') as BackendName;
const log = (s: string) => { if (!json) process.stdout.write(s + '\n'); };

interface ModelSpec { layers: number; d_model: number; heads: number; seq: number; batch: number }
const MODELS: ModelSpec[] = [
  { layers: 2, d_model: 32, heads: 2, seq: 128, batch: 16 },
  { layers: 4, d_model: 128, heads: 4, seq: 128, batch: 8 },
  { layers: 4, d_model: 256, heads: 4, seq: 256, batch: 8 },
];
/** PyTorch 1.13 (OpenBLAS), one core, same machine (platform notes): tokens/s. */
const PYTORCH_REF: Record<string, number> = { '4x128': 8500, '4x256': 1400 };

function shapeOf(m: ModelSpec): ModelShape {
  return { nLayer: m.layers, dModel: m.d_model, nHeads: m.heads, nKvHeads: m.heads, dFf: llamaFfn(m.d_model), seqLen: m.seq, vocab: 256 };
}

/** Wall and CPU seconds of `reps` calls of f, best of `rounds` rounds (per call). */
function timeIt(f: () => void, reps: number, rounds = 3): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    const dt = (performance.now() - t0) / 1000 / reps;
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, dt);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6 / reps);
  }
  return { wall, cpu };
}

/** The backend's plain 2-D matmul rate, [1024,256]×[256,1024] (FLOP/s, best round). */
function matmulRate(): { wall: number; cpu: number } {
  const a = tf.randomNormal([1024, 256]);
  const b = tf.randomNormal([256, 1024]);
  const run = () => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); };
  run();
  const t = timeIt(run, quick ? 3 : 10, quick ? 2 : 5);
  tf.dispose([a, b]);
  const flops = 2 * 1024 * 256 * 1024;
  return { wall: flops / t.wall, cpu: flops / t.cpu };
}

/** Cost of dispatching one tiny op through the engine (seconds), measured on scalar adds. */
function dispatchCost(): number {
  const x = tf.scalar(1);
  const run = () => { const y = tf.add(x, x); y.dispose(); };
  for (let i = 0; i < 200; i++) run();
  const t = timeIt(run, 2000, 3);
  x.dispose();
  return t.cpu;
}

function batchFor(shape: ModelShape, batch: number, k: number): { x: Int32Array; y: Int32Array } {
  const n = batch * shape.seqLen;
  const x = new Int32Array(n);
  const y = new Int32Array(n);
  let s = (k * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = 32 + (s % 95);
    y[i] = 32 + ((s >>> 8) % 95);
  }
  return { x, y };
}

async function benchModel(m: ModelSpec, rate: { wall: number; cpu: number }) {
  const shape = shapeOf(m);
  const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 1 });
  const batches = [0, 1, 2].map((k) => batchFor(shape, m.batch, k));
  let k = 0;
  const step = () => { const b = batches[k++ % 3]; tr.trainStep(b.x, b.y, m.batch, 1e-3); };
  for (let i = 0; i < 3; i++) step();
  const stepS = timeIt(step, quick ? 2 : m.d_model <= 32 ? 20 : m.d_model <= 128 ? 5 : 3, quick ? 1 : 3);
  let kernels = 0;
  if (m.d_model <= 32) kernels = (await tf.profile(() => { step(); })).kernels.length;
  tr.dispose();
  const tokens = m.batch * m.seq;
  const M = scaleCounts(shape).M;
  const row = {
    layers: m.layers, d_model: m.d_model, seq: m.seq, batch: m.batch, heads: m.heads, d_ff: shape.dFf,
    params: scaleCounts(shape).N2 + shape.vocab * shape.dModel, M,
    step_ms: stepS.wall * 1e3, step_cpu_ms: stepS.cpu * 1e3,
    tokens_per_s: tokens / stepS.wall, tokens_per_cpu_s: tokens / stepS.cpu,
    model_flops_per_s: (M * tokens) / stepS.wall, matmul_flops_per_s: rate.wall,
    ratio_to_matmul: ((M * tokens) / stepS.cpu) / rate.cpu,
    pytorch_1core_tokens_per_s: PYTORCH_REF[`${m.layers}x${m.d_model}`] ?? null,
    kernels_per_step: kernels || undefined,
  };
  return row;
}

/** Runs `node bin/scaling.js train PLAN --jobs N` in a fresh runs dir; returns wall seconds. */
function timeTrain(plan: string, data: string, jobs: number): number {
  const runs = mkdtempSync(join(tmpdir(), `bench-runs-${jobs}-`));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/scaling.js', 'train', plan, '--jobs', String(jobs), '--data', data, '--runs-dir', runs, '--backend', backendName, '--no-progress', '--checkpoint-every', '0'], { encoding: 'utf8' });
  const dt = (performance.now() - t0) / 1000;
  rmSync(runs, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`scaling train --jobs ${jobs} failed: ${r.stderr.slice(-500)}`);
  return dt;
}

/** Fallback when `scaling train` is unavailable: one process running the smallest-model bench twice vs two processes at once. */
async function timeOwnProcesses(n: 1 | 2): Promise<number> {
  const child = () => new Promise<void>((res, rej) => {
    const p = spawn(process.execPath, ['bin/run-ts.js', 'bench/train.ts', '--worker-steps', '60'], { stdio: 'ignore' });
    p.on('exit', (c) => (c === 0 ? res() : rej(new Error(`worker exited ${c}`))));
  });
  const t0 = performance.now();
  if (n === 1) { await child(); await child(); } else await Promise.all([child(), child()]);
  return (performance.now() - t0) / 1000;
}

async function workersSpeedup(): Promise<{ speedup: number; method: string; t1: number; t2: number } | null> {
  if (flag('no-workers')) return null;
  const tmp = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    const hasTrain = existsSync('src/cli/train.ts');
    if (hasTrain) {
      let data = option('data') ?? (existsSync('data/curated/meta.json') ? 'data' : '');
      if (!data) {
        data = join(tmp, 'data');
        log(`preparing datasets into ${data} (pass --data DIR to reuse prepared ones)…`);
        const p = spawnSync(process.execPath, ['bin/scaling.js', 'data', 'prepare', '--out', data], { encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`data prepare failed: ${p.stderr.slice(-300)}`);
      }
      const plan = join(tmp, 'plan.json');
      const p = spawnSync(process.execPath, ['bin/scaling.js', 'plan', '--budget', quick ? '5e9' : '1e10', '--points', '4', '--seq', '128', '--vocab', '256', '--format', 'json', '--out', plan], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`plan failed: ${p.stderr.slice(-300)}`);
      const t1 = timeTrain(plan, resolve(data), 1);
      const t2 = timeTrain(plan, resolve(data), 2);
      return { speedup: t1 / t2, method: `scaling train (4-point plan, ${quick ? '5e9' : '1e10'} FLOPs) --jobs 1 vs --jobs 2`, t1, t2 };
    }
    const t1 = await timeOwnProcesses(1);
    const t2 = await timeOwnProcesses(2);
    return { speedup: t1 / t2, method: 'two bench processes sequentially vs in parallel (scaling train not available)', t1, t2 };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const workerSteps = option('worker-steps');
  const backend = await initBackend(backendName);
  if (workerSteps) {
    const shape = shapeOf(MODELS[0]);
    const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 1 });
    for (let i = 0; i < Number(workerSteps); i++) { const b = batchFor(shape, MODELS[0].batch, i); tr.trainStep(b.x, b.y, MODELS[0].batch, 1e-3); }
    return;
  }
  const load = loadavg()[0];
  log(`backend ${backend}; ${cpus().length} cores; load average ${load.toFixed(2)} (other processes make every number below noisy)`);
  const rate = matmulRate();
  log(`2-D matmul [1024,256]×[256,1024]: ${(rate.wall / 1e9).toFixed(1)} GFLOP/s wall, ${(rate.cpu / 1e9).toFixed(1)} GFLOP/s per CPU-second`);
  const perOp = dispatchCost();
  const models = [];
  for (const m of MODELS) {
    const r = await benchModel(m, rate);
    models.push(r);
    log(`L=${r.layers} d=${r.d_model} T=${r.seq} batch=${r.batch}: ${r.step_ms.toFixed(1)} ms/step (${r.step_cpu_ms.toFixed(1)} CPU ms), ` +
      `${r.tokens_per_s.toFixed(0)} tokens/s (${r.tokens_per_cpu_s.toFixed(0)} per CPU-s), ${(r.model_flops_per_s / 1e9).toFixed(2)} GFLOP/s model, ` +
      `${(100 * r.ratio_to_matmul).toFixed(0)}% of the matmul rate` + (r.pytorch_1core_tokens_per_s ? `; PyTorch 1-core reference ${r.pytorch_1core_tokens_per_s} tokens/s` : ''));
  }
  const small = models[0];
  const dispatchMs = (small.kernels_per_step ?? 0) * perOp * 1e3;
  const overhead = {
    step_ms: small.step_ms, step_cpu_ms: small.step_cpu_ms, kernels_per_step: small.kernels_per_step,
    dispatch_us_per_op: perOp * 1e6, dispatch_ms_per_step: dispatchMs, dispatch_share: dispatchMs / small.step_cpu_ms,
    compute_floor_ms: (small.M * small.batch * small.seq) / rate.cpu * 1e3,
  };
  log(`per-step overhead (L=2 d=32): ${overhead.step_cpu_ms.toFixed(1)} CPU ms/step, ${overhead.kernels_per_step} kernels/step × ${overhead.dispatch_us_per_op.toFixed(1)} µs dispatch = ` +
    `${overhead.dispatch_ms_per_step.toFixed(1)} ms (${(100 * overhead.dispatch_share).toFixed(0)}%); matmul-rate floor for its FLOPs ${overhead.compute_floor_ms.toFixed(1)} ms`);
  const w = await workersSpeedup();
  if (w) log(`workers: ${w.method}: ${w.t1.toFixed(1)} s vs ${w.t2.toFixed(1)} s → ${w.speedup.toFixed(2)}×`);
  const result = {
    backend, cores: cpus().length, load_average: load,
    matmul_flops_per_s: rate.wall, matmul_flops_per_cpu_s: rate.cpu,
    models, overhead, workers_speedup: w?.speedup ?? null, workers_method: w?.method ?? null,
  };
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
}
