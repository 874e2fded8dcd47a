// Model scale the DeepSeek LLM way (paper Eq. 2, Table 3): N1, N2 and M, the non-embedding FLOPs per token including attention.
import type { ModelShape } from './shape.ts';
import { InputError } from '../util/errors.ts';

/** How model scale is counted (paper App. A.2): M (non-embedding FLOPs/token incl. attention), 6·N1 (non-embedding params), 6·N2 (all params). */
export const REPRESENTATIONS = ['M', '6N1', '6N2'] as const;
export type Representation = (typeof REPRESENTATIONS)[number];
export const DEFAULT_REPRESENTATION: Representation = 'M';

/** A representation or an InputError naming where it came from. */
export function parseRepresentation(v: unknown, where: { file?: string; line?: number; field?: string }): Representation {
  if (typeof v === 'string' && (REPRESENTATIONS as readonly string[]).includes(v)) return v as Representation;
  throw new InputError(`unknown representation ${JSON.stringify(v)} (choices: ${REPRESENTATIONS.join(', ')})`, where);
}

export interface ScaleCounts {
  /** Non-embedding parameters (Kaplan's N): attention and FFN matmuls; norms excluded. */
  N1: number;
  /** All parameters as the paper counts them (Chinchilla's N): N1 + one vocab matrix. */
  N2: number;
  /** Non-embedding FLOPs per token (forward + backward), incl. attention scores/values, excl. the vocab projection. */
  M: number;
  sixN1OverM: number;
  sixN2OverM: number;
  /** Which formula gave M: the paper's closed form for the standard shape, or 6·(real matmul params) + attention. */
  formula: 'standard' | 'exact';
}

/** Non-embedding matmul parameters per layer: q, k, v, o projections (k, v sized by n_kv_heads) and the three SwiGLU matrices. */
export function layerParams(s: ModelShape): number {
  const kvDim = (s.dModel / s.nHeads) * s.nKvHeads;
  const attention = 2 * s.dModel * s.dModel + 2 * s.dModel * kvDim;
  const ffn = 3 * s.dModel * s.dFf;
  return attention + ffn;
}

/** True when the paper's closed form applies exactly: MHA and d_ff = 8/3·d. */
export function isStandardShape(s: ModelShape): boolean {
  return s.nKvHeads === s.nHeads && 3 * s.dFf === 8 * s.dModel;
}

/** N1, N2, M of a real shape. M = 6·N1 + 12·n_layer·d·l_seq; for the standard shape this is 72·n·d² + 12·n·d·l_seq (Eq. 2). */
export function scaleCounts(s: ModelShape): ScaleCounts {
  const N1 = s.nLayer * layerParams(s);
  const N2 = N1 + s.vocab * s.dModel;
  const M = 6 * N1 + attentionFlopsPerToken(s);
  return { N1, N2, M, sixN1OverM: (6 * N1) / M, sixN2OverM: (6 * N2) / M, formula: isStandardShape(s) ? 'standard' : 'exact' };
}

/** 12·n_layer·d·l_seq: attention scores and weighted values, forward and backward, without causal halving (paper Eq. 2). */
export function attentionFlopsPerToken(s: Pick<ModelShape, 'nLayer' | 'dModel' | 'seqLen'>): number {
  return 12 * s.nLayer * s.dModel * s.seqLen;
}

/** The paper's closed forms (Eq. 2), for the standard shape: 6N1 = 72·n·d², 6N2 = 72·n·d² + 6·V·d, M = 72·n·d² + 12·n·d·l. */
export function paperFormulas(nLayer: number, dModel: number, seqLen: number, vocab: number): { N1: number; N2: number; M: number } {
  const sixN1 = 72 * nLayer * dModel * dModel;
  return { N1: sixN1 / 6, N2: (sixN1 + 6 * vocab * dModel) / 6, M: sixN1 + 12 * nLayer * dModel * seqLen };
}

/** FLOPs per token of a shape in the chosen representation (M, 6·N1 or 6·N2). */
export function scalePerToken(s: ModelShape, rep: Representation): number {
  return scaleOfCounts(scaleCounts(s), rep);
}

/** FLOPs per token in a representation from known counts (a run row's M, N1, N2); NaN when the needed count is missing. */
export function scaleOfCounts(c: { M?: number; N1?: number; N2?: number }, rep: Representation): number {
  const v = rep === 'M' ? c.M : rep === '6N1' ? c.N1 : c.N2;
  if (v === undefined || !Number.isFinite(v)) return NaN;
  return rep === 'M' ? v : 6 * v;
}

/**
 * THE compute rule of the toolkit: C = scale(representation) × tokens. Plan, train, fit and report all call this, so a plan made in
 * any representation is spent, checked and fitted in the same one. Accepts a shape or known counts.
 */
export function computeFlops(shapeOrCounts: ModelShape | { M?: number; N1?: number; N2?: number }, tokens: number, rep: Representation): number {
  const scale = 'nLayer' in shapeOrCounts ? scalePerToken(shapeOrCounts, rep) : scaleOfCounts(shapeOrCounts, rep);
  return scale * tokens;
}

/** Rows of the paper's Table 3 (n_vocab 102400, l_seq 4096). */
export const TABLE3_SHAPES: ReadonlyArray<[number, number]> = [
  [8, 512], [12, 768], [24, 1024], [24, 2048], [32, 4096], [40, 5120], [80, 8192],
];
