import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
await initBackend('wasm');
const be: any = tf.backend();
const call = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
function cpu(f: () => void, reps: number) { f(); let best = Infinity; for (let r = 0; r < 5; r++) { const t0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const c = process.cpuUsage(t0); best = Math.min(best, (c.user + c.system) / 1000 / reps); } return best; }
for (const [m, k, n] of [[128, 16, 128], [128, 128, 16], [1024, 128, 688], [1024, 256, 1024], [128,1024,688]]) {
  const a = tf.randomNormal([m, k]), b = tf.randomNormal([k, n]), o = tf.zeros([m, n]);
  const ai = be.dataIdMap.get(a.dataId), bi = be.dataIdMap.get(b.dataId), oi = be.dataIdMap.get(o.dataId);
  const sA = new Uint8Array(new Int32Array([1, m, k]).buffer), sB = new Uint8Array(new Int32Array([1, k, n]).buffer);
  // fresh b id each call (as in the kernel)
  const fresh = cpu(() => { const id = be.dataIdNextNumber++; be.wasm.tfjs.registerTensor(id, k * n, bi.memoryOffset); call(ai.id, sA, 3, id, sB, 3, 0, 0, oi.id); be.wasm.tfjs.disposeData(id); }, m * n * k > 1e7 ? 10 : 500);
  // cached b id
  const cached = cpu(() => { call(ai.id, sA, 3, bi.id, sB, 3, 0, 0, oi.id); }, m * n * k > 1e7 ? 10 : 500);
  const fl = 2 * m * n * k;
  console.log(m, k, n, 'fresh', fresh.toFixed(4), 'ms', (fl / fresh / 1e6).toFixed(1), 'GF/s; cached', cached.toFixed(4), (fl / cached / 1e6).toFixed(1), 'GF/s');
}
