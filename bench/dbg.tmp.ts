import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
const l = tf.randomNormal([4, 8]); const t = tf.tensor1d([1,2,3,4],'int32');
tf.oneHot(t, 8, 1, 0, 'int32').cast('float32').print();
tf.logSumExp(l, 1, true).print();
