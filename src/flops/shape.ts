// The shape of a LLaMA-style decoder (what the planner emits and the trainer builds), its validation, and the paper's presets.
import { InputError } from '../util/errors.ts';

/** A decoder-only LLaMA model: pre-norm RMSNorm, attention with RoPE (GQA when nKvHeads < nHeads), SwiGLU FFN of width dFf. */
export interface ModelShape {
  nLayer: number;
  dModel: number;
  nHeads: number;
  nKvHeads: number;
  dFf: number;
  seqLen: number;
  vocab: number;
}

/** LLaMA's FFN granule ("multiple_of") for width d: 256 from d = 4096 up, smaller for small d: 2^⌊log2(d/16)⌋, at least 8. */
export function llamaMultipleOf(dModel: number): number {
  return Math.min(256, Math.max(8, 2 ** Math.floor(Math.log2(dModel / 16))));
}

/** LLaMA's FFN width rule: ⌊8/3·d⌋ rounded up to a multiple (default llamaMultipleOf(d)). */
export function llamaFfn(dModel: number, multipleOf?: number): number {
  const m = multipleOf ?? llamaMultipleOf(dModel);
  const hidden = Math.floor((2 * 4 * dModel) / 3);
  return m * Math.ceil(hidden / m);
}

/** Throws an InputError naming the field when a shape cannot be built. `where` prefixes field names (e.g. a file). */
export function validateShape(s: ModelShape, where: { file?: string; prefix?: string } = {}): ModelShape {
  const f = (k: string) => (where.prefix ?? '') + k;
  const ints: (keyof ModelShape)[] = ['nLayer', 'dModel', 'nHeads', 'nKvHeads', 'dFf', 'seqLen', 'vocab'];
  for (const k of ints) {
    const v = s[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InputError(`must be a positive integer, got ${v}`, { file: where.file, field: f(k) });
  }
  if (s.dModel % s.nHeads !== 0) throw new InputError(`d_model ${s.dModel} is not divisible by n_heads ${s.nHeads}`, { file: where.file, field: f('nHeads') });
  if (s.nKvHeads > s.nHeads || s.nHeads % s.nKvHeads !== 0) throw new InputError(`n_kv_heads ${s.nKvHeads} must divide n_heads ${s.nHeads}`, { file: where.file, field: f('nKvHeads') });
  if ((s.dModel / s.nHeads) % 2 !== 0) throw new InputError(`head size ${s.dModel / s.nHeads} must be even for RoPE`, { file: where.file, field: f('nHeads') });
  return s;
}

export function headDim(s: ModelShape): number {
  return s.dModel / s.nHeads;
}
