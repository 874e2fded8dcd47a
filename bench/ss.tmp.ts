import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { SUMSQ_KERNEL } from '../src/train/kernels/adamw-kernel.ts';
await initBackend('wasm');
const ts = [tf.randomNormal([256,128]), tf.randomNormal([128,688]), tf.randomNormal([344,128]), tf.randomNormal([128])];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const s = tf.engine().runKernel(SUMSQ_KERNEL, Object.fromEntries(ts.map((g, i) => [`g${i}`, g]))) as tf.Tensor;
  const v = s.dataSync()[0]; s.dispose();
  console.log((performance.now() - t0).toFixed(3), v);
}
