// The wasm-blas path (native OpenBLAS addon, src/train/kernels/blas-*.ts): every kernel and its gradient against a float64
// loop or the cpu backend's plain tfjs ops (≤ 1e-5 relative), RMSNorm/AdamW/gradient-norm bit-identical to the wasm path's
// JS kernels, a heap that grows between calls, the whole model's loss and gradients, exact resume on this path, the run
// rows' provenance — and the wasm path still giving exactly the numbers it gave before this path existed.
// Skipped when the addon is not built (npm run build:native), unless SCALING_REQUIRE_BLAS=1 (CI) makes that a failure.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { loadBlasAddon, parseBlasConfig } from '../src/train/kernels/blas-addon.ts';
import { activeBlas, blasAttention, blasRmsNorm, blasSoftmaxCrossEntropy, blasSwiglu } from '../src/train/kernels/blas-kernels.ts';
import { rmsNorm } from '../src/train/kernels/fused-ops.ts';
import { adamwArrays } from '../src/train/kernels/adamw-kernel.ts';
import { blasAdamWInPlace, blasSumSquares } from '../src/train/kernels/adamw-blas.ts';
import { LlamaModel, causalMask, ropeTables } from '../src/train/model.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER } from '../src/train/api.ts';
import { trainPoint } from '../src/train/loop.ts';
import { loadDataset, type LoadedDataset } from '../src/data/dataset.ts';
import type { ModelShape } from '../src/flops/shape.ts';
import { makeRng } from '../src/util/rng.ts';
import { makePoint, tinyDataset } from './train-loop-fixtures.ts';

const blas = loadBlasAddon();
if (!blas.ok && process.env.SCALING_REQUIRE_BLAS === '1') throw new Error(`SCALING_REQUIRE_BLAS=1 but ${blas.reason}`);

const rng = makeRng(13);
const randn = (n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());

/** max |a − b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

/** Runs f on a backend path with tensors built from the same arrays; returns every output's values. */
async function on(path: 'wasm-blas' | 'wasm' | 'cpu', inputs: { data: Float32Array | Int32Array; shape: number[] }[], f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(path);
  return tf.tidy(() => {
    const ts = inputs.map((x) => tf.tensor(x.data, x.shape, x.data instanceof Int32Array ? 'int32' : 'float32'));
    const out = f(...ts);
    return (Array.isArray(out) ? out : [out]).map((o) => Float32Array.from(o.dataSync()));
  });
}

async function expectClose(inputs: Parameters<typeof on>[1], fBlas: Parameters<typeof on>[2], fRef: Parameters<typeof on>[2], tol = 1e-5): Promise<void> {
  const got = await on('wasm-blas', inputs, fBlas);
  const want = await on('cpu', inputs, fRef);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(relErr(got[i], want[i]), `output ${i}`).toBeLessThanOrEqual(tol);
}

/** The wasm path's attention (src/train/model.ts) from the fused projection onward, in plain tfjs ops. */
function referenceAttention(qkv: tf.Tensor, s: ModelShape, B: number): tf.Tensor {
  const { seqLen: T, nHeads: Hq, nKvHeads: Hkv, dModel: d } = s;
  const hd = d / Hq;
  const H = Hq + 2 * Hkv;
  const rep = Hq / Hkv;
  const rope = ropeTables(s);
  const cos = tf.tensor(rope.cos, [T, H, hd]);
  const sin = tf.tensor(rope.sin, [T, H, hd]);
  const rotated = tf.matMul(tf.reshape(qkv, [-1, hd]), tf.tensor(rope.rot, [hd, hd]));
  const roped = tf.add(tf.mul(tf.reshape(qkv, [B, T, H, hd]), cos), tf.mul(tf.reshape(rotated, [B, T, H, hd]), sin));
  const [q, k, v] = tf.split(tf.transpose(roped, [0, 2, 1, 3]), [Hq, Hkv, Hkv], 1);
  const scores = tf.add(tf.matMul(tf.reshape(q, [B, Hkv, rep * T, hd]), k, false, true), tf.tensor(causalMask(T, rep), [rep * T, T]));
  const ctx = tf.reshape(tf.matMul(tf.softmax(scores), v), [B, Hq, T, hd]);
  return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, d]);
}

