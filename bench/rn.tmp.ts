import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { rmsNorm } from '../src/train/kernels/fused-ops.ts';
await initBackend('wasm');
function cpu(f: () => void, reps = 50) { for (let i = 0; i < 5; i++) f(); let best = Infinity; for (let r = 0; r < 5; r++) { const t0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const c = process.cpuUsage(t0); best = Math.min(best, (c.user + c.system) / 1000 / reps); } return best; }
const x = tf.randomNormal([2048, 32]), g = tf.ones([32]);
console.log('fused fwd', cpu(() => tf.tidy(() => { rmsNorm(x, g, 1e-6); })).toFixed(3));
console.log('ops fwd', cpu(() => tf.tidy(() => { tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), g); })).toFixed(3));
console.log('fused fwd+bwd', cpu(() => tf.tidy(() => { tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(rmsNorm(a, b, 1e-6)))([x, g]); })).toFixed(3));
console.log('ops fwd+bwd', cpu(() => tf.tidy(() => { tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.mul(a, tf.rsqrt(tf.add(tf.mean(tf.square(a), -1, true), 1e-6))), b)))([x, g]); })).toFixed(3));
const l = tf.randomNormal([2048, 256]), t = tf.tensor1d(new Int32Array(2048).map((_, i) => i % 256), 'int32');
import { softmaxCrossEntropy } from '../src/train/kernels/fused-ops.ts';
console.log('xent fused fwd+bwd', cpu(() => tf.tidy(() => { tf.grad((a: tf.Tensor) => softmaxCrossEntropy(a, t))(l); }), 20).toFixed(3));
console.log('xent ops fwd+bwd', cpu(() => tf.tidy(() => { tf.grad((a: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(a), tf.cast(tf.oneHot(t, 256, 1, 0, 'int32'), 'float32')), 1))))(l); }), 20).toFixed(3));
