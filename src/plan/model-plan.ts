// `scaling plan --model 7b|67b`: a given shape trained on D tokens — its compute C = M·D and the batch size and LR that Eq. 1 gives.
import { scaleCounts, scalePerToken, type ScaleCounts } from '../flops/flops.ts';
import type { ModelShape } from '../flops/shape.ts';
import { evalLossLaw, type LawsFile } from '../schema/laws.ts';
import { hyperparameters } from './grid.ts';

export interface ModelPlan {
  shape: ModelShape;
  counts: ScaleCounts;
  tokens: number;
  compute: number;
  batchTokens: number;
  batchSeqs: number;
  lr: number;
  predictedLoss?: number;
  /** The compute-optimal scale and tokens at this C, per the laws (for comparison with the given shape). */
  scaleOpt?: number;
  tokensOpt?: number;
}

export function planModel(shape: ModelShape, tokens: number, laws: LawsFile): ModelPlan {
  const counts = scaleCounts(shape);
  const compute = scalePerToken(shape, laws.representation) * tokens;
  const hp = hyperparameters(laws, compute, { seqLen: shape.seqLen });
  const out: ModelPlan = { shape, counts, tokens, compute, ...hp };
  if (laws.laws.loss) out.predictedLoss = evalLossLaw(laws.laws.loss, compute);
  if (laws.laws.scale) {
    out.scaleOpt = laws.laws.scale.coefficient * Math.pow(compute, laws.laws.scale.exponent);
    out.tokensOpt = compute / out.scaleOpt;
  }
  return out;
}
