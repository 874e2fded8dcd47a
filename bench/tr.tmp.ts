import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
function cpu(f: () => void, reps = 50) { f(); let best = Infinity; for (let r = 0; r < 5; r++) { const t0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const c = process.cpuUsage(t0); best = Math.min(best, (c.user + c.system) / 1000 / reps); } return best; }
for (const shape of [[32, 128, 128], [32, 128, 16], [1, 2048, 176], [16, 128, 6, 16]]) {
  const x = tf.randomNormal(shape);
  const perm = shape.length === 3 ? [0, 2, 1] : [0, 2, 1, 3];
  const t = cpu(() => tf.transpose(x, perm).dispose());
  const n = x.size;
  // JS blocked transpose of [B, R, C] → [B, C, R]
  const src = new Float32Array(n).map(() => Math.random()); const dst = new Float32Array(n);
  const [B, R, C] = shape.length === 3 ? shape : [shape[0], shape[1], shape[2] * shape[3]];
  const js = cpu(() => {
    for (let b = 0; b < B; b++) { const o = b * R * C;
      for (let i0 = 0; i0 < R; i0 += 32) for (let j0 = 0; j0 < C; j0 += 32) {
        const iE = Math.min(R, i0 + 32), jE = Math.min(C, j0 + 32);
        for (let i = i0; i < iE; i++) { const si = o + i * C; for (let j = j0; j < jE; j++) dst[o + j * R + i] = src[si + j]; }
      } }
  });
  console.log(JSON.stringify(shape), 'wasm', t.toFixed(3), 'ms', (t * 1e6 / n).toFixed(2), 'ns/el;  js blocked', js.toFixed(3), (js * 1e6 / n).toFixed(2), 'ns/el');
}
