// createTrainer on wasm: loss falls on a repeated text, runs are bit-for-bit deterministic, exportState → importState continues
// identically, and many steps leak neither tensors nor wasm heap.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/train/backend.ts';
import { createTrainer } from '../src/train/trainer.ts';
import { PAPER_OPTIMIZER, type TrainerConfig } from '../src/train/api.ts';
import type { ModelShape } from '../src/flops/shape.ts';

const shape: ModelShape = { nLayer: 1, dModel: 32, nHeads: 2, nKvHeads: 1, dFf: 64, seqLen: 32, vocab: 256 };
const B = 4;
const text = Buffer.from('It was the best of times, it was the worst of times. '.repeat(40));

/** Batch k: B windows of the text at offsets 7·(k·B + b), targets shifted by one byte. */
function batch(k: number): { x: Int32Array; y: Int32Array } {
  const T = shape.seqLen;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const o = (7 * (k * B + b)) % (text.length - T - 1);
    for (let t = 0; t < T; t++) {
      x[b * T + t] = text[o + t];
      y[b * T + t] = text[o + t + 1];
    }
  }
  return { x, y };
}

const config = (seed: number): TrainerConfig => ({ ...PAPER_OPTIMIZER, initStd: 0.02, shape, seed });

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('trainer', () => {
  it('loss falls on a repeated text within 100 steps', async () => {
    const tr = await createTrainer(config(1));
    const first = tr.evaluate(batch(0).x, batch(0).y, B);
    expect(first).toBeGreaterThan(Math.log(256) - 0.2); // an untrained byte model is ≈ uniform
    const losses: number[] = [];
    for (let s = 0; s < 100; s++) losses.push(tr.trainStep(batch(s).x, batch(s).y, B, 1e-2).loss);
    const last = tr.evaluate(batch(0).x, batch(0).y, B);
    expect(tr.step).toBe(100);
    expect(last).toBeLessThan(first / 2);
    expect(losses.slice(-10).reduce((a, b) => a + b) / 10).toBeLessThan(losses.slice(0, 10).reduce((a, b) => a + b) / 10 - 2);
    tr.dispose();
  });

  it('is deterministic: same seed and batches → identical losses and weights; another seed differs', async () => {
    const run = async (seed: number) => {
      const tr = await createTrainer(config(seed));
      const out = [0, 1, 2, 3, 4].map((s) => tr.trainStep(batch(s).x, batch(s).y, B, 3e-3));
      const w = tr.exportState().tensors['output'].data;
      tr.dispose();
      return { out, w };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b.out).toEqual(a.out);
    expect(Array.from(b.w)).toEqual(Array.from(a.w));
    expect(c.out[0].loss).not.toBe(a.out[0].loss);
  });

  it('exportState → importState (into a differently seeded trainer) continues bit-for-bit', async () => {
    const a = await createTrainer(config(7));
    for (let s = 0; s < 3; s++) a.trainStep(batch(s).x, batch(s).y, B, 3e-3);
    const state = a.exportState();
    expect(state.step).toBe(3);
    expect(Object.keys(state.tensors)).toContain('adam_v/layers.0.attention.wqkv');
    const b = await createTrainer(config(8));
    b.importState(state);
    expect(b.step).toBe(3);
    for (let s = 3; s < 6; s++) expect(b.trainStep(batch(s).x, batch(s).y, B, 3e-3)).toEqual(a.trainStep(batch(s).x, batch(s).y, B, 3e-3));
    const bad = { ...state, tensors: { ...state.tensors, output: { shape: [1, 2], data: new Float32Array(2) } } };
    expect(() => b.importState(bad)).toThrow(/output/);
    a.dispose();
    b.dispose();
  });

  it('leaks neither tensors nor wasm heap over many steps', async () => {
    const tr = await createTrainer(config(9));
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    for (let s = 0; s < 5; s++) tr.trainStep(batch(s).x, batch(s).y, B, 1e-3);
    tr.evaluate(batch(0).x, batch(0).y, B);
    const n0 = tr.numTensors();
    const bytes0 = tf.memory().numBytes;
    const heap0 = heap();
    for (let s = 5; s < 65; s++) tr.trainStep(batch(s).x, batch(s).y, B, 1e-3);
    tr.evaluate(batch(0).x, batch(0).y, B);
    expect(tr.numTensors()).toBe(n0);
    expect(tf.memory().numBytes).toBe(bytes0);
    expect(heap()).toBe(heap0);
    const before = tf.memory().numTensors;
    tr.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});
