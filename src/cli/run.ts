// `scaling run EXPERIMENT.json`: the whole pipeline for one experiment file; prints each dataset's a and b with intervals and the report path.
import type { CommandModule } from 'yargs';
import { readExperiment } from '../schema/experiment.ts';
import { positiveInteger } from './options.ts';
import { stopExitCode } from '../train/signals.ts';
import { BACKENDS, type BackendName } from '../schema/settings.ts';

interface RunArgs {
  experiment: string;
  planOnly: boolean;
  jobs?: number;
  backend?: BackendName;
  out?: string;
  json?: boolean;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <experiment>',
  describe: 'Run an experiment end to end: prepare data → plan → train (all cores, resumable) → fit per dataset → report',
  builder: (y) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (docs/experiments.md), e.g. experiments/micro.json' })
      .option('plan-only', { type: 'boolean', default: false, describe: 'write the plans and stop (for GPU-sized budgets such as experiments/paper.json)' })
      .option('jobs', { type: 'number', describe: 'worker processes (default: the experiment\'s, else the number of cores)' })
      .option('backend', { choices: BACKENDS, describe: 'override the experiment\'s TensorFlow.js backend' })
      .option('out', { type: 'string', describe: 'output folder (default: the experiment\'s out, else out/<name>)' })
      .option('json', { type: 'boolean', describe: 'print the closing summary as JSON (exponents, intervals, warnings, paths) on stdout' })
      .example('$0 run experiments/micro.json', 'the default micro study (npm start)')
      .example('$0 run experiments/paper.json --plan-only', 'plan the paper\'s budgets for a GPU cluster') as never,
  handler: async (a) => {
    const exp = readExperiment(a.experiment);
    // Loaded on use: the pipeline pulls in TensorFlow.js and vega, which other commands don't need.
    const { runExperiment } = await import('../run/experiment.ts');
    const { formatRunSummary, runSummaryJson } = await import('../run/summary.ts');
    const result = await runExperiment(exp, a.experiment, {
      planOnly: a.planOnly,
      jobs: a.jobs === undefined ? undefined : positiveInteger(a.jobs, '--jobs'),
      backend: a.backend,
      out: a.out,
    });
    process.stdout.write(a.json ? JSON.stringify(runSummaryJson(exp, result), null, 2) + '\n' : formatRunSummary(exp, result) + '\n');
    // Stopped by a signal after checkpointing: 130 (SIGINT), 143 (SIGTERM), 75 (SIGUSR1) — src/train/signals.ts.
    if (result.interrupted) process.exitCode = stopExitCode(result.datasets.find((d) => d.train?.stoppedBy)?.train?.stoppedBy ?? 'SIGINT');
  },
};
