// What Slurm knows about a job array's tasks: squeue (queued and running), sacct (history, when accounting is on) and scontrol
// (recently finished jobs, when it is not). Parsers are pure; querySlurm runs the commands with a timeout and never throws.
import { spawnSync } from 'node:child_process';

/** One array task as Slurm reports it. */
export interface SlurmTask {
  /** The array's job id (the %A of sbatch). */
  arrayJobId: string;
  /** Array task index = position of the grid point in the plan. */
  task: number;
  /** Slurm's state: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, REQUEUED, … */
  state: string;
  reason?: string;
  exitCode?: string;
  source: 'squeue' | 'sacct' | 'scontrol';
}

export interface QueueInfo {
  /** True when the queue could be read (squeue answered). */
  available: boolean;
  /** What was asked and what answered, or why Slurm could not be read, for people. */
  note: string;
  /** Newest record per array task. */
  tasks: Map<number, SlurmTask>;
  /** Array job ids seen, oldest first. */
  jobs: string[];
}

/** Slurm states in which the task is queued (will start) or running. */
export const QUEUED_STATES = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);
export const RUNNING_STATES = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING', 'RESIZING', 'STOPPED']);
/** Terminal states that mean the task did not finish its work. */
export const FAILED_STATES = new Set(['FAILED', 'TIMEOUT', 'CANCELLED', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'REVOKED']);

/** Task indices of an array spec: '3', '0-5', '[0-5%2]', '1,3-4%1'. */
export function expandTaskSpec(spec: string): number[] {
  const body = spec.replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  const out: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    for (let i = a; i <= b && out.length < 1_000_000; i += step) out.push(i);
  }
  return out;
}

/** CANCELLED by 0 → CANCELLED; a state's first word, upper case. */
function normState(s: string): string {
  return s.trim().split(/\s+/)[0].replace(/\+$/, '').toUpperCase();
}

/** `squeue -h -r -o '%F|%K|%T|%r'` lines → tasks (a pending range is expanded). */
export function parseSqueue(text: string): SlurmTask[] {
  const out: SlurmTask[] = [];
  for (const line of text.split('\n')) {
    const [job, spec, state, reason] = line.trim().split('|');
    if (!job || !/^\d+$/.test(job) || spec === undefined || state === undefined) continue;
    for (const task of expandTaskSpec(spec)) out.push({ arrayJobId: job, task, state: normState(state), reason: reason && reason !== 'None' ? reason : undefined, source: 'squeue' });
  }
  return out;
}

/** `sacct -n -P -X -o JobID,State,ExitCode` lines ('12_3|COMPLETED|0:0', '12_[4-5%2]|PENDING|0:0') → tasks. */
export function parseSacct(text: string): SlurmTask[] {
  const out: SlurmTask[] = [];
  for (const line of text.split('\n')) {
    const [id, state, exitCode] = line.trim().split('|');
    const m = id ? /^(\d+)_(.+)$/.exec(id) : null;
    if (!m || state === undefined) continue;
    for (const task of expandTaskSpec(m[2])) out.push({ arrayJobId: m[1], task, state: normState(state), exitCode, source: 'sacct' });
  }
  return out;
}

/** `scontrol show job -o` lines → tasks of the array jobs named `jobName` (or with array job id in `jobIds`). */
export function parseScontrolJobs(text: string, sel: { jobName?: string; jobIds?: string[] }): SlurmTask[] {
  const out: SlurmTask[] = [];
  const field = (line: string, k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1];
  for (const line of text.split('\n')) {
    const arrayJobId = field(line, 'ArrayJobId');
    const spec = field(line, 'ArrayTaskId');
    const state = field(line, 'JobState');
    if (!arrayJobId || !spec || !state) continue;
    const byName = sel.jobName !== undefined && field(line, 'JobName') === sel.jobName;
    const byId = sel.jobIds?.includes(arrayJobId) ?? false;
    if (!byName && !byId) continue;
    const reason = field(line, 'Reason');
    for (const task of expandTaskSpec(spec)) out.push({ arrayJobId, task, state: normState(state), reason: reason && reason !== 'None' ? reason : undefined, exitCode: field(line, 'ExitCode'), source: 'scontrol' });
  }
  return out;
}

