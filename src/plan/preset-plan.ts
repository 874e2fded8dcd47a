// A one-point plan for a preset (DeepSeek 7B / 67B, paper Table 2): its exact shape, tokens, batch and peak LR, the multi-step schedule.
import { scaleCounts } from '../flops/flops.ts';
import { presetCompute, presetShape, type Preset } from '../flops/presets.ts';
import type { LawsFile } from '../schema/laws.ts';
import type { PlanFile } from '../schema/plan.ts';
import { DEFAULT_PLAN_OPTIONS, gridPoint, planFile, type PlanOptions } from './grid.ts';

/**
 * The preset as a plan of one grid point (id = its key, e.g. '7b'), so every consumer of plans (train, export, slurm) takes it:
 * Table 2's batch (sequences of 4096) and peak LR, D = its tokens rounded to whole batches, warm-up min(2000, 5%) = 2000 steps.
 */
export function presetPlan(p: Preset, laws: LawsFile, lawsPath: string, o: Partial<Pick<PlanOptions, 'schedule' | 'warmup' | 'seed'>> = {}): PlanFile {
  const shape = presetShape(p);
  const opts: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...o, seqLen: p.seqLen, vocab: p.vocab, points: 1, span: 1 };
  const batchTokens = p.batchSeqs * p.seqLen;
  const steps = Math.round(p.tokens / batchTokens);
  const tokens = steps * batchTokens;
  const scale = scaleCounts(shape).M;
  const budget = presetCompute(p, 'M');
  const point = gridPoint({ id: p.key, budget, index: 0, shape, targetScale: scale, scale, alloc: { batchSeqs: p.batchSeqs, steps, tokens }, lr: p.lr }, opts);
  const options: PlanFile['options'] = { points: 1, span: 1, seqLen: p.seqLen, vocab: p.vocab, schedule: opts.schedule, warmup: opts.warmup, seed: opts.seed, batchTokens, lr: p.lr };
  const plan = planFile(laws, lawsPath, options, [{ budget, scaleOpt: scale, tokensOpt: p.tokens, batchTokens, batchSeqs: p.batchSeqs, lr: p.lr, points: [point] }]);
  return { ...plan, representation: 'M' };
}
