// Batches of byte tokens: seeded random windows of train.bin (state = one RNG word, checkpointable) and fixed, non-overlapping validation windows.
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';

export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  batch: number;
}

/** Training batches: each sequence is a window of seqLen+1 bytes starting at a uniform random offset; targets are inputs shifted by one. */
export class TrainBatches {
  private readonly rng: Rng;
  private readonly inputs: Int32Array;
  private readonly targets: Int32Array;

  constructor(private readonly data: Uint8Array, readonly batch: number, readonly seqLen: number, seed: number) {
    if (data.length < seqLen + 2) throw new InputError(`training data (${data.length} bytes) is shorter than one sequence of ${seqLen + 1}`, { field: 'train.bin' });
    this.rng = Rng.mixed(seed);
    this.inputs = new Int32Array(batch * seqLen);
    this.targets = new Int32Array(batch * seqLen);
  }

  /** Sampler state for checkpoints. */
  get state(): number {
    return this.rng.state;
  }

  set state(s: number) {
    this.rng.state = s >>> 0;
  }

  /** The next batch. The returned arrays are reused by the following call (copy them to keep them). */
  next(): Batch {
    const T = this.seqLen;
    const span = this.data.length - T - 1;
    for (let b = 0; b < this.batch; b++) {
      const start = this.rng.int(span + 1);
      for (let t = 0; t < T; t++) {
        this.inputs[b * T + t] = this.data[start + t];
        this.targets[b * T + t] = this.data[start + t + 1];
      }
    }
    return { inputs: this.inputs, targets: this.targets, batch: this.batch };
  }
}

/** Start offsets of the validation windows: consecutive windows of seqLen+1 bytes overlapping by one byte (every byte after the first is predicted exactly once; a trailing partial window is dropped). */
export function validationWindows(valLength: number, seqLen: number): number[] {
  const nSeq = Math.floor((valLength - 1) / seqLen);
  if (nSeq < 1) throw new InputError(`validation data (${valLength} bytes) is shorter than one sequence of ${seqLen + 1}`, { field: 'val.bin' });
  return Array.from({ length: nSeq }, (_, i) => i * seqLen);
}

/** `count` of the windows, evenly spaced over the whole set (window round(i·n/count)), so a subset samples every part of val.bin. */
export function spreadWindows(starts: number[], count: number): number[] {
  if (count >= starts.length) return starts;
  return Array.from({ length: Math.max(1, count) }, (_, i) => starts[Math.floor((i * starts.length) / Math.max(1, count))]);
}

/** The bytes of the given windows, concatenated (what a subset's val_hash is computed over). */
export function windowBytes(val: Uint8Array, starts: number[], seqLen: number): Uint8Array {
  const out = new Uint8Array(starts.length * (seqLen + 1));
  starts.forEach((s, i) => out.set(val.subarray(s, s + seqLen + 1), i * (seqLen + 1)));
  return out;
}

/** The validation windows at `starts` as fixed batches of up to `batch` sequences (default: all windows of val.bin). */
export function validationBatches(val: Uint8Array, seqLen: number, batch: number, starts: number[] = validationWindows(val.length, seqLen)): Batch[] {
  const T = seqLen;
  const out: Batch[] = [];
  for (let s0 = 0; s0 < starts.length; s0 += batch) {
    const n = Math.min(batch, starts.length - s0);
    const inputs = new Int32Array(n * T);
    const targets = new Int32Array(n * T);
    for (let b = 0; b < n; b++) {
      const start = starts[s0 + b];
      for (let t = 0; t < T; t++) {
        inputs[b * T + t] = val[start + t];
        targets[b * T + t] = val[start + t + 1];
      }
    }
    out.push({ inputs, targets, batch: n });
  }
  return out;
}

/** Token-weighted mean loss over batches whose per-batch mean losses are `losses` (all batches have seqLen tokens per sequence). */
export function meanLoss(batches: Batch[], losses: number[]): number {
  let sum = 0;
  let n = 0;
  batches.forEach((b, i) => {
    sum += losses[i] * b.batch;
    n += b.batch;
  });
  return sum / n;
}
