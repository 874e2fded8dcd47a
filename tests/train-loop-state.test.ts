// Checkpoint encoding (exact round trip, corruption detected) and batch sampling (deterministic, resumable, validation covers every byte once).
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../src/train/checkpoint.ts';
import { TrainBatches, validationBatches } from '../src/train/batches.ts';
import { Rng } from '../src/util/rng.ts';
import { InputError } from '../src/util/errors.ts';

function checkpoint(headerPad: string): Checkpoint {
  return {
    meta: { version: 1, runId: 'r' + headerPad, runKey: 'k', step: 7, samplerState: 123456789, rows: [], elapsedS: 1.5, lossSum: 3.25, lossCount: 2, created: 'now' },
    state: { step: 7, tensors: { b: { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 1e-30, NaN, Infinity]) }, a: { shape: [1], data: new Float32Array([Math.PI]) } } },
  };
}

describe('checkpoint encoding', () => {
  it('round-trips every float bit-exactly whatever the header length (alignment)', () => {
    for (const pad of ['', 'x', 'xx', 'xxx']) {
      const c = checkpoint(pad);
      const bytes = encodeCheckpoint(c);
      // decode from an unaligned view, as a Buffer from readFileSync may be
      const shifted = new Uint8Array(bytes.length + 1);
      shifted.set(bytes, 1);
      const d = decodeCheckpoint(shifted.subarray(1));
      expect(d.meta).toEqual(c.meta);
      expect(d.state.step).toBe(7);
      expect(Array.from(d.state.tensors.b.data)).toEqual(Array.from(c.state.tensors.b.data));
      expect(d.state.tensors.b.shape).toEqual([2, 3]);
      expect(d.state.tensors.a.data[0]).toBe(Math.fround(Math.PI));
    }
  });
  it('rejects truncated or foreign files with an InputError', () => {
    const bytes = encodeCheckpoint(checkpoint(''));
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'x.ckpt')).toThrow(InputError);
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world, not a checkpoint'), 'x.ckpt')).toThrow(/bad magic/);
  });
});

describe('batches', () => {
  const data = new Uint8Array(5000).map((_, i) => (i * 7) % 256);
  it('are a deterministic function of the seed, and restoring the sampler state continues the same stream', () => {
    const a = new TrainBatches(data, 4, 16, 42);
    const b = new TrainBatches(data, 4, 16, 42);
    const seq: number[][] = [];
    for (let i = 0; i < 5; i++) seq.push(Array.from(a.next().inputs));
    for (let i = 0; i < 2; i++) expect(Array.from(b.next().inputs)).toEqual(seq[i]);
    const c = new TrainBatches(data, 4, 16, 999);
    c.state = b.state;
    for (let i = 2; i < 5; i++) expect(Array.from(c.next().inputs)).toEqual(seq[i]);
    expect(Array.from(new TrainBatches(data, 4, 16, 43).next().inputs)).not.toEqual(seq[0]);
  });
  it('have targets equal to the inputs shifted by one byte', () => {
    const { inputs, targets } = new TrainBatches(data, 3, 10, 1).next();
    for (let b = 0; b < 3; b++) for (let t = 0; t < 9; t++) expect(targets[b * 10 + t]).toBe(inputs[b * 10 + t + 1]);
  });
  it('sample offsets uniformly over the whole file', () => {
    const r = Rng.mixed(5);
    const hist = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) hist[r.int(10)]++;
    for (const h of hist) expect(Math.abs(h - 10_000)).toBeLessThan(500); // ~5σ
  });
  it('validation windows predict every byte after the first exactly once, in order', () => {
    const val = new Uint8Array(1000).map((_, i) => i % 251);
    const batches = validationBatches(val, 32, 8);
    const targets = batches.flatMap((b) => Array.from(b.targets));
    const n = Math.floor(999 / 32) * 32;
    expect(targets).toEqual(Array.from(val.subarray(1, 1 + n)));
    expect(batches.reduce((s, b) => s + b.batch, 0)).toBe(31);
  });
});
