// The paper's named models (Table 2: DeepSeek LLM 7B and 67B) with their training tokens, batch and LR: the one list every stage reads.
import { InputError } from '../util/errors.ts';
import { computeFlops, type Representation } from './flops.ts';
import type { ModelShape } from './shape.ts';

export interface Preset extends ModelShape {
  /** Key used on the command line and in files: '7b', '67b'. */
  key: string;
  /** Human label, e.g. 'DeepSeek LLM 7B'. */
  label: string;
  /** Training tokens (paper: 2T for both). */
  tokens: number;
  /** Table 2 batch size in sequences of seqLen tokens, and peak LR. */
  batchSeqs: number;
  lr: number;
}

/** DeepSeek LLM 7B and 67B (paper Table 2); 67B uses GQA with 8 KV heads. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  '7b': { key: '7b', label: 'DeepSeek LLM 7B', nLayer: 30, dModel: 4096, nHeads: 32, nKvHeads: 32, dFf: 11008, seqLen: 4096, vocab: 102400, tokens: 2e12, batchSeqs: 2304, lr: 4.2e-4 },
  '67b': { key: '67b', label: 'DeepSeek LLM 67B', nLayer: 95, dModel: 8192, nHeads: 64, nKvHeads: 8, dFf: 22016, seqLen: 4096, vocab: 102400, tokens: 2e12, batchSeqs: 4608, lr: 3.2e-4 },
};
export const PRESET_NAMES = Object.keys(PRESETS);

/** The preset called `name` (case-insensitive) or an InputError naming `flag`. */
export function preset(name: string, flag = '--model'): Preset {
  const p = PRESETS[name.toLowerCase()];
  if (!p) throw new InputError(`unknown preset '${name}' (known: ${PRESET_NAMES.join(', ')})`, { field: flag });
  return p;
}

/** Only the shape of a preset. */
export function presetShape(p: Preset): ModelShape {
  return { nLayer: p.nLayer, dModel: p.dModel, nHeads: p.nHeads, nKvHeads: p.nKvHeads, dFf: p.dFf, seqLen: p.seqLen, vocab: p.vocab };
}

/** Training compute of a preset at its tokens, in a representation (M·D for the paper). */
export function presetCompute(p: Preset, rep: Representation = 'M'): number {
  return computeFlops(presetShape(p), p.tokens, rep);
}
