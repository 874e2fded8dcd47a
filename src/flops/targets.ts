// Prediction and report targets: the paper's presets at their tokens, a compute budget, or any shape; parsed from '7b,67b,1e21,n_layer=…'.
import { formatWhere, InputError } from '../util/errors.ts';
import { llamaFfn, validateShape, type ModelShape } from './shape.ts';
import { PRESETS, presetShape, presetCompute } from './presets.ts';

/** Tokens of a shape target that does not name them: the presets' 2T. */
export const DEFAULT_TARGET_TOKENS = PRESETS['7b'].tokens;

export interface PredictionTarget {
  label: string;
  kind: 'shape' | 'budget';
  /** Budget targets: the compute. */
  compute?: number;
  /** Shape targets: the shape and its training tokens (2T unless given). */
  shape?: ModelShape;
  tokens?: number;
  /** The preset key ('7b', '67b') when the target is one. */
  preset?: string;
}

const SHAPE_KEYS: Record<string, keyof ModelShape | 'tokens'> = {
  n_layer: 'nLayer', d_model: 'dModel', n_heads: 'nHeads', n_kv_heads: 'nKvHeads', d_ff: 'dFf', seq_len: 'seqLen', vocab: 'vocab', tokens: 'tokens',
};

/**
 * Parses `--predict` items: '7b' / '67b' (paper Table 2 presets at their 2T tokens), a budget ('1e21'), or a shape
 * 'n_layer=30,d_model=4096[,n_heads=…,n_kv_heads=…,d_ff=…,seq_len=4096,vocab=102400,tokens=2e12]' (heads default d/128,
 * kv heads = heads, d_ff LLaMA's 8/3·d rule).
 */
export function parseTargets(items: string[]): PredictionTarget[] {
  const out: PredictionTarget[] = [];
  for (const raw of items.flatMap((s) => s.split(/[;\s]+/)).filter((s) => s.length > 0)) {
    const key = raw.toLowerCase();
    if (PRESETS[key]) {
      const p = PRESETS[key];
      out.push({ label: key, kind: 'shape', shape: presetShape(p), tokens: p.tokens, preset: p.key });
      continue;
    }
    if (/^[0-9.]+(e[+-]?[0-9]+)?$/i.test(raw)) {
      const c = Number(raw);
      if (!(c > 0) || !Number.isFinite(c)) throw new InputError(`budget must be a positive number, got '${raw}'`, { field: '--predict' });
      out.push({ label: raw, kind: 'budget', compute: c });
      continue;
    }
    if (raw.includes('=')) {
      const kv: Record<string, number> = {};
      for (const part of raw.split(',')) {
        const [k, v] = part.split('=');
        const field = SHAPE_KEYS[k?.trim() ?? ''];
        const num = Number(v);
        if (!field) throw new InputError(`unknown shape key '${k}' in '${raw}' (known: ${Object.keys(SHAPE_KEYS).join(', ')})`, { field: '--predict' });
        if (!Number.isFinite(num) || num <= 0) throw new InputError(`'${k}' must be a positive number, got '${v}'`, { field: '--predict' });
        kv[field] = num;
      }
      if (kv.nLayer === undefined || kv.dModel === undefined) throw new InputError(`a shape needs n_layer and d_model: '${raw}'`, { field: '--predict' });
      const nHeads = kv.nHeads ?? Math.max(1, Math.round(kv.dModel / 128));
      const shape = validateShape(
        { nLayer: kv.nLayer, dModel: kv.dModel, nHeads, nKvHeads: kv.nKvHeads ?? nHeads, dFf: kv.dFf ?? llamaFfn(kv.dModel), seqLen: kv.seqLen ?? PRESETS['7b'].seqLen, vocab: kv.vocab ?? PRESETS['7b'].vocab },
        { prefix: '--predict ' },
      );
      out.push({ label: raw, kind: 'shape', shape, tokens: kv.tokens ?? DEFAULT_TARGET_TOKENS });
      continue;
    }
    throw new InputError(`cannot read '${raw}': expected 7b, 67b, a budget like 1e21, or n_layer=…,d_model=…`, { field: '--predict' });
  }
  return out;
}

/** The paper's 7B and 67B as compute targets (C = M·D at their 2T tokens), for charts and predictions. */
export function paperTargets(): { label: string; key: string; compute: number }[] {
  return Object.values(PRESETS).map((p) => ({ label: p.label.replace(' LLM', ''), key: p.key, compute: presetCompute(p, 'M') }));
}

/**
 * One model shape from a preset name ('7b', '67b') or 'n_layer=…,d_model=…[,n_heads=…,n_kv_heads=…,d_ff=…]' (parseTargets' rules);
 * `seqLen` and `vocab` fill what a spec does not name. Errors name `where` (a flag or a file's field).
 */
export function parseShapeSpec(spec: string, defaults: { seqLen: number; vocab: number }, where: { file?: string; field?: string }): ModelShape {
  const full = spec.includes('=') ? spec + (/seq_len=/.test(spec) ? '' : `,seq_len=${defaults.seqLen}`) + (/vocab=/.test(spec) ? '' : `,vocab=${defaults.vocab}`) : spec;
  let t: PredictionTarget[];
  try {
    t = parseTargets([full]);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const reason = e.message.slice(formatWhere({ field: e.field }).length);
    const sub = (e.field ?? '').replace(/^--predict\s*/, ''); // e.g. 'nHeads' from validateShape
    throw new InputError(sub ? `${sub}: ${reason}` : reason, where);
  }
  if (t.length !== 1 || t[0].kind !== 'shape') throw new InputError(`expected one shape (7b, 67b or n_layer=…,d_model=…), got '${spec}'`, where);
  return t[0].shape!;
}
