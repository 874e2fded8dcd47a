// `scaling flops`: N1, N2, M and the 6N/M ratios of a shape or preset (paper Eq. 2), or the paper's Table 3 recomputed.
import type { CommandModule } from 'yargs';
import { scaleCounts } from '../flops/flops.ts';
import { llamaFfn, validateShape, type ModelShape } from '../flops/shape.ts';
import { preset } from '../flops/presets.ts';
import { formatTable3, table3 } from '../flops/table3.ts';
import { si, textTable } from '../util/format.ts';
import { InputError } from '../util/errors.ts';
import { emit, positiveInteger } from './options.ts';

interface FlopsArgs {
  model?: string;
  layers?: number;
  dModel?: number;
  heads?: number;
  kvHeads?: number;
  ffn?: number;
  seq: number;
  vocab: number;
  table3: boolean;
  format: 'table' | 'json';
}

/** Builds a shape from flags (or a preset), filling LLaMA defaults. */
export function shapeFromFlags(a: { model?: string; layers?: number; dModel?: number; heads?: number; kvHeads?: number; ffn?: number; seq?: number; vocab?: number }): ModelShape {
  if (a.model) {
    const p = preset(a.model);
    return { nLayer: p.nLayer, dModel: p.dModel, nHeads: p.nHeads, nKvHeads: p.nKvHeads, dFf: p.dFf, seqLen: a.seq ?? p.seqLen, vocab: a.vocab ?? p.vocab };
  }
  if (a.layers === undefined || a.dModel === undefined) throw new InputError('give --model 7b|67b or a shape (--layers and --d-model at least)', { field: '--layers' });
  const nLayer = positiveInteger(a.layers, '--layers');
  const d = positiveInteger(a.dModel, '--d-model');
  const heads = a.heads !== undefined ? positiveInteger(a.heads, '--heads') : Math.max(1, d / (d >= 1024 ? 128 : 64));
  if (!Number.isInteger(heads) || d % heads !== 0) throw new InputError(`d_model ${d} is not divisible by the number of heads ${heads}`, { field: '--heads' });
  const kv = a.kvHeads !== undefined ? positiveInteger(a.kvHeads, '--kv-heads') : heads;
  if (heads % kv !== 0) throw new InputError(`must divide --heads ${heads}, got ${kv}`, { field: '--kv-heads' });
  const shape: ModelShape = {
    nLayer, dModel: d, nHeads: heads, nKvHeads: kv,
    dFf: a.ffn !== undefined ? positiveInteger(a.ffn, '--ffn') : llamaFfn(d),
    seqLen: positiveInteger(a.seq ?? 4096, '--seq'), vocab: positiveInteger(a.vocab ?? 102400, '--vocab'),
  };
  return validateShape(shape);
}

export const flopsCommand: CommandModule<object, FlopsArgs> = {
  command: 'flops',
  describe: 'Model scale of a shape: N1, N2, M (non-embedding FLOPs/token) and 6N/M (paper Eq. 2, Table 3)',
  builder: (y) =>
    y
      .option('model', { type: 'string', describe: 'Preset shape from the paper\'s Table 2: 7b or 67b' })
      .option('layers', { type: 'number', describe: 'n_layer' })
      .option('d-model', { type: 'number', describe: 'd_model' })
      .option('heads', { type: 'number', describe: 'attention heads (default: head size 128 for d ≥ 1024, else 64)' })
      .option('kv-heads', { type: 'number', describe: 'key/value heads (GQA; default = heads)' })
      .option('ffn', { type: 'number', describe: 'SwiGLU width (default: 8/3·d rounded up as LLaMA does)' })
      .option('seq', { type: 'number', default: 4096, describe: 'sequence length l_seq' })
      .option('vocab', { type: 'number', default: 102400, describe: 'vocabulary size' })
      .option('table3', { type: 'boolean', default: false, describe: 'print the paper\'s Table 3 recomputed' })
      .option('format', { choices: ['table', 'json'] as const, default: 'table' as const })
      .example('$0 flops --model 67b', 'the 67B (GQA, exact M)')
      .example('$0 flops --layers 24 --d-model 2048', 'a standard-shape model')
      .example('$0 flops --table3', 'the paper\'s Table 3') as never,
  handler: (a) => {
    if (a.table3) {
      const rows = table3(a.seq, a.vocab);
      emit(a.format === 'json' ? JSON.stringify(rows, null, 2) : formatTable3(rows));
      return;
    }
    const shape = shapeFromFlags(a);
    const c = scaleCounts(shape);
    if (a.format === 'json') {
      emit(JSON.stringify({ shape, ...c }, null, 2));
      return;
    }
    const formula = c.formula === 'standard' ? 'M = 72·n·d² + 12·n·d·l_seq (paper Eq. 2; MHA, d_ff = 8/3·d)' : 'M = 6 × (non-embedding matmul params) + 12·n·d·l_seq (exact for GQA / this FFN width)';
    emit([
      `shape   n_layer=${shape.nLayer} d_model=${shape.dModel} heads=${shape.nHeads} kv_heads=${shape.nKvHeads} d_ff=${shape.dFf} l_seq=${shape.seqLen} vocab=${shape.vocab}`,
      textTable(['N1', 'N2', 'M', '6N1/M', '6N2/M'], [[si(c.N1), si(c.N2), si(c.M), c.sixN1OverM.toFixed(3), c.sixN2OverM.toFixed(3)]]),
      `exact   N1=${c.N1} N2=${c.N2} M=${c.M}`,
      `formula ${formula}`,
    ].join('\n'));
  },
};
