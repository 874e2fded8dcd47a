import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
function cpu(f: () => tf.Tensor, reps = 20) { for (let i = 0; i < 3; i++) f().dispose(); let best = Infinity; for (let r = 0; r < 3; r++) { const t0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f().dispose(); const c = process.cpuUsage(t0); best = Math.min(best, (c.user + c.system) / 1000 / reps); } return best; }
const p = tf.randomNormal([16, 2, 128, 128]), v = tf.randomNormal([16, 2, 128, 16]), q = tf.randomNormal([16, 2, 128, 16]);
console.log('P·V', cpu(() => tf.matMul(p, v)).toFixed(3));
console.log('Pᵀ·dO', cpu(() => tf.matMul(p, v, true, false)).toFixed(3));
console.log('dO·Vᵀ', cpu(() => tf.matMul(v, q, false, true)).toFixed(3));
console.log('Q·Kᵀ', cpu(() => tf.matMul(q, v, false, true)).toFixed(3));
const p2 = tf.randomNormal([128, 128]), v2 = tf.randomNormal([128, 16]);
console.log('single P·V slice', cpu(() => tf.matMul(p2, v2), 200).toFixed(4));
