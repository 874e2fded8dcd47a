// `scaling plan`: IsoFLOP grids for one or more compute budgets from a laws file (default: the paper's), or a preset model's C, batch and LR.
import type { CommandModule } from 'yargs';
import { loadLaws } from '../laws/load.ts';
import { parseBudgetList, parseBudgetRange } from '../plan/budgets.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan, type PlanOptions } from '../plan/grid.ts';
import { planModel } from '../plan/model-plan.ts';
import { formatModelPlan, formatPlanCsv, formatPlanTable } from '../plan/format.ts';
import { preset } from '../flops/presets.ts';
import { InputError } from '../util/errors.ts';
import { SCHEDULES, DEFAULT_SCHEDULE, DEFAULT_WARMUP, parseWarmup, type ScheduleName } from '../schema/settings.ts';
import { emit, positiveInteger, positiveNumber } from './options.ts';

interface PlanArgs {
  budget?: string;
  budgets?: string;
  model?: string;
  tokens: number;
  laws?: string;
  points: number;
  span: number;
  seq: number;
  vocab: number;
  schedule: ScheduleName;
  warmup: string;
  seed: number;
  kvGroup: number;
  dataset?: string;
  batchTokens?: number;
  lr?: number;
  format?: 'table' | 'json' | 'csv';
  out?: string;
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: 'plan',
  describe: 'Plan IsoFLOP grids (≈10 model/data allocations per budget) from scaling laws, or a preset model\'s compute, batch and LR',
  builder: (y) =>
    y
      .option('budget', { type: 'string', describe: 'compute budget(s) in FLOPs: 3e20 or a list 1e17,3e17,1e18' })
      .option('budgets', { type: 'string', describe: 'log-spaced budgets FROM:TO:COUNT, e.g. 1e17:3e20:8' })
      .option('model', { type: 'string', describe: 'plan a preset shape (7b|67b) trained on --tokens instead of a grid' })
      .option('tokens', { type: 'number', default: 2e12, describe: 'training tokens for --model' })
      .option('laws', { type: 'string', describe: 'laws file (default: fits/deepseek-llm.json, the paper\'s Eq. 1 and Eq. 4)' })
      .option('points', { type: 'number', default: DEFAULT_PLAN_OPTIONS.points, describe: 'grid points per budget (≥ 3)' })
      .option('span', { type: 'number', default: DEFAULT_PLAN_OPTIONS.span, describe: 'grid reaches M_opt/span … M_opt·span (log-spaced)' })
      .option('seq', { type: 'number', default: DEFAULT_PLAN_OPTIONS.seqLen, describe: 'sequence length' })
      .option('vocab', { type: 'number', default: DEFAULT_PLAN_OPTIONS.vocab, describe: 'vocabulary size (256 for byte-level)' })
      .option('schedule', { choices: SCHEDULES, default: DEFAULT_SCHEDULE })
      .option('warmup', { type: 'string', default: DEFAULT_WARMUP, describe: "warm-up steps: 'auto' = min(2000, 5% of steps), a count, or '2%'" })
      .option('seed', { type: 'number', default: 0 })
      .option('kv-group', { type: 'number', default: 1, describe: 'query heads per KV head (GQA); 1 = MHA' })
      .option('dataset', { type: 'string', describe: 'label prefixed to grid point ids' })
      .option('batch-tokens', { type: 'number', describe: 'override B_opt (tokens) for every point' })
      .option('lr', { type: 'number', describe: 'override η_opt for every point' })
      .option('format', { choices: ['table', 'json', 'csv'] as const, describe: 'output format (default: from the --out extension, .json or .csv; else table)' })
      .option('out', { type: 'string', describe: 'write to this file (atomically) instead of stdout' })
      .example('$0 plan --budget 3e20', 'one budget, paper laws')
      .example('$0 plan --budgets 1e17:3e20:8 --out plan.json', 'the paper\'s 8 budgets, as JSON (from the extension)')
      .example('$0 plan --budgets 1e11:1e12:3 --points 5 --seq 128 --vocab 256 --out plan.json', 'a CPU-sized byte-level grid')
      .example('$0 plan --model 67b', 'C, batch and LR for DeepSeek 67B at 2T tokens') as never,
  handler: (a) => {
    const format = a.format ?? (a.out?.endsWith('.json') ? 'json' : a.out?.endsWith('.csv') ? 'csv' : 'table');
    const { laws, path } = loadLaws(a.laws);
    if (a.model) {
      const p = preset(a.model);
      const m = planModel(p, positiveNumber(a.tokens, '--tokens'), laws);
      emit(format === 'json' ? JSON.stringify({ model: a.model, ...m, reference: { batchSeqs: p.batchSeqs, lr: p.lr } }, null, 2) : formatModelPlan(a.model, m, p), a.out);
      return;
    }
    if (a.budget && a.budgets) throw new InputError('give --budget or --budgets, not both', { field: '--budgets' });
    if (!a.budget && !a.budgets) throw new InputError('give --budget C (or a list), --budgets FROM:TO:COUNT, or --model 7b|67b', { field: '--budget' });
    const budgets = a.budget ? parseBudgetList(String(a.budget)) : parseBudgetRange(String(a.budgets));
    const o: PlanOptions = {
      ...DEFAULT_PLAN_OPTIONS,
      points: positiveInteger(a.points, '--points', 3),
      span: positiveNumber(a.span, '--span'),
      seqLen: positiveInteger(a.seq, '--seq'),
      vocab: positiveInteger(a.vocab, '--vocab'),
      schedule: a.schedule,
      warmup: parseWarmup(a.warmup, { field: '--warmup' }),
      seed: positiveInteger(a.seed, '--seed', 0),
      kvGroup: positiveInteger(a.kvGroup, '--kv-group'),
      dataset: a.dataset,
      batchTokens: a.batchTokens !== undefined ? positiveNumber(a.batchTokens, '--batch-tokens') : undefined,
      lr: a.lr !== undefined ? positiveNumber(a.lr, '--lr') : undefined,
    };
    if (!(o.span > 1)) throw new InputError(`must be > 1, got ${o.span}`, { field: '--span' });
    const plan = makePlan(budgets, laws, path, o);
    const text = format === 'json' ? JSON.stringify(plan, null, 2) : format === 'csv' ? formatPlanCsv(plan) : formatPlanTable(plan);
    emit(text, a.out);
  },
};
