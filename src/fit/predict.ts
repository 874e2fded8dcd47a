// Predictions from fitted laws: a named shape ('7b', '67b', or n_layer=…,d_model=…) trained on 2T tokens, or the compute-optimal
// model at a budget ('1e21'): compute, scale, tokens, loss (loss law), learning rate and batch size (Eq. 1 laws, when fitted).
import { InputError } from '../schema/errors.ts';
import { evalLossLaw, evalPowerLaw, type LossLaw, type PowerLaw, type Prediction } from '../schema/laws.ts';
import { PRESETS, llamaFfn, validateShape, type ModelShape } from '../flops/shape.ts';
import { scalePerToken, type Representation } from '../flops/flops.ts';

export interface PredictionTarget {
  label: string;
  kind: 'shape' | 'budget';
  /** Budget targets: the compute. */
  compute?: number;
  /** Shape targets: the shape and its training tokens (2T unless given). */
  shape?: ModelShape;
  tokens?: number;
}

/** The laws a prediction reads (a full fit, a bootstrap resample, or a representation's refit). */
export interface LawSet {
  scale?: PowerLaw;
  loss?: LossLaw;
  lr?: PowerLaw;
  batch?: PowerLaw;
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
      const { tokens, batchSeqs: _b, lr: _l, ...shape } = PRESETS[key];
      out.push({ label: key, kind: 'shape', shape, tokens });
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
        { nLayer: kv.nLayer, dModel: kv.dModel, nHeads, nKvHeads: kv.nKvHeads ?? nHeads, dFf: kv.dFf ?? llamaFfn(kv.dModel), seqLen: kv.seqLen ?? 4096, vocab: kv.vocab ?? 102400 },
        { prefix: '--predict ' },
      );
      out.push({ label: raw, kind: 'shape', shape, tokens: kv.tokens ?? 2e12 });
      continue;
    }
    throw new InputError(`cannot read '${raw}': expected 7b, 67b, a budget like 1e21, or n_layer=…,d_model=…`, { field: '--predict' });
  }
  return out;
}

/** Compute, scale and tokens of a target in a representation (shapes: scale from the exact shape; budgets: scale = M_opt(C)). */
export function targetPoint(t: PredictionTarget, laws: LawSet, rep: Representation): { compute: number; scale: number; tokens: number } | undefined {
  if (t.kind === 'shape') {
    const scale = scalePerToken(t.shape!, rep);
    return { compute: scale * t.tokens!, scale, tokens: t.tokens! };
  }
  if (!laws.scale) return undefined;
  const scale = evalPowerLaw(laws.scale, t.compute!);
  return { compute: t.compute!, scale, tokens: t.compute! / scale };
}

/** One prediction without intervals (the bootstrap adds them). */
export function predictOne(t: PredictionTarget, laws: LawSet, rep: Representation): Prediction | undefined {
  const pt = targetPoint(t, laws, rep);
  if (!pt) return undefined;
  const p: Prediction = { label: t.label, ...pt };
  if (laws.loss) p.loss = evalLossLaw(laws.loss, pt.compute);
  if (laws.lr) p.lr = evalPowerLaw(laws.lr, pt.compute);
  if (laws.batch) p.batchTokens = evalPowerLaw(laws.batch, pt.compute);
  if (t.shape) p.shape = { ...t.shape };
  return p;
}
