// `scaling slurm PLAN.json --out DIR`: writes a requeue-safe sbatch job array over the plan's grid points (thin layer over src/slurm/launch.ts).
import type { CommandModule } from 'yargs';
import { readPlan } from '../schema/plan.ts';
import { BACKENDS, DATASETS, TRAIN_DEFAULTS, parseBackend } from '../schema/settings.ts';
import { writeSlurmDir, submitSlurmDir, SLURM_FILES } from '../slurm/launch.ts';
import { SLURM_DEFAULTS, TEMPLATE_PLACEHOLDERS, shQuote } from '../slurm/sbatch.ts';
import { EXIT_REQUEUE } from '../train/signals.ts';

interface SlurmArgs {
  plan: string;
  out: string;
  runsDir?: string;
  logs?: string;
  data: string;
  dataset?: string;
  backend: string;
  checkpointEvery?: number;
  jobName?: string;
  partition?: string;
  account?: string;
  time?: string;
  gpusPerTask?: number;
  cpusPerTask?: number;
  mem?: string;
  concurrency?: number;
  sbatch?: string[];
  setup?: string[];
  requeue: boolean;
  signalBefore?: number;
  commandTemplate?: string;
  exportDir?: string;
  node: string;
  checkout?: string;
  submit: boolean;
}

const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String));

export const slurmCommand: CommandModule<object, SlurmArgs> = {
  command: 'slurm <plan>',
  describe: 'Write a Slurm job array (one task per grid point, requeue-safe) that trains the plan into a shared results folder',
  builder: (y) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan JSON written by scaling plan' })
      .option('out', { type: 'string', demandOption: true, describe: `folder to write (${SLURM_FILES.script}, ${SLURM_FILES.manifest}, ${SLURM_FILES.note}); an existing folder this tool did not write is refused` })
      .option('runs-dir', { type: 'string', default: SLURM_DEFAULTS.runsDir, describe: 'shared results folder the tasks write run CSVs and checkpoints into (every node must see it)' })
      .option('logs', { type: 'string', describe: 'folder for the tasks\' Slurm logs (default: <runs-dir>/slurm-logs)' })
      .option('data', { type: 'string', default: SLURM_DEFAULTS.dataDir, describe: 'prepared datasets directory, as the compute nodes see it' })
      .option('dataset', { type: 'string', describe: `dataset under --data (default: the plan's, else curated; bundled: ${DATASETS.join(', ')})` })
      .option('backend', { choices: BACKENDS, default: TRAIN_DEFAULTS.backend, describe: 'TensorFlow.js backend of our trainer' })
      .option('checkpoint-every', { type: 'number', describe: `seconds between periodic checkpoints (default: scaling train's ${TRAIN_DEFAULTS.checkpointEvery})` })
      .option('job-name', { type: 'string', describe: 'Slurm job name (default: scaling-<plan file name>; scaling status finds the array by it)' })
      .option('partition', { type: 'string', describe: '#SBATCH --partition' })
      .option('account', { type: 'string', describe: '#SBATCH --account' })
      .option('time', { type: 'string', describe: 'time limit per task, e.g. 4:00:00 or 2-00:00:00 (#SBATCH --time)' })
      .option('gpus-per-task', { type: 'number', describe: '#SBATCH --gpus-per-task' })
      .option('cpus-per-task', { type: 'number', default: SLURM_DEFAULTS.cpusPerTask, describe: '#SBATCH --cpus-per-task (our trainer uses one core per task)' })
      .option('mem', { type: 'string', describe: 'memory per task, e.g. 8G (#SBATCH --mem)' })
      .option('concurrency', { type: 'number', describe: 'at most K tasks at once (--array=0-N%K)' })
      .option('sbatch', { type: 'string', array: true, describe: 'extra #SBATCH line, e.g. --sbatch=--qos=high (repeatable)' })
      .option('setup', { type: 'string', array: true, describe: 'shell line each task runs first, e.g. "module load nodejs" (repeatable)' })
      .option('requeue', { type: 'boolean', default: SLURM_DEFAULTS.requeue, describe: '--requeue: a task stopped before its time limit requeues itself and resumes (--no-requeue: it just ends)' })
      .option('signal-before', { type: 'number', default: SLURM_DEFAULTS.signalBefore, describe: 'seconds before the time limit that the task is told to checkpoint and stop (--signal=B:USR1@S)' })
      .option('command-template', { type: 'string', describe: `run your own trainer per task instead of ours; placeholders ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` })
      .option('export-dir', { type: 'string', describe: 'the --out of scaling export (one folder per grid point): {export_dir} is its <point id> folder' })
      .option('node', { type: 'string', default: SLURM_DEFAULTS.node, describe: 'Node.js on the compute nodes' })
      .option('checkout', { type: 'string', describe: 'this checkout as the compute nodes see it (default: this one\'s path)' })
      .option('submit', { type: 'boolean', default: false, describe: 'submit it with sbatch right away (prints the job id)' })
      .example('$0 slurm plan.json --out slurm/ --runs-dir /shared/runs --time 4:00:00 --concurrency 8', 'write the array; then: sbatch slurm/job.sbatch')
      .example("$0 slurm plan.json --out slurm/ --export-dir exports/ --gpus-per-task 8 --command-template 'torchrun --nproc-per-node 8 train.py --config {export_dir}/config.json'", 'launch exported points with your trainer'),
  handler: async (a) => {
    const plan = readPlan(a.plan);
    const w = await writeSlurmDir(a.out, plan, {
      planPath: a.plan, runsDir: a.runsDir, logsDir: a.logs, dataDir: a.data, dataset: a.dataset, backend: parseBackend(a.backend, { field: '--backend' }),
      checkpointEvery: a.checkpointEvery, jobName: a.jobName, partition: a.partition, account: a.account, time: a.time === undefined ? undefined : String(a.time),
      gpusPerTask: a.gpusPerTask, cpusPerTask: a.cpusPerTask, mem: a.mem, concurrency: a.concurrency, sbatch: list(a.sbatch), setup: list(a.setup),
      requeue: a.requeue, signalBefore: a.signalBefore, commandTemplate: a.commandTemplate, exportDir: a.exportDir, node: a.node, checkout: a.checkout,
    });
    const m = w.manifest;
    const out = [
      `wrote ${w.dir}/ (${SLURM_FILES.script}, ${SLURM_FILES.manifest}, ${SLURM_FILES.note}): job array ${m.jobName}, ${m.points.length} tasks (--array=${m.array})`,
      `  each task: ${m.command}`,
      `  results:   ${m.runsDir}/<point id>.csv   logs: ${m.logsDir}/`,
      `  requeue:   USR1 ${m.signalBefore} s before the time limit → checkpoint → ${m.requeue ? 'scontrol requeue → resume' : 'end (submit again to resume)'} (a trainer exit ${EXIT_REQUEUE} requeues too)`,
    ];
    if (a.submit) {
      const jobId = submitSlurmDir(w.dir);
      out.push(`submitted: job ${jobId}`);
    } else out.push(`submit:    sbatch ${shQuote(w.script)}`);
    out.push(`follow:    scaling status ${shQuote(a.plan)} --slurm ${shQuote(w.dir)}`);
    process.stdout.write(out.join('\n') + '\n');
  },
};