/** Broadcasting batched matmul by definition, summed in float64. */
function naiveMatMul(a: Float32Array, sa: number[], b: Float32Array, sb: number[], ta: boolean, tb: boolean): Float32Array {
  const m = ta ? sa.at(-1)! : sa.at(-2)!;
  const k = ta ? sa.at(-2)! : sa.at(-1)!;
  const n = tb ? sb.at(-2)! : sb.at(-1)!;
  const r = Math.max(sa.length, sb.length) - 2;
  const pad = (s: number[]) => [...Array(r - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const pa = pad(sa);
  const pb = pad(sb);
  const outer = pa.map((x, i) => Math.max(x, pb[i]));
  const batch = outer.reduce((x, y) => x * y, 1);
  const out = new Float32Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    let rem = bi, ia = 0, ib = 0, strideA = 1, strideB = 1;
    for (let d = r - 1; d >= 0; d--) {
      const c = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
      if (pa[d] !== 1) ia += c * strideA;
      if (pb[d] !== 1) ib += c * strideB;
      strideA *= pa[d];
      strideB *= pb[d];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[ia * m * k + (ta ? q * m + i : i * k + q)] * b[ib * k * n + (tb ? j * k + q : q * n + j)];
        out[(bi * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

describe.skipIf(!blas.ok)('wasm-blas kernels (native OpenBLAS addon)', () => {
  beforeAll(async () => {
    expect(await initBackend('wasm-blas')).toBe('wasm-blas');
  });

  it('reports its BLAS: name, version and core type, one thread', () => {
    expect(parseBlasConfig('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64')).toEqual({ name: 'OpenBLAS', version: '0.3.21' });
    if (!blas.ok) return;
    expect(blas.info.name).toBe('OpenBLAS');
    expect(blas.info.version).toMatch(/^\d+\.\d+/);
    expect(blas.info.core.length).toBeGreaterThan(0);
    expect(blas.info.threads).toBe(1);
  });

  it('BatchMatMul: transposed, batched and broadcast products match a float64 loop (≤ 1e-5)', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[37, 19], [19, 23], false, false], [[200, 5], [200, 40], true, false], [[19, 37], [23, 19], true, true],
      [[3, 17, 9], [3, 9, 11], false, false], [[3, 9, 17], [3, 11, 9], true, true], [[2, 3, 17, 8], [2, 3, 17, 8], false, true],
      [[4, 13, 6], [6, 5], false, false], [[4, 6, 13], [6, 5], true, false], [[13, 6], [4, 13, 5], true, false],
      [[2, 1, 7, 6], [1, 3, 6, 5], false, false], [[5, 1, 4, 6], [3, 6, 5], false, false],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = randn(sa.reduce((x, y) => x * y, 1));
      const b = randn(sb.reduce((x, y) => x * y, 1));
      const [got] = await on('wasm-blas', [{ data: a, shape: sa }, { data: b, shape: sb }], (x, y) => tf.matMul(x, y, ta, tb));
      const want = [naiveMatMul(a, sa, b, sb, ta, tb)];
      expect(relErr(got, want[0]), `[${sa}]${ta ? 'ᵀ' : ''} × [${sb}]${tb ? 'ᵀ' : ''}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('BatchMatMul gradients of a batched transposed product match cpu', async () => {
    const inputs = [{ data: randn(2 * 3 * 9 * 4), shape: [2, 3, 9, 4] }, { data: randn(2 * 3 * 9 * 4), shape: [2, 3, 9, 4] }];
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, false, true))))([a, b]);
    await expectClose(inputs, f, f);
  });

  it('fused attention (RoPE, causal softmax, GQA, all heads) and its gradient match the tfjs-op attention on cpu', async () => {
    // T = 70 spans two 64-row blocks; 4 query heads over 2 K/V heads.
    const s: ModelShape = { nLayer: 1, dModel: 32, nHeads: 4, nKvHeads: 2, dFf: 32, seqLen: 70, vocab: 256 };
    const B = 2;
    const hd = 8;
    const W = (4 + 2 * 2) * hd;
    const rope = ropeTables(s);
    const inputs = [{ data: randn(B * 70 * W), shape: [B * 70, W] }, { data: randn(B * 70 * 32), shape: [B * 70, 32] }];
    const viaBlas = (qkv: tf.Tensor, w: tf.Tensor) => {
      const cos = tf.tensor(rope.cos, [70, 8, hd]);
      const sin = tf.tensor(rope.sin, [70, 8, hd]);
      const f = (x: tf.Tensor) => blasAttention(x, cos, sin, { B, T: 70, hq: 4, hkv: 2, hd });
      return [f(qkv), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), w)))(qkv)];
    };
    const viaOps = (qkv: tf.Tensor, w: tf.Tensor) => {
      const f = (x: tf.Tensor) => referenceAttention(x, s, B);
      return [f(qkv), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), w)))(qkv)];
    };
    await expectClose(inputs, viaBlas, viaOps);
  });

  it('SwiGLU, softmax cross-entropy and their gradients match plain tfjs ops on cpu', async () => {
    const gu = { data: randn(9 * 14, 3), shape: [9, 14] };
    const w = { data: randn(9 * 7), shape: [9, 7] };
    const swiglu = (x: tf.Tensor) => { const [g, u] = tf.split(x, 2, 1); return tf.mul(tf.mul(g, tf.sigmoid(g)), u); };
    await expectClose([gu, w], (x, c) => [blasSwiglu(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(blasSwiglu(a), c)))(x)],
      (x, c) => [swiglu(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(swiglu(a), c)))(x)]);
    const logits = { data: randn(11 * 37, 4), shape: [11, 37] };
    const t = { data: Int32Array.from({ length: 11 }, (_, i) => (i * 7) % 37), shape: [11] };
    const plain = (l: tf.Tensor, y: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(y, 37).cast('float32')), 1)));
    await expectClose([logits, t], (l, y) => [blasSoftmaxCrossEntropy(l, y), tf.grad((a: tf.Tensor) => blasSoftmaxCrossEntropy(a, y))(l)],
      (l, y) => [plain(l, y), tf.grad((a: tf.Tensor) => plain(a, y))(l)]);
    // A NaN logit anywhere makes the loss NaN (divergence must stay visible).
    const bad = Float32Array.from(logits.data);
    bad[5] = NaN;
    const [nan] = await on('wasm-blas', [{ data: bad, shape: [11, 37] }, t], (l, y) => blasSoftmaxCrossEntropy(l, y));
    expect(Number.isNaN(nan[0])).toBe(true);
  });

  it('RMSNorm and its gradient are bit-identical to the wasm path\'s JS kernel and match plain ops on cpu', async () => {
    const inputs = [{ data: randn(13 * 24, 2), shape: [13, 24] }, { data: randn(24, 0.5).map((x) => 1 + x), shape: [24] }, { data: randn(13 * 24), shape: [13, 24] }];
    const grads = (norm: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, g: tf.Tensor, w: tf.Tensor) => [norm(x, g), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(norm(a, b), w)))([x, g])];
    const native = await on('wasm-blas', inputs, grads((a, b) => blasRmsNorm(a, b, 1e-6)));
    const js = await on('wasm', inputs, grads((a, b) => rmsNorm(a, b, 1e-6)));
    native.forEach((n, i) => expect(Buffer.from(n.buffer).equals(Buffer.from(js[i].buffer)), `output ${i}`).toBe(true));
    const plain = (a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.div(a, tf.sqrt(tf.add(tf.mean(tf.square(a), -1, true), 1e-6))), b);
    await expectClose(inputs, grads((a, b) => blasRmsNorm(a, b, 1e-6)), grads(plain));
  });

  it('AdamW in place over several tensors and the gradient norm are bit-identical to the JS kernel', async () => {
    await initBackend('wasm-blas');
    const sizes = [7, 300, 1];
    const arrays = sizes.map((n) => ({ p: randn(n), g: randn(n, 3), m: randn(n, 0.1), v: randn(n, 0.1).map(Math.abs) }));
    const attrs = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.95 ** 3, scale: 0.7 };
    const variable = (d: Float32Array) => { const t = tf.tensor(d); const v = tf.variable(t); t.dispose(); return v; };
    const entries = arrays.map((a, i) => ({ param: variable(a.p), grad: tf.tensor(a.g), m: variable(a.m), v: variable(a.v), weightDecay: i === 1 ? 0 : 0.1 }));
    const norm = blasSumSquares(activeBlas()!, entries.map((e) => e.grad));
    let want = 0;
    for (const a of arrays) for (const x of a.g) want += x * x;
    expect(norm).toBe(want);
    blasAdamWInPlace(activeBlas()!, entries, attrs);
    arrays.forEach((a, i) => {
      const out = [new Float32Array(a.p.length), new Float32Array(a.p.length), new Float32Array(a.p.length)];
      adamwArrays(a.p, a.g, a.m, a.v, out[0], out[1], out[2], { ...attrs, weightDecay: entries[i].weightDecay });
      expect(Array.from(entries[i].param.dataSync())).toEqual(Array.from(out[0]));
      expect(Array.from(entries[i].m.dataSync())).toEqual(Array.from(out[1]));
      expect(Array.from(entries[i].v.dataSync())).toEqual(Array.from(out[2]));
    });
    tf.dispose(entries.flatMap((e) => [e.param, e.grad, e.m, e.v]));
  });

  it('keeps working after the wasm heap grows between calls (views and buffers re-taken on every call)', async () => {
    await initBackend('wasm-blas');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    const a = tf.tensor(randn(64 * 48), [64, 48]);
    const b = tf.tensor(randn(48 * 40), [48, 40]);
    const before = tf.matMul(a, b, false, false).dataSync().slice();
    const buf = heap();
    const big = tf.zeros([64 << 20]); // 256 MB: more than the heap holds, so it grows and its buffer is replaced
    expect(heap()).not.toBe(buf);
    const after = tf.matMul(a, b).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    tf.dispose([a, b, big]);
  });

  it('the whole model: loss and every parameter gradient match the cpu backend (≤ 1e-5 relative)', async () => {
    const s: ModelShape = { nLayer: 2, dModel: 16, nHeads: 4, nKvHeads: 2, dFf: 24, seqLen: 70, vocab: 11 };
    const B = 2;
    const ids = Int32Array.from({ length: B * 70 }, (_, i) => (i * 5 + 1) % 11);
    const tg = Int32Array.from({ length: B * 70 }, (_, i) => (i * 3 + 2) % 11);
    const run = async (path: 'cpu' | 'wasm-blas') => {
      await initBackend(path);
      const model = new LlamaModel(s, 12, 0.1);
      const x = tf.tensor1d(ids, 'int32');
      const y = tf.tensor1d(tg, 'int32');
      const { value, grads } = tf.variableGrads(() => model.loss(x, y, B), [...model.params.values()]);
      const out = new Map([...model.params].map(([n, v]) => [n, Float32Array.from(grads[v.name].dataSync())]));
      const loss = value.dataSync()[0];
      tf.dispose([x, y, value, ...Object.values(grads)]);
      model.dispose();
      return { loss, out };
    };
    const c = await run('cpu');
    const w = await run('wasm-blas');
    expect(Math.abs(w.loss - c.loss) / c.loss).toBeLessThanOrEqual(1e-5);
    for (const [name, gc] of c.out) expect(relErr(w.out.get(name)!, gc), name).toBeLessThanOrEqual(1e-5);
  });
});

describe.skipIf(!blas.ok)('training on wasm-blas', () => {
  let ds: LoadedDataset;
  beforeAll(async () => {
    await initBackend('wasm-blas');
    ds = loadDataset(await tinyDataset(), 'tiny');
  }, 60_000);

  it('leaks neither tensors nor wasm heap over many steps (AdamW updates in place)', async () => {
    await initBackend('wasm-blas');
    const shape: ModelShape = { nLayer: 1, dModel: 16, nHeads: 2, nKvHeads: 2, dFf: 48, seqLen: 32, vocab: 256 };
    const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 2 });
    const x = Int32Array.from({ length: 4 * 32 }, (_, i) => (i * 7) % 256);
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    for (let i = 0; i < 5; i++) tr.trainStep(x, x, 4, 1e-3);
    const before = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap: heap() };
    for (let i = 0; i < 40; i++) tr.trainStep(x, x, 4, 1e-3);
    expect({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap: heap() }).toEqual(before);
    tr.dispose();
  });

  it('resumes bit-identically after an interruption, and every row names the backend and its BLAS', async () => {
    await initBackend('wasm-blas');
    const point = makePoint({ steps: 30, lr: 1e-2, id: 'resume-blas' });
    const straight = await trainPoint(point, { runsDir: mkdtempSync(join(tmpdir(), 'blas-runs-')), dataset: ds, backend: 'wasm-blas' });
    const dir = mkdtempSync(join(tmpdir(), 'blas-runs-'));
    let calls = 0;
    const first = await trainPoint(point, { runsDir: dir, dataset: ds, backend: 'wasm-blas', shouldStop: () => ++calls >= 13 });
    expect(first.status).toBe('stopped');
    const second = await trainPoint(point, { runsDir: dir, dataset: ds, backend: 'wasm-blas' });
    expect(second.resumedFrom).toBe(13);
    const strip = (rows: typeof straight.rows) => rows.map(({ elapsed_s: _e, ...rest }) => rest);
    expect(strip(second.rows)).toEqual(strip(straight.rows));
    expect(second.finalValLoss).toBe(straight.finalValLoss);
    expect(straight.finalValLoss!).toBeLessThan(Math.log(256) - 0.5);
    for (const r of straight.rows) {
      expect(r.backend).toBe('wasm-blas');
      expect(r.blas).toMatch(/^OpenBLAS \d+\.\d+\S* \S+$/);
    }
  }, 60_000);
});

describe('without the addon', () => {
  it('auto falls back to wasm and says so once; --backend wasm-blas names the reason', () => {
    const script = `import { initBackend } from './src/train/backend.ts';
      import { trainProvenance } from './src/train/provenance.ts';
      console.log(await initBackend('auto'), await initBackend('auto'), trainProvenance().backend);
      try { await initBackend('wasm-blas'); } catch (e) { console.log('refused:', e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8', env: { ...process.env, SCALING_BLAS_ADDON: '/nonexistent/scaling_blas.node', SCALING_QUIET_BACKEND: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wasm wasm wasm\n');
    expect(r.stdout).toMatch(/refused: (--backend: )?backend 'wasm-blas' is unavailable: native addon not built \(\/nonexistent\/scaling_blas\.node missing; apt-get install libopenblas-dev, then npm run build:native\)/);
    expect(r.stderr.match(/training on the wasm kernels/g)).toHaveLength(1);
  }, 30_000);
});

describe('the wasm path', () => {
  it('gives exactly the numbers it gave before the wasm-blas path existed, also after wasm-blas ran in the same process', async () => {
    // Golden values: this exact run on the wasm path of commit a929180 (before the native addon), same machine-independent code.
    const golden = {
      losses: [5.552426815032959, 5.4727463722229, 5.3983845710754395, 5.330230712890625],
      gradNorms: [0.39374647365989185, 0.38428988793728114, 0.36955078992737267, 0.35225446208323397],
      evalLoss: 5.268741130828857, state: '76614818206bcbe7ba17fdc50a371813',
    };
    const shape: ModelShape = { nLayer: 2, dModel: 16, nHeads: 4, nKvHeads: 2, dFf: 24, seqLen: 70, vocab: 256 };
    const B = 3;
    const x = Int32Array.from({ length: B * 70 }, (_, i) => (i * 37 + 11) % 256);
    const y = Int32Array.from({ length: B * 70 }, (_, i) => (i * 101 + 3) % 256);
    const train = async () => {
      const tr = await createTrainer({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed: 5 });
      const steps = [0, 1, 2, 3].map(() => tr.trainStep(x, y, B, 3e-3));
      const evalLoss = tr.evaluate(x, y, B);
      const st = tr.exportState();
      const h = createHash('sha256');
      for (const k of Object.keys(st.tensors).sort()) h.update(new Uint8Array(st.tensors[k].data.buffer, st.tensors[k].data.byteOffset, st.tensors[k].data.byteLength));
      tr.dispose();
      return { losses: steps.map((s) => s.loss), gradNorms: steps.map((s) => s.gradNorm), evalLoss, state: h.digest('hex').slice(0, 32) };
    };
    if (blas.ok) {
      await initBackend('wasm-blas');
      const viaBlas = await train();
      // Another summation order, so not the same bits, but the same training to float32 precision.
      viaBlas.losses.forEach((l, i) => expect(Math.abs(l - golden.losses[i])).toBeLessThan(1e-5));
      expect(viaBlas.state).not.toBe(golden.state);
    }
    await initBackend('wasm');
    expect(await train()).toEqual(golden);
  }, 60_000);
});
