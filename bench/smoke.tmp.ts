import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER } from '../src/train/api.ts';
import { llamaFfn } from '../src/flops/shape.ts';
const be = await initBackend((process.argv[2] ?? 'wasm') as any);
const [L, d, T, B] = (process.argv[3] ?? '2,32,128,16').split(',').map(Number);
const shape = { nLayer: L, dModel: d, nHeads: Math.max(1, d / 16), nKvHeads: Math.max(1, d / 16), dFf: llamaFfn(d), seqLen: T, vocab: 256 };
const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 1 });
const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(200));
const inp = new Int32Array(B * T), tg = new Int32Array(B * T);
for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) { inp[b * T + t] = text[b * 7 + t]; tg[b * T + t] = text[b * 7 + t + 1]; }
const steps = Number(process.argv[4] ?? 30);
let t0 = performance.now();
for (let i = 0; i < steps; i++) {
  if (i === 3) t0 = performance.now();
  const r = tr.trainStep(inp, tg, B, 3e-3);
  if (i % 10 === 0 || i === steps - 1) console.log(i, r.loss.toFixed(4), r.gradNorm.toFixed(4), tr.numTensors());
}
const dt = (performance.now() - t0) / (steps - 3);
console.log(be, `ms/step ${dt.toFixed(1)} tokens/s ${(B * T / dt * 1000).toFixed(0)}`);
