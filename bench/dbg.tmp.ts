import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
const a = tf.randomNormal([2,1,3,2], 0, 1, 'float32', 1), b = tf.randomNormal([1,3,2,2], 0, 1, 'float32', 2);
const w = tf.matMul(a, b); console.log(w.shape); w.print();
await tf.setBackend('cpu');
const c = tf.matMul(a, b); console.log(c.shape); c.print();
