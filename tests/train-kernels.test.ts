// The wasm kernels (fast BatchMatMul, copy-free Slice/SplitV/Identity/Cast, UnsortedSegmentSum) against the cpu backend and the stock kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { stockBatchMatMul } from '../src/train/kernels/matmul-wasm.ts';
import { makeRng } from '../src/util/rng.ts';

const rng = makeRng(7);
function randn(shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Runs f on a backend with fresh inputs built from the same arrays; returns the output values and shape. */
function on(backend: 'wasm' | 'cpu', inputs: { data: Float32Array | Int32Array; shape: number[] }[], f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): { data: Float32Array; shape: number[] }[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = inputs.map((x) => tf.tensor(x.data, x.shape, x.data instanceof Int32Array ? 'int32' : 'float32'));
    const out = f(...ts);
    return (Array.isArray(out) ? out : [out]).map((o) => ({ data: Float32Array.from(o.dataSync()), shape: o.shape }));
  });
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

function expectSame(wasmOut: { data: Float32Array; shape: number[] }[], cpuOut: { data: Float32Array; shape: number[] }[], tol: number): void {
  expect(wasmOut.length).toBe(cpuOut.length);
  for (let i = 0; i < wasmOut.length; i++) {
    expect(wasmOut[i].shape).toEqual(cpuOut[i].shape);
    expect(relErr(wasmOut[i].data, cpuOut[i].data)).toBeLessThanOrEqual(tol);
  }
}

/** Broadcasting batched matmul by definition, in float64. */
function naiveMatMul(a: Float32Array, sa: number[], b: Float32Array, sb: number[], ta: boolean, tb: boolean): { data: Float32Array; shape: number[] } {
  const ra = sa.length;
  const rb = sb.length;
  const m = ta ? sa[ra - 1] : sa[ra - 2];
  const k = ta ? sa[ra - 2] : sa[ra - 1];
  const n = tb ? sb[rb - 2] : sb[rb - 1];
  const ao = sa.slice(0, -2);
  const bo = sb.slice(0, -2);
  const r = Math.max(ao.length, bo.length);
  const pa = [...Array(r - ao.length).fill(1), ...ao];
  const pb = [...Array(r - bo.length).fill(1), ...bo];
  const oo = pa.map((x, i) => Math.max(x, pb[i]));
  const batch = oo.reduce((x, y) => x * y, 1);
  const out = new Float32Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    let rem = bi;
    let ia = 0;
    let ib = 0;
    let sA = 1;
    let sB = 1;
    for (let d = r - 1; d >= 0; d--) {
      const c = rem % oo[d];
      rem = Math.floor(rem / oo[d]);
      if (pa[d] !== 1) ia += c * sA;
      if (pb[d] !== 1) ib += c * sB;
      sA *= pa[d];
      sB *= pb[d];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = a[ia * m * k + (ta ? q * m + i : i * k + q)];
          const bv = b[ib * k * n + (tb ? j * k + q : q * n + j)];
          s += av * bv;
        }
        out[(bi * m + i) * n + j] = s;
      }
    }
  }
  return { data: out, shape: [...oo.slice(r - Math.max(ao.length, bo.length)), m, n] };
}

beforeAll(async () => {
  await initBackend('wasm');
  await tf.ready();
});

