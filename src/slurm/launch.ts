// `scaling slurm PLAN --out DIR`: writes DIR/job.sbatch, DIR/slurm.json (what status reads back) and a launch note DIR/README.md,
// as one folder of ours (marker file; an existing folder the tool did not write is refused); optionally submits it with sbatch.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { writeDirAtomic, writeFileAtomic } from '../util/atomic.ts';
import { checkOutputDir, ioError } from '../util/safe-out.ts';
import { sha256File } from '../util/hash.ts';
import { toolVersion } from '../util/version.ts';
import { sci, si, textTable } from '../util/format.ts';
import { allPoints, type PlanFile } from '../schema/plan.ts';
import { EXIT_REQUEUE } from '../train/signals.ts';
import { resolveSlurmOptions, sbatchScript, shQuote, trainCommandWords, type ResolvedSlurm, type SlurmOptions } from './sbatch.ts';

export const SLURM_SCHEMA = 'scaling.slurm';
export const SLURM_VERSION = 1;
export const SLURM_FILES = { script: 'job.sbatch', manifest: 'slurm.json', note: 'README.md' } as const;

/** DIR/slurm.json: what was written and where results go, so `scaling status --slurm DIR` needs nothing else. */
export interface SlurmManifest {
  schema: typeof SLURM_SCHEMA;
  version: typeof SLURM_VERSION;
  created: string;
  tool: string;
  plan: string;
  planSha256: string;
  runsDir: string;
  logsDir: string;
  jobName: string;
  /** sbatch's --array value: 0-N or 0-N%K. */
  array: string;
  concurrency?: number;
  /** Grid point ids in array-task order. */
  points: string[];
  mode: 'scaling-train' | 'command-template';
  /** The command each task runs (with $TASK / placeholders as in the script). */
  command: string;
  requeue: boolean;
  signalBefore: number;
  time?: string;
  script: string;
  /** Job ids of `scaling slurm --submit` submissions, oldest first. */
  submitted: { jobId: string; at: string }[];
}

export interface WrittenSlurm {
  dir: string;
  script: string;
  manifest: SlurmManifest;
  resolved: ResolvedSlurm;
}

function launchNote(m: SlurmManifest, r: ResolvedSlurm, plan: PlanFile): string {
  const rows = allPoints(plan).map((p, i) => [String(i), p.id, sci(p.budget), `${p.shape.nLayer}×${p.shape.dModel}`, si(p.tokens), String(p.steps)]);
  const dirQ = shQuote(resolve(m.script, '..'));
  return [
    `# Slurm job array for ${m.plan}`,
    '',
    `Written by scaling ${m.tool} (\`scaling slurm\`) at ${m.created}: ${m.points.length} grid points → array tasks ${m.array}` +
      (m.concurrency ? ` (at most ${m.concurrency} at once)` : '') + '.',
    '',
    '```sh',
    `sbatch ${shQuote(m.script)}                 # submit (or: scaling slurm … --submit)`,
    `scaling status ${shQuote(m.plan)} --slurm ${dirQ}   # done / running / pending / failed, compute left, ETA (--json)`,
    `scaling fit '${m.runsDir}/*.csv' --out fits/mine.json   # when they are done`,
    '```',
    '',
    `- **Results**: \`${m.runsDir}/<point id>.csv\` (the run CSV \`scaling fit\` reads), with \`<id>.ckpt\` (checkpoint) and \`<id>.lock\` while a task trains it. This folder must be on a file system every compute node sees.`,
    `- **Logs**: \`${m.logsDir}/${m.jobName}-<array job id>_<task>.out\` (appended across requeues).`,
    `- **Each task runs**: \`${m.command}\`${m.mode === 'scaling-train' ? ' (one grid point, in the task\'s process; a finished point is skipped, an unfinished one resumes from its checkpoint)' : ''}.`,
    `- **Requeue-safe**: ${m.requeue ? '`--requeue`, ' : ''}\`--signal=B:USR1@${m.signalBefore}\`${m.time ? ` with \`--time=${m.time}\`` : ''}: ${m.signalBefore} s before the time limit the batch shell gets USR1, sends SIGTERM to the trainer, which writes a checkpoint and exits; the task then ${m.requeue ? 'requeues itself (`scontrol requeue`) and resumes from the checkpoint when it starts again' : 'ends; submit the array again to resume'}. A trainer exiting ${EXIT_REQUEUE} (ours, when it gets SIGUSR1 itself) is requeued too.`,
    `- **Exit codes of a task**: 0 finished (or already finished), ${EXIT_REQUEUE} stopped to be requeued, 130/143 stopped by SIGINT/SIGTERM after a checkpoint, 1 training failed, 2 bad input (including a plan edited after this folder was written: run \`scaling slurm\` again).`,
    `- **Job name**: \`${m.jobName}\` (\`scaling status\` finds the array in squeue/sacct by it).`,
    '',
    '## Array tasks',
    '',
    '```',
    textTable(['task', 'point', 'C', 'L×d', 'tokens', 'steps'], rows),
    '```',
    '',
  ].join('\n');
}

