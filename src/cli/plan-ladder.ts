// `scaling plan --ladder TOKENS --model SHAPE`: a token ladder (docs/ladder.md) — one shape, several token budgets sharing the
// multi-step schedule's stage 1 — and the compute it saves against training every budget from scratch. Also `--stages` for grids.
import type { Options } from 'yargs';
import { parseShapeSpec } from '../flops/targets.ts';
import type { ModelShape } from '../flops/shape.ts';
import type { LawsFile } from '../schema/laws.ts';
import { parseBudgetList, parseBudgetRange } from '../plan/budgets.ts';
import { formatPlanCompute, makeLadderPlan, planCompute } from '../plan/ladder.ts';
import { formatPlanCsv, formatPlanTable } from '../plan/format.ts';
import { DEFAULT_STAGES, MULTISTEP_STAGES, parseStages, parseWarmup, type ScheduleName } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { positiveInteger, positiveNumber } from './options.ts';

/** The flags `scaling plan` gets for ladders and stage ratios (registered with yargs `.options(…)`). */
export const LADDER_OPTIONS: Record<string, Options> = {
  ladder: { type: 'string', group: 'Ladders:', describe: 'plan a token ladder of --model: training tokens as a list 1e9,2e9,4e9 or FROM:TO:COUNT (log-spaced); one trunk per seed, each budget branches off it (docs/ladder.md)' },
  stages: { type: 'string', group: 'Ladders:', default: DEFAULT_STAGES, describe: `multi-step stage ratios A/B/C (shares of tokens at 100%, 31.6%, 10% of peak LR); a ladder takes a list (${MULTISTEP_STAGES.join(',')}), all on one trunk` },
  seeds: { type: 'string', group: 'Ladders:', describe: 'ladder seeds, e.g. 0,1,2 (one trunk each; default: --seed)' },
};

export interface LadderArgs {
  ladder?: string;
  stages: string;
  seeds?: string;
  model?: string;
  seq: number;
  vocab: number;
  schedule: ScheduleName;
  warmup: string;
  seed: number;
  dataset?: string;
  batchTokens?: number;
  lr?: number;
}

/** `--stages` for an IsoFLOP or hyperparameter grid: one ratio. */
export function gridStages(a: Pick<LadderArgs, 'stages'>): string {
  const list = stageList(a.stages);
  if (list.length !== 1) throw new InputError('a grid takes one stage ratio (a ladder can take several)', { field: '--stages' });
  return list[0];
}

function stageList(spec: string): string[] {
  return String(spec).split(',').map((s) => parseStages(s.trim(), { field: '--stages' }));
}

/** `--model` of a ladder: a preset or n_layer=…,d_model=…; --seq and --vocab fill what the spec does not name. */
export function ladderShape(spec: string | undefined, seq: number, vocab: number): ModelShape {
  if (!spec) throw new InputError('a ladder trains one shape: give --model 7b|67b or n_layer=…,d_model=…[,n_heads=…,d_ff=…]', { field: '--model' });
  return parseShapeSpec(spec, { seqLen: seq, vocab }, { field: '--model' });
}

/** The ladder plan as the chosen format; the table ends with the compute lines (with ladders vs every budget from scratch). */
export function ladderPlanText(a: LadderArgs, laws: LawsFile, lawsPath: string, format: 'table' | 'json' | 'csv'): string {
  const spec = String(a.ladder);
  const tokens = spec.includes(':') ? parseBudgetRange(spec, '--ladder') : parseBudgetList(spec, '--ladder');
  const seeds = a.seeds === undefined ? [positiveInteger(a.seed, '--seed', 0)] : a.seeds.split(',').map((s) => positiveInteger(s.trim(), '--seeds', 0));
  const plan = makeLadderPlan(laws, lawsPath, {
    shape: ladderShape(a.model, positiveInteger(a.seq, '--seq'), positiveInteger(a.vocab, '--vocab')),
    tokens,
    seeds,
    schedules: [a.schedule],
    stages: stageList(a.stages),
    warmup: parseWarmup(a.warmup, { field: '--warmup' }),
    dataset: a.dataset,
    batchTokens: a.batchTokens !== undefined ? positiveNumber(a.batchTokens, '--batch-tokens') : undefined,
    lr: a.lr !== undefined ? positiveNumber(a.lr, '--lr') : undefined,
  });
  if (format === 'json') return JSON.stringify(plan, null, 2);
  if (format === 'csv') return formatPlanCsv(plan);
  return `${formatPlanTable(plan)}\n\n${formatPlanCompute(planCompute(plan))}`;
}
