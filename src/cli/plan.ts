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
import { checkPlanningLaws, checkPointCount, checkWarmupFits } from '../plan/sanity.ts';
import { MAX_GRID_POINTS } from '../schema/settings.ts';
import { gridStages, ladderPlanText, LADDER_OPTIONS, type LadderArgs } from './plan-ladder.ts';
import { DEVICE_NAMES, parseDevice, parseMfu } from '../plan/devices.ts';
import { HARDWARE_FLOPS_RULE, planCost, runCost } from '../plan/cost.ts';
import { formatGpuHours } from '../plan/format.ts';
import { sci } from '../util/format.ts';

/** 'auto' or an integer ≥ min (a flag error naming the flag otherwise). */
function autoOrInteger(v: string, flag: string, min: number): number | 'auto' {
  return String(v).trim().toLowerCase() === 'auto' ? 'auto' : positiveInteger(v, flag, min);
}

interface PlanArgs extends LadderArgs {
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
  tp: number;
  pp: number;
  headSize: string;
  multipleOf: string;
  device?: string;
  mfu: number;
  dataset?: string;
  batchTokens?: number;
  lr?: number;
  format?: 'table' | 'json' | 'csv';
  out?: string;
  force?: boolean;
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
      .option('kv-group', { type: 'number', default: 1, describe: 'query heads per KV head (GQA); 1 = MHA', group: 'Shapes:' })
      .option('tp', { type: 'number', default: DEFAULT_PLAN_OPTIONS.tp, describe: 'tensor-parallel degree: heads, kv heads, d_model and d_ff divisible by it', group: 'Shapes:' })
      .option('pp', { type: 'number', default: DEFAULT_PLAN_OPTIONS.pp, describe: 'pipeline-parallel degree: n_layer divisible by it', group: 'Shapes:' })
      .option('head-size', { type: 'string', default: String(DEFAULT_PLAN_OPTIONS.headSize), describe: "d_model/n_heads of every shape: 'auto' (per budget: 128 from d ≈ 1024, smaller below; docs/plan.md) or an even number", group: 'Shapes:' })
      .option('multiple-of', { type: 'string', default: String(DEFAULT_PLAN_OPTIONS.multipleOf), describe: "d_ff = ⌊8/3·d⌋ rounded up to this: 'auto' (LLaMA: 2^⌊log2(d/16)⌋ in 8…256) or a number, e.g. 256", group: 'Shapes:' })
      .option('device', { type: 'string', describe: `add GPU-hours: ${DEVICE_NAMES.join('|')} or NAME:PEAK_TFLOPS (dense BF16)`, group: 'Cost:' })
      .option('mfu', { type: 'number', default: 0.4, describe: 'model FLOPs utilisation assumed for --device', group: 'Cost:' })
      .option('dataset', { type: 'string', describe: 'label prefixed to grid point ids' })
      .option('batch-tokens', { type: 'number', describe: 'override B_opt (tokens) for every point' })
      .option('lr', { type: 'number', describe: 'override η_opt for every point' })
      .options(LADDER_OPTIONS)
      .option('format', { choices: ['table', 'json', 'csv'] as const, describe: 'output format (default: from the --out extension, .json or .csv; else table)' })
      .option('out', { type: 'string', describe: "write to this file (atomically) instead of stdout ('-' = stdout)" })
      .option('force', { type: 'boolean', default: false, describe: `allow more than ${MAX_GRID_POINTS} --points, and --out through a symlink or into a device` })
      .example('$0 plan --budget 3e20', 'one budget, paper laws')
      .example('$0 plan --budgets 1e17:3e20:8 --out plan.json', 'the paper\'s 8 budgets, as JSON (from the extension)')
      .example('$0 plan --budgets 1e11:1e12:3 --points 5 --seq 128 --vocab 256 --out plan.json', 'a CPU-sized byte-level grid')
      .example('$0 plan --budgets 1e17:3e20:8 --device h100 --mfu 0.4', 'the paper\'s grid with GPU-hours per point, budget and in total')
      .example('$0 plan --budget 3e20 --tp 8 --pp 2 --out plan.json', 'shapes a tensor-parallel 8 × pipeline 2 cluster accepts')
      .example('$0 plan --model 67b', 'C, batch and LR for DeepSeek 67B at 2T tokens') as never,
  handler: (a) => {
    const format = a.format ?? (a.out?.endsWith('.json') ? 'json' : a.out?.endsWith('.csv') ? 'csv' : 'table');
    const { laws, path } = loadLaws(a.laws);
    checkPlanningLaws(laws, path);
    const device = a.device !== undefined ? parseDevice(a.device) : undefined;
    const mfu = parseMfu(a.mfu);
    if (a.ladder !== undefined) {
      emit(ladderPlanText(a, laws, path, format), a.out); // a token ladder of --model (src/cli/plan-ladder.ts)
      return;
    }
    if (a.model) {
      if (a.budget !== undefined || a.budgets !== undefined) throw new InputError('--model plans one preset at --tokens; --budget/--budgets plan grids: give one or the other', { field: a.budget !== undefined ? '--budget' : '--budgets' });
      const p = preset(a.model);
      const m = planModel(p, positiveNumber(a.tokens, '--tokens'), laws);
      const cost = device ? { device: device.key, peakTflops: device.peakTflops, mfu, flopsRule: HARDWARE_FLOPS_RULE, ...runCost(m.shape, m.tokens, device, mfu) } : undefined;
      const text = format === 'json'
        ? JSON.stringify({ model: a.model, ...m, reference: { batchSeqs: p.batchSeqs, lr: p.lr }, ...(cost ? { cost } : {}) }, null, 2)
        : formatModelPlan(a.model, m, p) + (cost ? `\n  cost: ${formatGpuHours(cost.gpuHours)} GPU-hours on ${cost.device} at ${cost.peakTflops} TFLOP/s × MFU ${mfu} (assumed); ${sci(cost.hardwareFlops, 3)} hardware FLOPs = ${HARDWARE_FLOPS_RULE}` : '');
      emit(text, a.out);
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
      tp: positiveInteger(a.tp, '--tp'),
      pp: positiveInteger(a.pp, '--pp'),
      headSize: autoOrInteger(a.headSize, '--head-size', 2),
      multipleOf: autoOrInteger(a.multipleOf, '--multiple-of', 1),
      dataset: a.dataset,
      batchTokens: a.batchTokens !== undefined ? positiveNumber(a.batchTokens, '--batch-tokens') : undefined,
      lr: a.lr !== undefined ? positiveNumber(a.lr, '--lr') : undefined,
      stages: gridStages(a),
    };
    if (!(o.span > 1)) throw new InputError(`must be > 1, got ${o.span}`, { field: '--span' });
    checkPointCount(o.points, a.force ?? false);
    const plan = makePlan(budgets, laws, path, o);
    checkWarmupFits(plan, o.warmup);
    if (device) plan.cost = planCost(plan, device, mfu);
    const text = format === 'json' ? JSON.stringify(plan, null, 2) : format === 'csv' ? formatPlanCsv(plan) : formatPlanTable(plan);
    emit(text, a.out, { force: a.force });
  },
};
