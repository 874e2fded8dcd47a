import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER } from '../src/train/api.ts';
import { llamaFfn } from '../src/flops/shape.ts';
await initBackend('wasm');
const [L, d, T, B] = (process.argv[2] ?? '2,32,128,16').split(',').map(Number);
const shape = { nLayer: L, dModel: d, nHeads: Math.max(1, d / 16), nKvHeads: Math.max(1, d / 16), dFf: llamaFfn(d), seqLen: T, vocab: 256 };
const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 1 });
const inp = new Int32Array(B * T).map((_, i) => i % 200), tg = new Int32Array(B * T).map((_, i) => (i + 1) % 200);
tr.trainStep(inp, tg, B, 1e-3);
const info = await tf.profile(() => { tr.trainStep(inp, tg, B, 1e-3); });
const agg = new Map<string, [number, number]>();
for (const k of info.kernels) { const key = k.name + ' ' + JSON.stringify(k.inputShapes); const a = agg.get(key) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(key, a); }
const byName = new Map<string, [number, number]>();
for (const k of info.kernels) { const a = byName.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; byName.set(k.name, a); }
console.log('kernels', info.kernels.length, 'total ms', info.kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0).toFixed(1));
console.log([...byName].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([k, v]) => `${k} ${v[0].toFixed(1)}ms x${v[1]}`).join('\n'));
console.log('---');
console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([k, v]) => `${k} ${v[0].toFixed(1)}ms x${v[1]}`).join('\n'));
let t0 = performance.now(); for (let i = 0; i < 3; i++) tr.trainStep(inp, tg, B, 1e-3); console.log('step ms', ((performance.now() - t0) / 3).toFixed(1));
