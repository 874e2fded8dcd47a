// The memory estimate behind the oversize refusal (src/train/memory.ts) against TensorFlow.js's own measurement: the exact
// parameter count of the model it builds, and a peak estimate that bounds tf.profile's measured peak of a training step from
// above by at most 1.6×, on shapes where attention, the FFN or the vocabulary dominate.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.ts';
import { createTrainer } from '../../src/train/trainer.ts';
import { PAPER_OPTIMIZER } from '../../src/train/api.ts';
import { paramSpecs } from '../../src/train/model.ts';
import { estimateTrainingMemory, parseByteSize, trainedParamCount } from '../../src/train/memory.ts';
import type { ModelShape } from '../../src/flops/shape.ts';

const SHAPES: [ModelShape, number][] = [
  [{ nLayer: 2, dModel: 32, nHeads: 4, nKvHeads: 4, dFf: 96, seqLen: 64, vocab: 256 }, 8], // attention-heavy (T ≫ d)
  [{ nLayer: 1, dModel: 128, nHeads: 8, nKvHeads: 8, dFf: 352, seqLen: 32, vocab: 256 }, 16], // FFN-heavy
  [{ nLayer: 4, dModel: 48, nHeads: 6, nKvHeads: 3, dFf: 128, seqLen: 128, vocab: 256 }, 8], // GQA, deeper
];

describe('training memory estimate', () => {
  it('counts exactly the parameters the model builds', () => {
    for (const [s] of SHAPES) expect(trainedParamCount(s)).toBe(paramSpecs(s).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0));
  });

  it('bounds the measured peak of a training step (tf.profile) from above, within 1.6×', async () => {
    await initBackend('wasm');
    for (const [shape, batch] of SHAPES) {
      const before = tf.memory().numBytes;
      const trainer = await createTrainer({ shape, seed: 1, ...PAPER_OPTIMIZER });
      const ids = new Int32Array(batch * shape.seqLen).map((_, i) => (i * 7) % 256);
      trainer.trainStep(ids, ids, batch, 1e-3); // AdamW moments exist from the first step on
      const prof = await tf.profile(() => {
        trainer.trainStep(ids, ids, batch, 1e-3);
      });
      const measured = prof.peakBytes - before;
      const est = estimateTrainingMemory(shape, batch).total;
      trainer.dispose();
      expect(est, JSON.stringify(shape)).toBeGreaterThanOrEqual(measured);
      expect(est / measured, JSON.stringify(shape)).toBeLessThan(1.6);
    }
  }, 120_000);

  it('parses sizes in binary units', () => {
    expect(parseByteSize('16G')).toBe(16 * 1024 ** 3);
    expect(parseByteSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseByteSize('1.5e9')).toBe(1.5e9);
    expect(() => parseByteSize('lots')).toThrow(/--max-memory: expected a size/);
  });
});
