// Training checkpoints: one binary file per run (magic, JSON header, raw float32 tensors), written atomically, read back exactly.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { InputError } from '../util/errors.ts';
import type { RunRow } from '../schema/runs.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import type { TrainerState } from './api.ts';

const MAGIC = 'SCKPT001';
export const CHECKPOINT_VERSION = 1;

/** Everything besides the tensors that resuming needs to continue exactly where the run stopped. */
export interface CheckpointMeta {
  version: typeof CHECKPOINT_VERSION;
  runId: string;
  /** sha256 of the grid point, dataset and validation hash the run was started with: a checkpoint only resumes the same run. */
  runKey: string;
  /** Optimizer updates applied (= Trainer.step). */
  step: number;
  /** TrainBatches RNG state after `step` batches. */
  samplerState: number;
  /** Run CSV rows written so far. */
  rows: RunRow[];
  /** Wall-clock seconds spent training before this checkpoint (elapsed_s continues from here). */
  elapsedS: number;
  /** Training-loss accumulator since the last evaluation (the next row's train_loss is its mean). */
  lossSum: number;
  lossCount: number;
  created: string;
  /** A ladder's trunk only (src/train/trunk.ts): each branch's rows and train-loss accumulator so far, as its own run would have them. */
  branches?: Record<string, BranchProgress>;
}

/** What a trunk keeps per branch until it hands the branch its checkpoint. */
export interface BranchProgress {
  rows: RunRow[];
  lossSum: number;
  lossCount: number;
  /** Set when the branch's own run would have diverged on the trunk (its CSV is written then). */
  diverged?: boolean;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  state: TrainerState;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Serialises a checkpoint: 8-byte magic, uint32 LE header length, JSON header, zero padding to 4 bytes, float32 LE tensor data. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const names = Object.keys(c.state.tensors).sort();
  const entries: TensorEntry[] = [];
  let floats = 0;
  for (const name of names) {
    const t = c.state.tensors[name];
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`checkpoint tensor ${name}: shape ${JSON.stringify(t.shape)} has ${n} elements, data has ${t.data.length}`);
    entries.push({ name, shape: t.shape, offset: floats, length: n });
    floats += n;
  }
  const header = Buffer.from(JSON.stringify({ ...c.meta, trainerStep: c.state.step, tensors: entries }), 'utf8');
  const dataStart = Math.ceil((12 + header.length) / 4) * 4;
  const buf = new Uint8Array(dataStart + floats * 4);
  buf.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(buf.buffer).setUint32(8, header.length, true);
  buf.set(header, 12);
  const f32 = new Float32Array(buf.buffer, dataStart, floats);
  for (const e of entries) f32.set(c.state.tensors[e.name].data, e.offset);
  return buf;
}

export function decodeCheckpoint(bytes: Uint8Array, file = '(checkpoint)'): Checkpoint {
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) throw new InputError('not a scaling checkpoint (bad magic)', { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > bytes.length) throw new InputError('truncated checkpoint header', { file });
  let header: CheckpointMeta & { trainerStep: number; tensors: TensorEntry[] };
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hlen)).toString('utf8'));
  } catch (e) {
    throw new InputError(`corrupt checkpoint header (${(e as Error).message})`, { file });
  }
  if (header.version !== CHECKPOINT_VERSION) throw new InputError(`unsupported checkpoint version ${header.version}`, { file, field: 'version' });
  validateHeader(header as unknown as Record<string, unknown>, file);
  const dataStart = Math.ceil((12 + hlen) / 4) * 4;
  const floats = header.tensors.reduce((s, e) => Math.max(s, e.offset + e.length), 0);
  if (dataStart + floats * 4 !== bytes.length) throw new InputError(`checkpoint size ${bytes.length} does not match its header (${dataStart + floats * 4})`, { file });
  // Copy into an aligned buffer (a Buffer from readFileSync may start at any byte offset).
  const f32 = new Float32Array(floats);
  new Uint8Array(f32.buffer).set(bytes.subarray(dataStart, dataStart + floats * 4));
  const tensors: TrainerState['tensors'] = {};
  for (const e of header.tensors) tensors[e.name] = { shape: e.shape, data: f32.slice(e.offset, e.offset + e.length) };
  const { trainerStep, tensors: _entries, ...meta } = header;
  return { meta, state: { step: trainerStep, tensors } };
}

/** Every header field resuming reads, checked (a hand-edited or foreign file is named, not a TypeError deep in resume). */
function validateHeader(h: Record<string, unknown>, file: string): void {
  const bad = (field: string, what: string): never => {
    throw new InputError(`corrupt checkpoint header: ${what}`, { file, field });
  };
  if (!Array.isArray(h.tensors)) bad('tensors', 'no tensor list');
  (h.tensors as unknown[]).forEach((t, i) => {
    const e = t as Partial<TensorEntry> | null;
    if (!e || typeof e !== 'object' || typeof e.name !== 'string') bad(`tensors[${i}].name`, 'expected a tensor name');
    if (!Array.isArray(e!.shape) || !e!.shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`tensors[${i}].shape`, 'expected a list of dimensions');
    for (const k of ['offset', 'length'] as const) if (!Number.isInteger(e![k]) || (e![k] as number) < 0) bad(`tensors[${i}].${k}`, 'expected an integer ≥ 0');
    if (e!.shape!.reduce((a, b) => a * b, 1) !== e!.length) bad(`tensors[${i}].length`, `${e!.length} values for shape [${e!.shape}]`);
  });
  for (const k of ['step', 'trainerStep', 'samplerState', 'lossCount']) if (!Number.isInteger(h[k]) || (h[k] as number) < 0) bad(k, 'expected an integer ≥ 0');
  for (const k of ['elapsedS', 'lossSum']) if (typeof h[k] !== 'number' || !Number.isFinite(h[k])) bad(k, 'expected a finite number');
  if (typeof h.runId !== 'string' || typeof h.runKey !== 'string') bad('runKey', 'expected runId and runKey strings');
  if (!Array.isArray(h.rows)) bad('rows', 'expected the run rows written so far');
}

export function writeCheckpoint(file: string, c: Checkpoint): void {
  writeFileAtomic(file, encodeCheckpoint(c));
}

/** The checkpoint at `file`, or undefined when there is none. */
export function readCheckpoint(file: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  return decodeCheckpoint(new Uint8Array(readFileSync(file)), file);
}

/**
 * Only the header of the checkpoint at `file` (step, rows, elapsed time; no tensors), read without loading the weights: what
 * `scaling status` needs from a large model's checkpoint. Undefined when there is none; InputError when it is not a checkpoint.
 */
export function readCheckpointMeta(file: string): CheckpointMeta | undefined {
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) < 12 || head.subarray(0, 8).toString('latin1') !== MAGIC) throw new InputError('not a scaling checkpoint (bad magic)', { file });
    const hlen = head.readUInt32LE(8);
    const header = Buffer.alloc(hlen);
    if (readSync(fd, header, 0, hlen, 12) < hlen) throw new InputError('truncated checkpoint header', { file });
    let parsed: CheckpointMeta & { trainerStep?: number; tensors?: unknown };
    try {
      parsed = JSON.parse(header.toString('utf8'));
    } catch (e) {
      throw new InputError(`corrupt checkpoint header (${(e as Error).message})`, { file });
    }
    const { trainerStep: _step, tensors: _entries, ...meta } = parsed;
    return meta;
  } finally {
    closeSync(fd);
  }
}
