import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import * as mm from '../src/train/kernels/matmul-wasm.ts';
await initBackend('wasm');
function cpu(f: () => void, reps = 10) { for (let i = 0; i < 2; i++) f(); let best = Infinity; for (let r = 0; r < 5; r++) { const t0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const c = process.cpuUsage(t0); best = Math.min(best, (c.user + c.system) / 1000 / reps); } return best; }
for (const [N, din, dout] of [[1024, 128, 688], [2048, 32, 176], [1024, 344, 128], [2048, 256, 256]]) {
  const x = tf.randomNormal([N, din]), dy = tf.randomNormal([N, dout]);
  const flip = cpu(() => tf.matMul(x, dy, true, false).dispose());
  (globalThis as any).__noflip = true;
  const direct = cpu(() => tf.matMul(x, dy, true, false).dispose());
  (globalThis as any).__noflip = false;
  const tr = cpu(() => tf.transpose(dy).dispose());
  console.log(N, din, dout, 'flip', flip.toFixed(2), 'direct', direct.toFixed(2), 'transpose dY', tr.toFixed(2), 'ms');
}
