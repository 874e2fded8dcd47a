// Hyperparameter grids (paper §3.1): per budget, the compute-optimal model trained on batch sizes × learning rates around Eq. 1.
import { scalePerToken } from '../flops/flops.ts';
import { evalPowerLaw, type LawsFile } from '../schema/laws.ts';
import type { BudgetPlan, GridPoint, PlanFile } from '../schema/plan.ts';
import { InputError } from '../util/errors.ts';
import { DEFAULT_STAGES } from '../schema/settings.ts';
import { allocateTokens, checkBudgets, familyConstraints, gridPoint, hyperparameters, planFile, type PlanOptions } from './grid.ts';
import { solveShape } from './shape-solver.ts';

function hparamBudget(budget: number, laws: LawsFile, o: PlanOptions, batchMult: number[], lrMult: number[]): BudgetPlan {
  if (!laws.laws.scale) throw new InputError('the laws file has no scale law (laws.scale), which planning needs', { field: 'laws.scale' });
  const scaleOpt = evalPowerLaw(laws.laws.scale, budget);
  const solved = solveShape(scaleOpt, familyConstraints(o, laws.representation));
  const shape = solved.shape;
  const scale = scalePerToken(shape, laws.representation);
  const hp = hyperparameters(laws, budget, o);
  const points: GridPoint[] = [];
  const c = budget.toExponential(2).replace('e+', 'e');
  const prefix = o.dataset ? o.dataset.replace(/[^A-Za-z0-9._-]+/g, '-') + '-' : '';
  const seenBatch = new Set<number>();
  batchMult.forEach((bm, bi) => {
    const seqs = Math.max(1, Math.round((hp.batchTokens * bm) / o.seqLen));
    if (seenBatch.has(seqs)) return; // multipliers that round to the same whole number of sequences give one column
    seenBatch.add(seqs);
    const alloc = allocateTokens(budget, scale, seqs, o.seqLen, o.tolerance);
    lrMult.forEach((lm, li) => {
      points.push(gridPoint({ id: `${prefix}C${c}-b${bi}-lr${li}-L${shape.nLayer}-d${shape.dModel}`, budget, index: points.length, shape, targetScale: scaleOpt, scale, alloc, lr: hp.lr * lm }, o));
    });
  });
  return { budget, scaleOpt, tokensOpt: budget / scaleOpt, batchTokens: hp.batchTokens, batchSeqs: hp.batchSeqs, lr: hp.lr, points };
}

/** A plan whose budgets each hold one model (the laws' M_opt) on a batch × LR grid: multipliers of Eq. 1's B_opt and η_opt. */
export function makeHparamPlan(budgets: number[], laws: LawsFile, lawsPath: string, o: PlanOptions, batchMult: number[], lrMult: number[]): PlanFile {
  if (batchMult.length * lrMult.length < 3) throw new InputError('a hyperparameter grid needs at least 3 (batch, lr) pairs', { field: 'batchMultipliers' });
  checkBudgets(budgets);
  const options: PlanFile['options'] = { points: batchMult.length * lrMult.length, span: 1, seqLen: o.seqLen, vocab: o.vocab, schedule: o.schedule, warmup: o.warmup, seed: o.seed, ...(o.dataset ? { dataset: o.dataset } : {}), ...(o.stages && o.stages !== DEFAULT_STAGES ? { stages: o.stages } : {}) };
  return planFile(laws, lawsPath, options, budgets.map((b) => hparamBudget(b, laws, o, batchMult, lrMult)));
}
