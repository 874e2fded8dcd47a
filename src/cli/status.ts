// `scaling status PLAN.json`: each grid point done / running / pending / stopped / failed / diverged, compute done and left, ETA (thin layer over src/slurm/status.ts).
import type { CommandModule } from 'yargs';
import { resolve } from 'node:path';
import { readPlan } from '../schema/plan.ts';
import { InputError } from '../util/errors.ts';
import { checkManifestPlan, readSlurmManifest } from '../slurm/launch.ts';
import { defaultJobName } from '../slurm/sbatch.ts';
import { querySlurm } from '../slurm/queue.ts';
import { planStatus } from '../slurm/status.ts';
import { formatStatus } from '../slurm/status-format.ts';
import { SLURM_DEFAULTS } from '../slurm/sbatch.ts';

interface StatusArgs {
  plan: string;
  runs?: string;
  slurm?: string;
  job?: string[];
  jobName?: string;
  querySlurm?: boolean;
  parallel?: number;
  json: boolean;
}

/** sacct's --starttime for an array written at `created` (ISO, UTC): a day earlier, since sacct reads it in the cluster's local time. */
const sacctSince = (created: string) => new Date(Date.parse(created) - 86_400_000).toISOString().slice(0, 19);

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <plan>',
  describe: 'Where each grid point of a plan stands (from its run files, and from squeue/sacct when Slurm is there), compute left, ETA',
  builder: (y) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan JSON' })
      .option('runs', { type: 'string', describe: `runs folder (default: the --slurm folder's, else ${SLURM_DEFAULTS.runsDir})` })
      .option('slurm', { type: 'string', describe: 'the --out folder of scaling slurm: its runs folder, job name and array limit' })
      .option('job', { type: 'string', array: true, describe: 'Slurm array job id(s) to read (default: the jobs named like the array)' })
      .option('job-name', { type: 'string', describe: 'Slurm job name to look for (default: the --slurm folder\'s, else scaling-<plan file name>)' })
      .option('query-slurm', { type: 'boolean', default: true, describe: 'ask squeue/sacct/scontrol when they are on PATH (--no-query-slurm: run files only)' })
      .option('parallel', { type: 'number', describe: 'tasks running at once for the ETA (default: those running now, else the array\'s %K, else 1)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the status as JSON' })
      .example('$0 status plan.json --slurm slurm/', 'an array written by scaling slurm')
      .example('$0 status plan.json --runs runs --no-query-slurm --json', 'a local run, as JSON'),
  handler: (a) => {
    const plan = readPlan(a.plan);
    const manifest = a.slurm !== undefined ? readSlurmManifest(a.slurm) : undefined;
    if (manifest) checkManifestPlan(manifest, plan, a.plan);
    const runsDir = a.runs ?? manifest?.runsDir ?? SLURM_DEFAULTS.runsDir;
    const jobIds = a.job?.map(String);
    if (jobIds?.some((j) => !/^\d+$/.test(j))) throw new InputError(`expected numeric array job ids, got ${jobIds.join(', ')}`, { field: '--job' });
    const queue = a.querySlurm !== false ? querySlurm({ jobName: a.jobName ?? manifest?.jobName ?? defaultJobName(resolve(a.plan)), jobIds, since: manifest ? sacctSince(manifest.created) : undefined, minJobId: jobIds ? undefined : manifest?.submitted[0]?.jobId }) : undefined;
    const s = planStatus(plan, { runsDir, queue, parallel: a.parallel, concurrency: manifest?.concurrency });
    process.stdout.write(a.json ? JSON.stringify({ plan: resolve(a.plan), ...s }, null, 2) + '\n' : formatStatus(s, a.plan));
  },
};
