// `scaling train PLAN.json`: trains one grid point, one budget or the whole plan on N worker processes (thin layer over src/train/workers.ts).
import type { CommandModule } from 'yargs';
import { cpus } from 'node:os';
import { readPlan } from '../schema/plan.ts';
import { formatPlanCompute, planCompute } from '../plan/ladder.ts';
import { trainPlan } from '../train/workers.ts';
import { stopExitCode } from '../train/signals.ts';
import { BACKENDS, DATASETS, TRAIN_DEFAULTS, DEFAULT_DATASET, parseBackend } from '../schema/settings.ts';
import { si, sci, textTable } from '../util/format.ts';
import { InputError } from '../util/errors.ts';
import { positiveInteger, positiveNumber } from './options.ts';
import { parseByteSize } from '../train/memory.ts';

interface TrainArgs {
  plan: string;
  budget?: number;
  index?: number;
  jobs?: number;
  runsDir?: string;
  data?: string;
  dataset?: string;
  backend?: string;
  checkpointEvery?: number;
  evalBytes?: number;
  progress?: boolean;
  maxMemory?: string;
  json?: boolean;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train <plan>',
  describe: 'Train the grid points of a plan to their exact token budgets, writing runs/<id>.csv (skips finished runs, resumes unfinished ones)',
  builder: (y) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan JSON written by scaling plan' })
      .option('budget', { type: 'number', describe: 'only the points of this budget C (FLOPs)' })
      .option('index', { type: 'number', describe: 'one point: its index on --budget\'s grid, or without --budget its 0-based position in the plan' })
      .option('jobs', { type: 'number', default: cpus().length, describe: 'worker processes (1: train in this process)' })
      .option('runs-dir', { type: 'string', default: 'runs', describe: 'where run CSVs, checkpoints and locks go' })
      .option('data', { type: 'string', default: 'data', describe: 'prepared datasets directory (scaling data prepare --out)' })
      .option('dataset', { type: 'string', default: DEFAULT_DATASET, describe: `dataset name under --data (bundled: ${DATASETS.join(', ')})` })
      .option('backend', { choices: BACKENDS, default: TRAIN_DEFAULTS.backend, describe: 'TensorFlow.js backend' })
      .option('checkpoint-every', { type: 'number', default: TRAIN_DEFAULTS.checkpointEvery, describe: 'seconds between checkpoints (also written at the end and on Ctrl-C)' })
      .option('eval-bytes', { type: 'number', default: TRAIN_DEFAULTS.evalBytes, describe: 'bytes of val.bin for the intermediate evaluations (fixed windows spread over it); the final one uses all of it' })
      .option('max-memory', { type: 'string', describe: 'memory training may use, e.g. 16G (default: the machine\'s memory or cgroup limit); larger points are refused before anything starts' })
      .option('json', { type: 'boolean', describe: 'print the summary (every point: status, steps, tokens, FLOPs, final loss, seconds; the counts) as JSON' })
      .option('progress', { type: 'boolean', describe: 'progress bars (default: bars on a TTY, plain lines every 10 s otherwise; --no-progress: only the summary)' })
      .example('$0 train plan.json', 'the whole plan on all cores')
      .example('$0 train plan.json --budget 1e11 --index 2 --jobs 1', 'one grid point in this process'),
  handler: async (a) => {
    const plan = readPlan(a.plan);
    if (plan.options.vocab !== 256) {
      throw new InputError(`the plan's vocab is ${plan.options.vocab}, but the datasets are byte-level (vocab 256): re-plan with --seq 128 --vocab 256`, { file: a.plan, field: 'options.vocab' });
    }
    const jobs = positiveInteger(a.jobs, '--jobs');
    const checkpointEvery = a.checkpointEvery === 0 ? 0 : positiveNumber(a.checkpointEvery, '--checkpoint-every');
    const s = await trainPlan(plan, {
      runsDir: a.runsDir ?? 'runs', dataDir: a.data ?? 'data', dataset: a.dataset ?? DEFAULT_DATASET, backend: parseBackend(a.backend ?? TRAIN_DEFAULTS.backend, { field: '--backend' }),
      jobs, budget: a.budget !== undefined ? positiveNumber(a.budget, '--budget') : undefined,
      index: a.index !== undefined ? positiveInteger(a.index, '--index', 0) : undefined,
      checkpointEvery, planFile: a.plan, maxMemory: a.maxMemory === undefined ? undefined : parseByteSize(a.maxMemory, '--max-memory'), evalBytes: positiveInteger(a.evalBytes ?? TRAIN_DEFAULTS.evalBytes, '--eval-bytes'), progress: a.progress ?? 'auto',
    });
    if (a.json) process.stdout.write(JSON.stringify({ points: s.points, counts: s.counts, elapsedS: s.elapsedS, interrupted: s.interrupted }, null, 2) + '\n');
    const rows = s.points.map((p) => [p.id, sci(p.budget), p.status + (p.skipped ? ' (skipped)' : ''), String(p.steps), si(p.tokens), sci(p.flops),
      p.finalValLoss !== undefined ? p.finalValLoss.toFixed(4) : '-', p.finalValLoss !== undefined ? (p.finalValLoss / Math.LN2).toFixed(4) : '-', p.elapsedS.toFixed(1)]);
    if (!a.json) process.stdout.write(textTable(['run', 'C (FLOPs)', 'status', 'steps', 'tokens', 'M·D (FLOPs)', 'val (nats/token)', 'val (bits/byte)', 'time (s)'], rows) + '\n');
    const c = s.counts;
    (a.json ? process.stderr : process.stdout).write(`${c.done} done, ${c.diverged} diverged, ${c.stopped} stopped, ${c.locked} locked by another process, ${c.failed} failed — ${s.elapsedS.toFixed(1)} s${s.interrupted ? ' (interrupted: rerun to resume)' : ''}\n`);
    // Token ladders (docs/ladder.md): what the whole plan costs with its trunks, against every budget from scratch.
    if (plan.ladders?.length) (a.json ? process.stderr : process.stdout).write(formatPlanCompute(planCompute(plan)) + '\n');
    // The cause of every failure, also without progress output (workers report it; --no-progress shows no log lines).
    for (const p of s.points) if (p.status === 'failed' && p.error) process.stderr.write(`scaling: ${p.id}: ${p.error}\n`);
    if (c.failed > 0) process.exitCode = 1;
    // Stopped by a signal after checkpointing: 130 (SIGINT), 143 (SIGTERM), 75 (SIGUSR1: requeue me) — src/train/signals.ts.
    else if (s.stoppedBy && c.stopped > 0) process.exitCode = stopExitCode(s.stoppedBy);
  },
};
