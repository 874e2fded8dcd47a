import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
function time(f: () => tf.Tensor, reps = 20) { for (let i = 0; i < 3; i++) f().dispose(); const t0 = performance.now(); for (let i = 0; i < reps; i++) { const r = f(); r.dataSync(); r.dispose(); } return (performance.now() - t0) / reps; }
const cases: [number[], number[], boolean, boolean][] = [
  [[1024, 256], [256, 1024], false, false],
  [[1024, 128], [128, 688], false, false],
  [[1024, 128], [1024, 688], true, false],
  [[1024, 688], [128, 688], false, true],
  [[128, 1024], [1024, 688], false, false],
  [[1024, 128], [128, 384], false, false],
  [[8, 8, 128, 16], [8, 8, 128, 16], false, true],
  [[8, 8, 128, 128], [8, 8, 128, 16], false, false],
  [[1, 128, 16], [1, 16, 128], false, false],
  [[1,128, 128], [1,128, 16], false, false],
];
for (const [sa, sb, ta, tb] of cases) {
  const a = tf.randomNormal(sa), b = tf.randomNormal(sb);
  const m = ta ? sa[sa.length - 1] : sa[sa.length - 2], k = ta ? sa[sa.length - 2] : sa[sa.length - 1], n = tb ? sb[sb.length - 2] : sb[sb.length - 1];
  const batch = sa.slice(0, -2).reduce((x, y) => x * y, 1);
  const ms = time(() => tf.matMul(a, b, ta, tb));
  console.log(JSON.stringify([sa, sb, ta, tb]), ms.toFixed(3), 'ms', (2 * batch * m * n * k / ms / 1e6).toFixed(2), 'GFLOP/s');
}
const x = tf.randomNormal([1024,128]);
console.log('transpose [1024,128]', time(() => tf.transpose(x)).toFixed(3));
console.log('transpose [8,128,24,16]', time(() => tf.transpose(tf.randomNormal([8,128,24,16]) , [0,2,1,3])).toFixed(3));
console.log('simd', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), 'threads', await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