describe('wasm BatchMatMul replacement', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[37, 19], [19, 23], false, false],
    [[200, 5], [200, 40], true, false],            // weight gradient Xᵀ·dY
    [[200, 5], [40, 200], true, true],
    [[19, 37], [19, 23], true, false],
    [[37, 19], [23, 19], false, true],
    [[19, 37], [23, 19], true, true],
    [[3, 17, 9], [3, 9, 11], false, false],
    [[3, 9, 17], [3, 11, 9], true, true],
    [[2, 3, 17, 8], [2, 3, 17, 8], false, true],   // attention scores Q·Kᵀ
    [[2, 3, 17, 17], [2, 3, 17, 8], false, false], // attention values P·V
    [[2, 3, 17, 17], [2, 3, 17, 8], true, false],  // its gradient Pᵀ·dO
    [[4, 13, 6], [6, 5], false, false],            // broadcast: shared right operand
    [[13, 6], [4, 13, 5], true, false],            // broadcast: shared left operand
    [[2, 1, 7, 6], [1, 3, 6, 5], false, false],    // broadcast on both sides
    [[5, 1, 4, 6], [3, 6, 5], false, false],       // rank 4 × rank 3
  ];
  for (const [sa, sb, ta, tb] of cases) {
    it(`[${sa}]${ta ? 'ᵀ' : ''} × [${sb}]${tb ? 'ᵀ' : ''} matches a float64 reference (rel. error ≤ 1e-5)`, () => {
      const inputs = [{ data: randn(sa), shape: sa }, { data: randn(sb), shape: sb }];
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
      // The cpu backend itself mis-broadcasts when both operands broadcast, so the reference is a plain triple loop.
      expectSame(on('wasm', inputs, f), [naiveMatMul(inputs[0].data as Float32Array, sa, inputs[1].data as Float32Array, sb, ta, tb)], 1e-5);
    });
  }

  it('matches the stock wasm kernel on a batched transposed product', () => {
    tf.setBackend('wasm');
    const stock = stockBatchMatMul();
    expect(stock).toBeDefined();
    const backend = tf.backend();
    stock!.setupFunc?.(backend);
    const a = tf.tensor(randn([3, 8, 10]), [3, 8, 10]);
    const b = tf.tensor(randn([3, 12, 8]), [3, 12, 8]);
    const info = stock!.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: true, transposeB: true } }) as tf.TensorInfo;
    const ref = tf.engine().makeTensorFromTensorInfo(info);
    const fast = tf.matMul(a, b, true, true);
    expect(fast.shape).toEqual([3, 10, 12]);
    expect(relErr(fast.dataSync() as Float32Array, ref.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);
    tf.dispose([a, b, ref, fast]);
  });

  it('gradients of a batched product match cpu', () => {
    const inputs = [{ data: randn([2, 3, 9, 4]), shape: [2, 3, 9, 4] }, { data: randn([2, 3, 9, 4]), shape: [2, 3, 9, 4] }];
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, false, true))))([a, b]);
    expectSame(on('wasm', inputs, f), on('cpu', inputs, f), 1e-5);
  });
});

describe('wasm copy-free and gather-gradient kernels', () => {
  it('slice and split match cpu on strided cases', () => {
    const inputs = [{ data: randn([3, 5, 7, 4]), shape: [3, 5, 7, 4] }];
    const f = (x: tf.Tensor) => [
      tf.slice(x, [1, 2, 0, 0], [2, 3, 7, 4]), tf.slice(x, [0, 0, 2, 1], [3, 5, 3, 2]), tf.slice(x, [2, 4, 6, 3], [1, 1, 1, 1]),
      ...tf.split(x, [1, 3, 1], 1), ...tf.split(tf.reshape(x, [15, 28]), 2, 1),
    ];
    expectSame(on('wasm', inputs, f), on('cpu', inputs, f), 0);
  });

  it('identity and same-dtype cast share memory but stay correct after the source is disposed', () => {
    tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3]);
    const c = tf.cast(x, 'float32');
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const i = tf.cast(tf.tensor([1.7, -2.2]), 'int32');
    expect(Array.from(i.dataSync())).toEqual([1, -2]);
    tf.dispose([c, y, i]);
  });

  it('gather gradient (UnsortedSegmentSum) matches cpu, with repeated indices', () => {
    const ids = Int32Array.from([3, 0, 3, 5, 1, 3, 0, 7]);
    const inputs = [{ data: randn([8, 6]), shape: [8, 6] }, { data: ids, shape: [8] }, { data: randn([8, 6]), shape: [8, 6] }];
    const f = (table: tf.Tensor, idx: tf.Tensor, w: tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(table);
    const lookup = (table: tf.Tensor, idx: tf.Tensor) => [tf.gather(table, idx), tf.gather(table, tf.reshape(idx, [2, 4])), tf.gather(table, tf.tensor1d([1, 0], 'int32'), 1)];
    expectSame(on('wasm', inputs, lookup), on('cpu', inputs, lookup), 0);
    const w = on('wasm', inputs, f);
    expectSame(w, on('cpu', inputs, f), 1e-6);
    // Row 3 is hit three times: its gradient is the sum of three rows of w.
    const W = inputs[2].data as Float32Array;
    expect(w[0].data[3 * 6]).toBeCloseTo(W[0] + W[12] + W[30], 5);
    expect(w[0].data[2 * 6]).toBe(0);
  });
});