/**
 * Writes the job-array folder for `plan` into `outDir` (atomically, as a folder of ours: an existing folder this tool did not write
 * is refused with nothing written) and creates the logs folder Slurm writes into. Everything is checked before anything is written.
 */
export async function writeSlurmDir(outDir: string, plan: PlanFile, opts: SlurmOptions): Promise<WrittenSlurm> {
  const dir = resolve(outDir);
  const r = resolveSlurmOptions(plan, opts);
  checkOutputDir(dir, { flag: '--out', kind: 'slurm' });
  let planSha256: string;
  try {
    planSha256 = sha256File(r.planPath);
  } catch (e) {
    throw ioError(e, r.planPath, 'read');
  }
  const created = new Date().toISOString();
  const script = join(dir, SLURM_FILES.script);
  const command = r.commandTemplate ?? trainCommandWords(r).join(' ');
  const manifest: SlurmManifest = {
    schema: SLURM_SCHEMA, version: SLURM_VERSION, created, tool: toolVersion(), plan: r.planPath, planSha256, runsDir: r.runsDir, logsDir: r.logsDir,
    jobName: r.jobName, array: r.array, concurrency: r.concurrency, points: r.points, mode: r.commandTemplate !== undefined ? 'command-template' : 'scaling-train',
    command, requeue: r.requeue, signalBefore: r.signalBefore, time: r.time, script, submitted: [],
  };
  const text = sbatchScript(r, { planSha256, created, version: manifest.tool, scriptPath: script });
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, SLURM_FILES.script), text, { mode: 0o755 });
    writeFileSync(join(tmp, SLURM_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
    writeFileSync(join(tmp, SLURM_FILES.note), launchNote(manifest, r, plan));
  }, { flag: '--out', kind: 'slurm' });
  // Slurm does not create the folder of --output: without it every task would fail before its first line.
  try {
    mkdirSync(r.logsDir, { recursive: true });
    mkdirSync(r.runsDir, { recursive: true });
  } catch (e) {
    throw ioError(e, r.logsDir, 'create', '--logs');
  }
  return { dir, script, manifest, resolved: r };
}

/** Reads DIR/slurm.json (written by writeSlurmDir). */
export function readSlurmManifest(dir: string): SlurmManifest {
  const file = join(resolve(dir), SLURM_FILES.manifest);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`no ${SLURM_FILES.manifest}: not a folder written by scaling slurm`, { file: resolve(dir), field: '--slurm' });
    if (e instanceof SyntaxError) throw new InputError(`not JSON (${e.message})`, { file });
    throw ioError(e, file, 'read');
  }
  const m = raw as Partial<SlurmManifest>;
  if (m?.schema !== SLURM_SCHEMA) throw new InputError(`expected "${SLURM_SCHEMA}", got ${JSON.stringify(m?.schema)}`, { file, field: 'schema' });
  if (m.version !== SLURM_VERSION) throw new InputError(`unsupported version ${JSON.stringify(m.version)}`, { file, field: 'version' });
  for (const k of ['plan', 'runsDir', 'jobName', 'script'] as const) if (typeof m[k] !== 'string') throw new InputError('expected a string', { file, field: k });
  if (!Array.isArray(m.points) || m.points.some((p) => typeof p !== 'string')) throw new InputError('expected an array of grid point ids', { file, field: 'points' });
  return { submitted: [], ...m } as SlurmManifest;
}

/** Runs `sbatch --parsable DIR/job.sbatch`, records the job id in DIR/slurm.json and returns it. */
export function submitSlurmDir(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const m = readSlurmManifest(dir);
  const r = spawnSync('sbatch', ['--parsable', m.script], { encoding: 'utf8', env, timeout: 120_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'sbatch not found on PATH: run on a Slurm login node (or submit the script there)' : `sbatch failed to start (${r.error.message})`, { field: '--submit' });
  }
  if (r.status !== 0) throw new InputError(`sbatch exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`, { field: '--submit' });
  const jobId = r.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new InputError(`sbatch printed no job id (${JSON.stringify(r.stdout.trim())})`, { field: '--submit' });
  const updated: SlurmManifest = { ...m, submitted: [...m.submitted, { jobId, at: new Date().toISOString() }] };
  writeFileAtomic(join(resolve(dir), SLURM_FILES.manifest), JSON.stringify(updated, null, 2) + '\n');
  return jobId;
}

/** Refuses a plan whose grid points are not the ones the folder's array was written for (array indices would name other points). */
export function checkManifestPlan(m: SlurmManifest, plan: PlanFile, planFile: string): void {
  const ids = allPoints(plan).map((p) => p.id);
  const same = ids.length === m.points.length && ids.every((id, i) => id === m.points[i]);
  if (!same) {
    const i = ids.findIndex((id, k) => id !== m.points[k]);
    throw new InputError(`its ${ids.length} grid points are not the ${m.points.length} the array in ${resolve(m.script, '..')} was written for (first difference at task ${i < 0 ? Math.min(ids.length, m.points.length) : i}): give the plan ${m.plan}`, { file: planFile, field: '--slurm' });
  }
}
