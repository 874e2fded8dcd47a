// Trainer throughput benchmark (`npm run bench:train [-- --json] [-- --quick]`): tokens/s and model FLOP/s (C = M × tokens)
// of three LLaMA byte models on every available backend path (wasm; wasm-blas when the native addon is built; tfjs-node when
// installed), each path's own 2-D matmul rate, a per-kernel CPU profile of one step, the PyTorch CPU peer side by side (a
// measuring instrument run as a child process when Debian's python3-torch is present, never a dependency), and the speed-up
// of 2 worker processes over 1. Paths and the peer are measured interleaved, round by round, and ratios are taken within a
// round, so that the load other processes put on the machine (printed) shifts numerator and denominator alike.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { trainProvenance } from '../src/train/provenance.ts';
import { loadBlasAddon } from '../src/train/kernels/blas-addon.ts';
import { PAPER_OPTIMIZER, type BackendName, type Trainer } from '../src/train/api.ts';
import { llamaFfn, type ModelShape } from '../src/flops/shape.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { profileStep, type KernelProfile } from './kernel-profile.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const json = flag('json');
const quick = flag('quick');
const rounds = Number(option('rounds') ?? (quick ? 1 : 3));
const log = (s: string) => { if (!json) process.stdout.write(s + '\n'); };
const HERE = dirname(fileURLToPath(import.meta.url));
const PEER_SCRIPT = join(HERE, 'peer', 'torch_llama_bench.py');

interface ModelSpec { layers: number; d_model: number; heads: number; seq: number; batch: number; steps: number }
const MODELS: ModelSpec[] = [
  { layers: 2, d_model: 32, heads: 2, seq: 128, batch: 16, steps: quick ? 4 : 10 },
  { layers: 4, d_model: 128, heads: 4, seq: 128, batch: 8, steps: quick ? 1 : 3 },
  { layers: 4, d_model: 256, heads: 4, seq: 256, batch: 8, steps: quick ? 1 : 2 },
];
/** Targets (issue 13): fastest path's tokens/s over PyTorch's, per d_model; and 2 workers over 1. */
const PEER_TARGETS: Record<number, number> = { 32: 0.6, 128: 1.0, 256: 1.0 };
const WORKERS_TARGET = 1.8;

function shapeOf(m: ModelSpec): ModelShape {
  return { nLayer: m.layers, dModel: m.d_model, nHeads: m.heads, nKvHeads: m.heads, dFf: llamaFfn(m.d_model), seqLen: m.seq, vocab: 256 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall and CPU seconds per call of `reps` calls of f. */
function timeIt(f: () => void, reps: number): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const wall = (performance.now() - t0) / 1000 / reps;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 / reps };
}

/** The active path's plain 2-D matmul rate, [1024,256]×[256,1024] (FLOP/s, best of the rounds). */
function matmulRate(): { wall: number; cpu: number } {
  const a = tf.randomNormal([1024, 256]);
  const b = tf.randomNormal([256, 1024]);
  const run = () => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); };
  run();
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < (quick ? 2 : 4); r++) {
    const t = timeIt(run, quick ? 3 : 8);
    wall = Math.min(wall, t.wall);
    cpu = Math.min(cpu, t.cpu);
  }
  tf.dispose([a, b]);
  const flops = 2 * 1024 * 256 * 1024;
  return { wall: flops / wall, cpu: flops / cpu };
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

/** The python that has torch: Debian's python3-torch lives in /usr/bin/python3 (a pyenv python3 on PATH would not see it). */
function peerPython(): { python: string; version: string } | { reason: string } {
  if (flag('no-peer')) return { reason: 'disabled (--no-peer)' };
  if (!existsSync(PEER_SCRIPT)) return { reason: `${PEER_SCRIPT} missing` };
  const candidates = option('python') ? [option('python')!] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return { reason: 'python3-torch not found (apt-get install python3-torch libopenblas0-pthread to measure the peer)' };
}

/** One PyTorch run of the same shape, one thread (OPENBLAS_NUM_THREADS=1 as well as torch.set_num_threads(1)). */
function runPeer(python: string, m: ModelSpec, shape: ModelShape): { wall: number; cpu: number } | null {
  const args = [PEER_SCRIPT, m.layers, m.d_model, m.seq, m.batch, 1, m.heads, shape.dFf, m.steps].map(String);
  const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  const wall = / tok\/s (\d+(?:\.\d+)?)/.exec(r.stdout ?? '');
  const cpu = /cpu tok\/s (\d+(?:\.\d+)?)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !wall || !cpu) {
    process.stderr.write(`bench: peer run failed: ${(r.stderr ?? '').slice(-300)}\n`);
    return null;
  }
  return { wall: Number(wall[1]), cpu: Number(cpu[1]) };
}

