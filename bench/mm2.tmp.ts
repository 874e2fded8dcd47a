import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
function time(f: () => tf.Tensor, reps = 50) { for (let i = 0; i < 3; i++) f().dispose(); let best = Infinity; for (let r = 0; r < 5; r++) { const t0 = process.cpuUsage(); for (let i = 0; i < reps; i++) { f().dispose(); } const c = process.cpuUsage(t0); best = Math.min(best, (c.user + c.system) / 1000 / reps); } return best; }
const q = tf.randomNormal([8, 8, 128, 16]), k = tf.randomNormal([8, 8, 128, 16]), kt = tf.randomNormal([8, 8, 16, 128]);
console.log('qk^T', time(() => tf.matMul(q, k, false, true)).toFixed(3));
console.log('q kt', time(() => tf.matMul(q, kt)).toFixed(3));
console.log('transpose k', time(() => tf.transpose(k, [0, 1, 3, 2])).toFixed(3));
const a2 = tf.randomNormal([128, 16]), b2 = tf.randomNormal([16, 128]);
console.log('single 128x16x128', time(() => tf.matMul(a2, b2), 500).toFixed(4));
const a3 = tf.randomNormal([1024, 16]);
console.log('single 1024x16x128', time(() => tf.matMul(a3, b2), 200).toFixed(4));
const x = tf.randomNormal([1024, 128]), w = tf.randomNormal([128, 688]);
console.log('1024x128x688', time(() => tf.matMul(x, w)).toFixed(3));
const x2 = tf.randomNormal([1024, 256]), w2 = tf.randomNormal([256, 1024]);
console.log('1024x256x1024', time(() => tf.matMul(x2, w2), 20).toFixed(3), 'GFLOP/s', (2*1024*256*1024/time(() => tf.matMul(x2, w2), 20)/1e6).toFixed(1));
const s = tf.randomNormal([1024,688]);
console.log('add 1024x688', time(() => tf.add(s, s)).toFixed(3));
console.log('identity-ish reshape', time(() => tf.reshape(s, [688,1024]), 1000).toFixed(4));
