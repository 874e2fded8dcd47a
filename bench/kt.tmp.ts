import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER } from '../src/train/api.ts';
import { llamaFfn } from '../src/flops/shape.ts';
await initBackend('wasm');
const tot = new Map<string, [number, number]>();
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc; const name = k.kernelName;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: ((args: any) => { const t0 = process.cpuUsage(); const r = f(args); const dc = process.cpuUsage(t0); const key = name === 'Transpose' ? name + JSON.stringify([args.inputs.x.shape, args.attrs.perm]) : name === 'BatchMatMul' ? name + JSON.stringify([args.inputs.a.shape, args.inputs.b.shape, args.attrs.transposeA, args.attrs.transposeB]) : name; const a = tot.get(key) ?? [0, 0]; a[0] += (dc.user + dc.system) / 1000; a[1]++; tot.set(key, a); return r; }) as any });
}
const [L, d, T, B] = (process.argv[2] ?? '2,32,128,16').split(',').map(Number);
const H = Number(process.argv[3] ?? Math.max(1, d / 16));
const shape = { nLayer: L, dModel: d, nHeads: H, nKvHeads: H, dFf: llamaFfn(d), seqLen: T, vocab: 256 };
const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 1 });
const inp = new Int32Array(B * T).map((_, i) => i % 200), tg = new Int32Array(B * T).map((_, i) => (i + 1) % 200);
for (let i = 0; i < 3; i++) tr.trainStep(inp, tg, B, 1e-3);
tot.clear();
const n = Number(process.argv[4] ?? 10);
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < n; i++) tr.trainStep(inp, tg, B, 1e-3);
const wall = (performance.now() - t0) / n; const c = process.cpuUsage(c0);
let ksum = 0; for (const [, v] of tot) ksum += v[0];
console.log(`step wall ${wall.toFixed(1)} ms, cpu ${((c.user + c.system) / 1000 / n).toFixed(1)} ms, kernels ${(ksum / n).toFixed(1)} ms, calls/step ${[...tot.values()].reduce((s, v) => s + v[1], 0) / n}`);
console.log([...tot].sort((a, b) => b[1][0] - a[1][0]).slice(0, 60).map(([k, v]) => `${k} ${(v[0] / n).toFixed(2)}ms x${v[1] / n}`).join('\n'));