/** Runs `node bin/scaling.js train PLAN --jobs N` in a fresh runs dir; returns wall seconds. */
function timeTrain(plan: string, data: string, jobs: number, backend: BackendName): number {
  const runs = mkdtempSync(join(tmpdir(), `bench-runs-${jobs}-`));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/scaling.js', 'train', plan, '--jobs', String(jobs), '--data', data, '--runs-dir', runs, '--backend', backend, '--no-progress', '--checkpoint-every', '0'], { encoding: 'utf8' });
  const dt = (performance.now() - t0) / 1000;
  rmSync(runs, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`scaling train --jobs ${jobs} failed: ${r.stderr.slice(-500)}`);
  return dt;
}

async function workersSpeedup(backend: BackendName): Promise<{ backend: string; speedup: number; t1: number; t2: number; method: string; load_before: number; load_after: number } | null> {
  if (flag('no-workers')) return null;
  const tmp = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    let data = option('data') ?? (existsSync('data/curated/meta.json') ? 'data' : '');
    if (!data) {
      data = join(tmp, 'data');
      log(`preparing datasets into ${data} (pass --data DIR to reuse prepared ones)…`);
      const p = spawnSync(process.execPath, ['bin/scaling.js', 'data', 'prepare', '--out', data], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`data prepare failed: ${p.stderr.slice(-300)}`);
    }
    const budget = quick ? '5e9' : '1e10';
    const plan = join(tmp, 'plan.json');
    const p = spawnSync(process.execPath, ['bin/scaling.js', 'plan', '--budget', budget, '--points', '4', '--seq', '128', '--vocab', '256', '--format', 'json', '--out', plan], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`plan failed: ${p.stderr.slice(-300)}`);
    const loadBefore = loadavg()[0];
    const t1 = timeTrain(plan, resolve(data), 1, backend);
    const t2 = timeTrain(plan, resolve(data), 2, backend);
    return { backend, speedup: t1 / t2, t1, t2, method: `scaling train (4-point plan, ${budget} FLOPs, --backend ${backend}) --jobs 1 vs --jobs 2`, load_before: loadBefore, load_after: loadavg()[0] };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface PathResult {
  path: string;
  blas: string;
  matmul_flops_per_s: number;
  matmul_flops_per_cpu_s: number;
}

async function availablePaths(): Promise<BackendName[]> {
  const asked = option('paths')?.split(',') as BackendName[] | undefined;
  if (asked) return asked;
  const paths: BackendName[] = ['wasm'];
  const blas = loadBlasAddon();
  if (blas.ok) paths.push('wasm-blas');
  else log(`wasm-blas: not measured (${blas.reason})`);
  for (const [pkg, name] of [['@tensorflow/tfjs-node', 'node'], ['@tensorflow/tfjs-node-gpu', 'node-gpu']] as const) {
    try {
      await import(/* @vite-ignore */ pkg);
      paths.push(name);
    } catch { /* not installed */ }
  }
  return paths;
}

/** The heaviest n kernels (name and shape), plus CPU ms summed by kernel name over all of them. */
const topKernels = (p: KernelProfile, n = 12) => {
  const byName: Record<string, number> = {};
  for (const k of p.kernels) byName[k.kernel.split(' ')[0]] = (byName[k.kernel.split(' ')[0]] ?? 0) + k.cpu_ms;
  return { ...p, kernels: p.kernels.slice(0, n), cpu_ms_by_kernel: byName };
};

async function main(): Promise<void> {
  const loadStart = loadavg()[0];
  const paths = await availablePaths();
  const peer = peerPython();
  log(`${cpus().length} cores; load average ${loadStart.toFixed(2)} at the start (other processes slow every number; ratios are taken within a round)`);
  log(`paths: ${paths.join(', ')}; rounds: ${rounds}; peer: ${'python' in peer ? `PyTorch ${peer.version} (${peer.python}, 1 thread) — the measuring instrument` : peer.reason}`);

  const pathInfo: PathResult[] = [];
  for (const path of paths) {
    await initBackend(path);
    const rate = matmulRate();
    pathInfo.push({ path, blas: trainProvenance().blas, matmul_flops_per_s: rate.wall, matmul_flops_per_cpu_s: rate.cpu });
    log(`${path} (${trainProvenance().blas}): 2-D matmul [1024,256]×[256,1024] ${(rate.wall / 1e9).toFixed(1)} GFLOP/s wall, ${(rate.cpu / 1e9).toFixed(1)} per CPU-second`);
  }

  const models = [];
  for (const m of MODELS) {
    const shape = shapeOf(m);
    const tokens = m.batch * m.seq;
    const M = scaleCounts(shape).M;
    const trainers = new Map<string, Trainer>();
    for (const path of paths) {
      await initBackend(path);
      const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 1 });
      const b = batchFor(shape, m.batch, 0);
      for (let i = 0; i < 2; i++) tr.trainStep(b.x, b.y, m.batch, 1e-3);
      trainers.set(path, tr);
    }
    const perRound: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(paths.map((p) => [p, []]));
    const peerRounds: ({ wall: number; cpu: number } | null)[] = [];
    const loads: number[] = [];
    for (let r = 0; r < rounds; r++) {
      loads.push(loadavg()[0]);
      for (const path of paths) {
        await initBackend(path);
        const tr = trainers.get(path)!;
        const batches = [1, 2, 3].map((k) => batchFor(shape, m.batch, k));
        let k = 0;
        perRound[path].push(timeIt(() => { const b = batches[k++ % 3]; tr.trainStep(b.x, b.y, m.batch, 1e-3); }, m.steps));
      }
      if ('python' in peer) peerRounds.push(runPeer(peer.python, m, shape));
    }
    const profiles: Record<string, KernelProfile> = {};
    for (const path of paths) {
      if (path !== 'wasm' && path !== 'wasm-blas') continue;
      await initBackend(path);
      const tr = trainers.get(path)!;
      const b = batchFor(shape, m.batch, 4);
      profiles[path] = topKernels(profileStep(() => tr.trainStep(b.x, b.y, m.batch, 1e-3)));
    }
    for (const tr of trainers.values()) tr.dispose();

    const byPath: Record<string, unknown> = {};
    const ratioToPeer: Record<string, number | null> = {};
    const cpuRatioToPeer: Record<string, number | null> = {};
    for (const path of paths) {
      const rs = perRound[path];
      const tps = median(rs.map((t) => tokens / t.wall));
      const rate = pathInfo.find((p) => p.path === path)!;
      const cpuRate = median(rs.map((t) => (M * tokens) / t.cpu));
      byPath[path] = {
        tokens_per_s: tps, tokens_per_cpu_s: median(rs.map((t) => tokens / t.cpu)), step_ms: median(rs.map((t) => t.wall * 1e3)),
        step_cpu_ms: median(rs.map((t) => t.cpu * 1e3)), model_flops_per_s: tps * M, ratio_to_matmul: cpuRate / rate.matmul_flops_per_cpu_s,
        rounds_tokens_per_s: rs.map((t) => tokens / t.wall),
      };
      // Within-round ratios: wall clock (what a user waits) and CPU time (what each process got of the CPU; robust to preemption).
      const ratios = rs.map((t, i) => (peerRounds[i] ? tokens / t.wall / peerRounds[i]!.wall : NaN)).filter((x) => Number.isFinite(x));
      ratioToPeer[path] = ratios.length ? median(ratios) : null;
      const cpuRatios = rs.map((t, i) => (peerRounds[i] ? tokens / t.cpu / peerRounds[i]!.cpu : NaN)).filter((x) => Number.isFinite(x));
      cpuRatioToPeer[path] = cpuRatios.length ? median(cpuRatios) : null;
    }
    const peerOk = peerRounds.filter((x): x is { wall: number; cpu: number } => x !== null);
    const row = {
      layers: m.layers, d_model: m.d_model, heads: m.heads, d_ff: shape.dFf, seq: m.seq, batch: m.batch, M, tokens_per_step: tokens,
      load_average: median(loads), paths: byPath,
      peer: peerOk.length ? { tokens_per_s: median(peerOk.map((p) => p.wall)), tokens_per_cpu_s: median(peerOk.map((p) => p.cpu)), rounds_tokens_per_s: peerRounds.map((p) => p?.wall ?? null), rounds_tokens_per_cpu_s: peerRounds.map((p) => p?.cpu ?? null) } : null,
      ratio_to_peer: ratioToPeer, cpu_ratio_to_peer: cpuRatioToPeer,
      speedup_wasm_blas_over_wasm: byPath['wasm-blas'] && byPath.wasm ? median(perRound.wasm.map((t, i) => t.wall / perRound['wasm-blas'][i].wall)) : null,
      profile: profiles,
    };
    models.push(row);
    log(`\nL=${m.layers} d=${m.d_model} heads=${m.heads} d_ff=${shape.dFf} T=${m.seq} batch=${m.batch} (load ${row.load_average.toFixed(1)}):`);
    for (const path of paths) {
      const p = byPath[path] as { tokens_per_s: number; tokens_per_cpu_s: number; step_ms: number; model_flops_per_s: number; ratio_to_matmul: number };
      const ratio = ratioToPeer[path];
      log(`  ${path.padEnd(9)} ${p.tokens_per_s.toFixed(0).padStart(7)} tokens/s (${p.tokens_per_cpu_s.toFixed(0)} per CPU-s), ${p.step_ms.toFixed(1)} ms/step, ` +
        `${(p.model_flops_per_s / 1e9).toFixed(2)} GFLOP/s model, ${(100 * p.ratio_to_matmul).toFixed(0)}% of its matmul rate` +
        (ratio !== null ? `, ${ratio.toFixed(2)}× PyTorch (${cpuRatioToPeer[path]!.toFixed(2)}× per CPU-second)` : ''));
    }
    if (row.peer) log(`  PyTorch   ${row.peer.tokens_per_s.toFixed(0).padStart(7)} tokens/s (${row.peer.tokens_per_cpu_s.toFixed(0)} per CPU-s; peer instrument, 1 thread)`);
    if (row.speedup_wasm_blas_over_wasm) log(`  wasm-blas / wasm: ${row.speedup_wasm_blas_over_wasm.toFixed(2)}×`);
    if (flag('profile')) {
      for (const [path, p] of Object.entries(profiles)) {
        log(`  profile ${path}: one step ${p.step_cpu_ms.toFixed(1)} CPU ms = kernels ${p.kernel_cpu_ms.toFixed(1)} (${p.kernels_per_step} calls) + outside kernels ${p.outside_kernels_cpu_ms.toFixed(1)}`);
        for (const k of p.kernels.slice(0, 8)) log(`    ${k.cpu_ms.toFixed(2).padStart(8)} ms ${String(k.calls).padStart(4)}× ${k.kernel}`);
      }
    }
  }

  const best = (paths.includes('wasm-blas') ? 'wasm-blas' : paths[0]) as BackendName;
  const w = await workersSpeedup((option('workers-backend') as BackendName | undefined) ?? best);
  if (w) log(`\nworkers (${w.backend}): ${w.method}: ${w.t1.toFixed(1)} s vs ${w.t2.toFixed(1)} s → ${w.speedup.toFixed(2)}× (load ${w.load_before.toFixed(1)} → ${w.load_after.toFixed(1)})`);

  const targets = [
    ...models.map((r) => {
      const ratio = r.ratio_to_peer[best] ?? null;
      const cpu = r.cpu_ratio_to_peer[best] ?? null;
      return { target: `${best} ≥ ${PEER_TARGETS[r.d_model]}× PyTorch at d=${r.d_model}`, value: ratio, cpu_time_value: cpu, met: ratio === null ? null : ratio >= PEER_TARGETS[r.d_model] };
    }),
    { target: `2 workers ≥ ${WORKERS_TARGET}× one`, value: w?.speedup ?? null, met: w ? w.speedup >= WORKERS_TARGET : null },
  ];
  log('\ntargets (wall-clock ratios within rounds): ' + targets.map((t) => `${t.target}: ${t.value === null ? 'not measured' : `${t.value.toFixed(2)} ${t.met ? 'met' : 'MISSED'}`}`).join('; '));
  const result = {
    bench: 'train', cores: cpus().length, rounds, load_average_start: loadStart, load_average_end: loadavg()[0],
    peer: 'python' in peer ? { instrument: `PyTorch ${peer.version} on the CPU (OpenBLAS, 1 thread), bench/peer/torch_llama_bench.py: a measuring instrument, not a dependency`, python: peer.python } : { instrument: null, reason: peer.reason },
    paths: pathInfo, models, workers: w, targets,
  };
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
}