const SOURCE_RANK: Record<SlurmTask['source'], number> = { sacct: 0, scontrol: 1, squeue: 2 };

/** Newest record per task: the latest array job (numeric id) wins, and within one job the live view (squeue > scontrol > sacct). */
export function mergeTasks(records: SlurmTask[]): Map<number, SlurmTask> {
  const m = new Map<number, SlurmTask>();
  for (const r of records) {
    const cur = m.get(r.task);
    if (!cur) { m.set(r.task, r); continue; }
    const a = Number(r.arrayJobId), b = Number(cur.arrayJobId);
    if (a > b || (a === b && SOURCE_RANK[r.source] > SOURCE_RANK[cur.source])) m.set(r.task, r);
  }
  return m;
}

export interface QueryOptions {
  jobName?: string;
  jobIds?: string[];
  /** sacct's --starttime (default now-30days). */
  since?: string;
  /** Ignore array jobs with a smaller id (earlier submissions of a job with the same name): the first id `scaling slurm --submit` recorded. */
  minJobId?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

function run(cmd: string, args: string[], o: QueryOptions): { ok: boolean; out: string; err: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: o.timeoutMs ?? 20_000, env: o.env ?? process.env });
  if (r.error) return { ok: false, out: '', err: (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${(o.timeoutMs ?? 20_000) / 1000} s` : r.error.message, missing: (r.error as NodeJS.ErrnoException).code === 'ENOENT' };
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '').trim().split('\n')[0] ?? '', missing: false };
}

/**
 * Reads the array's tasks from Slurm, selected by job name and/or array job ids. Never throws: when Slurm is not installed or
 * does not answer, `available` is false and `note` says why (status then relies on the run files alone).
 */
export function querySlurm(o: QueryOptions): QueueInfo {
  const empty = (note: string): QueueInfo => ({ available: false, note, tasks: new Map(), jobs: [] });
  if (!o.jobName && !(o.jobIds && o.jobIds.length > 0)) return empty('no job name or id to look for');
  const what = [o.jobName ? `name ${o.jobName}` : '', o.jobIds?.length ? `job ${o.jobIds.join(',')}` : ''].filter(Boolean).join(', ');
  const sel = o.jobIds?.length ? ['-j', o.jobIds.join(',')] : ['--name', o.jobName!];
  const sq = run('squeue', ['-h', '-r', ...sel, '-o', '%F|%K|%T|%r'], o);
  if (sq.missing) return empty('not available (no squeue on PATH)');
  if (!sq.ok) return empty(`squeue failed: ${sq.err || 'no answer'}`);
  let records = parseSqueue(sq.out);
  const sources = ['squeue'];
  const sa = run('sacct', ['-n', '-P', '-X', ...(o.jobIds?.length ? ['-j', o.jobIds.join(',')] : ['--name', o.jobName!]), '-S', o.since ?? 'now-30days', '-o', 'JobID,State,ExitCode'], o);
  if (sa.ok) {
    records = records.concat(parseSacct(sa.out));
    sources.push('sacct');
  } else {
    // No accounting (sacct: "accounting storage is disabled"): finished tasks are still in scontrol for MinJobAge seconds.
    const sc = run('scontrol', ['show', 'job', '-o'], o);
    if (sc.ok) {
      records = records.concat(parseScontrolJobs(sc.out, { jobName: o.jobName, jobIds: o.jobIds }));
      sources.push(`scontrol; sacct: ${sa.err || 'failed'}`);
    }
  }
  if (o.minJobId !== undefined) records = records.filter((r) => Number(r.arrayJobId) >= Number(o.minJobId));
  const tasks = mergeTasks(records);
  const jobs = [...new Set(records.map((r) => r.arrayJobId))].sort((a, b) => Number(a) - Number(b));
  return { available: true, note: `${what}: ${jobs.length ? `array job ${jobs.join(', ')}` : 'no jobs found'} (from ${sources.join(' and ')})`, tasks, jobs };
}
