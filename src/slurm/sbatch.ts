// The sbatch script of `scaling slurm`: a job array with one task per grid point that trains it (or runs the user's trainer on the
// point's export), requeue-safe: the batch shell gets USR1 before the time limit, the trainer checkpoints, the task requeues itself.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.ts';
import { allPoints, type PlanFile } from '../schema/plan.ts';
import { DEFAULT_DATASET, TRAIN_DEFAULTS, parseBackend, type BackendName } from '../schema/settings.ts';
import { EXIT_REQUEUE } from '../train/signals.ts';

/** Defaults of `scaling slurm` (one home: the CLI builds its flags from these). */
export const SLURM_DEFAULTS = {
  /** Seconds before the time limit at which Slurm sends USR1 to the batch shell (`--signal=B:USR1@120`). */
  signalBefore: 120,
  cpusPerTask: 1,
  requeue: true,
  node: 'node',
  dataDir: 'data',
  runsDir: 'runs',
} as const;

/** Placeholders of --command-template, replaced per array task (values shell-quoted). */
export const TEMPLATE_PLACEHOLDERS = ['point', 'index', 'export_dir', 'plan', 'runs_dir'] as const;

export interface SlurmOptions {
  /** The plan file the tasks read (made absolute). */
  planPath: string;
  /** Shared results folder: runs/<id>.csv, checkpoints, locks (made absolute). */
  runsDir?: string;
  /** Where Slurm writes each task's log (default: <runsDir>/slurm-logs). */
  logsDir?: string;
  dataDir?: string;
  dataset?: string;
  backend?: BackendName;
  checkpointEvery?: number;
  jobName?: string;
  partition?: string;
  account?: string;
  /** Slurm time limit: MIN, MIN:SEC, H:MIN:SEC, D-H, D-H:MIN, D-H:MIN:SEC (or UNLIMITED). */
  time?: string;
  gpusPerTask?: number;
  cpusPerTask?: number;
  /** Memory per node, e.g. '8G'. */
  mem?: string;
  /** At most this many array tasks at once (`--array=0-N%K`). */
  concurrency?: number;
  /** Extra `#SBATCH` lines ('--qos=high' or '#SBATCH --qos=high'). */
  sbatch?: string[];
  /** Shell lines run before the command in every task (module load, a virtualenv, …). */
  setup?: string[];
  requeue?: boolean;
  signalBefore?: number;
  /** The user's trainer, e.g. 'torchrun … --config {export_dir}/config.json' (TEMPLATE_PLACEHOLDERS); default: our trainer. */
  commandTemplate?: string;
  /** `scaling export … --out DIR`: one folder per grid point, DIR/<point id>/. */
  exportDir?: string;
  /** Node.js on the compute nodes. */
  node?: string;
  /** This checkout as the compute nodes see it (default: where this file is). */
  checkout?: string;
}

/** The options with defaults applied, paths absolute, every value checked. */
export interface ResolvedSlurm {
  planPath: string;
  runsDir: string;
  logsDir: string;
  dataDir: string;
  dataset: string;
  backend: BackendName;
  checkpointEvery?: number;
  jobName: string;
  partition?: string;
  account?: string;
  time?: string;
  gpusPerTask?: number;
  cpusPerTask: number;
  mem?: string;
  concurrency?: number;
  sbatch: string[];
  setup: string[];
  requeue: boolean;
  signalBefore: number;
  commandTemplate?: string;
  exportDir?: string;
  node: string;
  checkout: string;
  /** The grid point ids in array-task order (= plan order, the order of `scaling train --index`). */
  points: string[];
  /** `0-N` or `0-N%K`. */
  array: string;
}

/** The repository root of this checkout (holds bin/scaling.js), from this file's place in src/slurm/ or dist/slurm/. */
export function thisCheckout(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** A string as one shell word (single quotes; ' written as '\''). */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Seconds of a Slurm time limit (see SlurmOptions.time), Infinity for UNLIMITED/INFINITE, or an InputError naming --time. */
export function parseSlurmTime(t: string): number {
  const s = t.trim();
  if (/^(UNLIMITED|INFINITE)$/i.test(s)) return Infinity;
  const bad = () => new InputError(`'${t}' is not a Slurm time limit (MIN, MIN:SEC, H:MIN:SEC, D-H, D-H:MIN or D-H:MIN:SEC)`, { field: '--time' });
  let m = /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(s);
  if (m) return ((Number(m[1]) * 24 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0);
  m = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(s);
  if (!m) throw bad();
  if (m[3] !== undefined) return (Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3]);
  if (m[2] !== undefined) return Number(m[1]) * 60 + Number(m[2]);
  return Number(m[1]) * 60;
}

/** The default job name: 'scaling-' + the plan file's name without .json (what `scaling status` looks for in the queue). */
export function defaultJobName(planPath: string): string {
  return 'scaling-' + basename(planPath).replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The placeholders a template uses ({name} not preceded by '$', so shell ${VAR} stays the shell's). Unknown ones are an InputError. */
export function templatePlaceholders(template: string): string[] {
  const used = new Set<string>();
  for (const m of template.matchAll(/(?<!\$)\{([a-z_]+)\}/g)) {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(m[1])) {
      throw new InputError(`unknown placeholder {${m[1]}} (known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`, { field: '--command-template' });
    }
    used.add(m[1]);
  }
  return [...used];
}

function positiveInt(v: number | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1) throw new InputError(`must be an integer ≥ 1, got ${v}`, { field: flag });
  return v;
}

function oneLine(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === '' || /[\r\n]/.test(v)) throw new InputError(`must be one non-empty line, got ${JSON.stringify(v)}`, { field: flag });
  return v.trim();
}

/** Applies defaults and checks every option against the plan (nothing is written). */
export function resolveSlurmOptions(plan: PlanFile, opts: SlurmOptions): ResolvedSlurm {
  const points = allPoints(plan).map((p) => p.id);
  if (points.length === 0) throw new InputError('the plan has no grid points', { file: opts.planPath, field: 'budgets' });
  const runsDir = resolve(opts.runsDir ?? SLURM_DEFAULTS.runsDir);
  const concurrency = positiveInt(opts.concurrency, '--concurrency');
  const signalBefore = opts.signalBefore ?? SLURM_DEFAULTS.signalBefore;
  if (!Number.isInteger(signalBefore) || signalBefore < 1) throw new InputError(`must be a whole number of seconds ≥ 1, got ${signalBefore}`, { field: '--signal-before' });
  const time = oneLine(opts.time, '--time');
  if (time !== undefined) {
    const limit = parseSlurmTime(time);
    if (signalBefore >= limit) throw new InputError(`the stop signal ${signalBefore} s before the limit would come before the task starts (--time ${time} = ${limit} s): lower --signal-before or raise --time`, { field: '--signal-before' });
  }
  const jobName = oneLine(opts.jobName, '--job-name') ?? defaultJobName(opts.planPath);
  if (!/^[A-Za-z0-9._-]+$/.test(jobName)) throw new InputError(`use letters, digits, '.', '_' and '-' only (scaling status finds the array by it), got '${jobName}'`, { field: '--job-name' });
  const sbatch = (opts.sbatch ?? []).map((l) => {
    const line = oneLine(l, '--sbatch')!;
    const body = line.replace(/^#SBATCH\s+/, '');
    if (!body.startsWith('-')) throw new InputError(`expected an sbatch option such as '--qos=high', got '${line}'`, { field: '--sbatch' });
    if (/^--?(array|a)\b/.test(body)) throw new InputError(`the array is one task per grid point; use --concurrency for its %K limit, not '${line}'`, { field: '--sbatch' });
    return `#SBATCH ${body}`;
  });
  const setup = (opts.setup ?? []).map((l) => oneLine(l, '--setup')!);
  const commandTemplate = opts.commandTemplate === undefined ? undefined : oneLine(opts.commandTemplate, '--command-template');
  const exportDir = opts.exportDir !== undefined ? resolve(opts.exportDir) : undefined;
  const checkout = resolve(opts.checkout ?? thisCheckout());
  const dataDir = resolve(opts.dataDir ?? SLURM_DEFAULTS.dataDir);
  const dataset = opts.dataset ?? plan.options.dataset ?? DEFAULT_DATASET;
  const backend = parseBackend(opts.backend ?? TRAIN_DEFAULTS.backend, { field: '--backend' });
  if (opts.checkpointEvery !== undefined && !(opts.checkpointEvery >= 0 && Number.isFinite(opts.checkpointEvery))) {
    throw new InputError(`must be a number of seconds ≥ 0, got ${opts.checkpointEvery}`, { field: '--checkpoint-every' });
  }

  if (commandTemplate !== undefined) {
    const used = templatePlaceholders(commandTemplate);
    if (used.includes('export_dir')) {
      if (!exportDir) throw new InputError('the template uses {export_dir}: give --export-dir (the --out of scaling export)', { field: '--export-dir' });
      const missing = points.filter((id) => !isDir(join(exportDir, id)));
      if (missing.length > 0) {
        throw new InputError(`no folder for ${missing.length} of ${points.length} grid points (first: ${missing[0]}): run 'scaling export ${opts.planPath} --to … --out ${exportDir}' first`, { file: exportDir, field: '--export-dir' });
      }
    }
  } else {
    // Our trainer: the same checks `scaling train` makes, here, before anything is queued.
    if (plan.options.vocab !== 256) {
      throw new InputError(`the plan's vocab is ${plan.options.vocab}, but our trainer's datasets are byte-level (vocab 256): re-plan with --vocab 256, or launch your own trainer with --command-template`, { file: opts.planPath, field: 'options.vocab' });
    }
    if (!existsSync(join(checkout, 'bin', 'scaling.js'))) throw new InputError(`no bin/scaling.js in ${checkout}`, { field: '--checkout' });
    if (!existsSync(join(dataDir, dataset, 'meta.json'))) {
      throw new InputError(`no prepared dataset '${dataset}' in ${dataDir} (scaling data prepare --out ${dataDir}); the compute nodes must see it at this path`, { file: join(dataDir, dataset), field: '--data' });
    }
  }
  return {
    planPath: resolve(opts.planPath), runsDir, logsDir: resolve(opts.logsDir ?? join(runsDir, 'slurm-logs')), dataDir, dataset, backend,
    checkpointEvery: opts.checkpointEvery, jobName, partition: oneLine(opts.partition, '--partition'), account: oneLine(opts.account, '--account'), time,
    gpusPerTask: positiveInt(opts.gpusPerTask, '--gpus-per-task'), cpusPerTask: positiveInt(opts.cpusPerTask, '--cpus-per-task') ?? SLURM_DEFAULTS.cpusPerTask,
    mem: oneLine(opts.mem, '--mem'), concurrency, sbatch, setup, requeue: opts.requeue ?? SLURM_DEFAULTS.requeue, signalBefore, commandTemplate, exportDir,
    node: oneLine(opts.node, '--node') ?? SLURM_DEFAULTS.node, checkout, points, array: `0-${points.length - 1}${concurrency ? `%${concurrency}` : ''}`,
  };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The command line of our trainer for one array task (bash words; $TASK is the array index). No TTY in a batch job: progress goes to the log as plain lines every 10 s. */
export function trainCommandWords(r: ResolvedSlurm): string[] {
  const words = [shQuote(r.node), shQuote(join(r.checkout, 'bin', 'scaling.js')), 'train', '"$PLAN"', '--index', '"$TASK"', '--jobs', '1',
    '--runs-dir', '"$RUNS"', '--data', shQuote(r.dataDir), '--dataset', shQuote(r.dataset), '--backend', r.backend];
  if (r.checkpointEvery !== undefined) words.push('--checkpoint-every', String(r.checkpointEvery));
  return words;
}

/** The script's header lines (#SBATCH …) in sbatch's order of importance. */
export function sbatchDirectives(r: ResolvedSlurm): string[] {
  const d = [
    `#SBATCH --job-name=${r.jobName}`,
    `#SBATCH --array=${r.array}`,
    `#SBATCH --output=${join(r.logsDir, '%x-%A_%a.out')}`,
    '#SBATCH --open-mode=append',
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${r.cpusPerTask}`,
  ];
  if (r.gpusPerTask) d.push(`#SBATCH --gpus-per-task=${r.gpusPerTask}`);
  if (r.mem) d.push(`#SBATCH --mem=${r.mem}`);
  if (r.partition) d.push(`#SBATCH --partition=${r.partition}`);
  if (r.account) d.push(`#SBATCH --account=${r.account}`);
  if (r.time) d.push(`#SBATCH --time=${r.time}`);
  d.push(r.requeue ? '#SBATCH --requeue' : '#SBATCH --no-requeue');
  d.push(`#SBATCH --signal=B:USR1@${r.signalBefore}`);
  return [...d, ...r.sbatch];
}

/**
 * The sbatch script. `planSha256` is checked by every task before it starts: a plan edited after this script was written would
 * map array indices to other points, so the task refuses (exit 2) instead.
 */
export function sbatchScript(r: ResolvedSlurm, meta: { planSha256: string; created: string; version: string; scriptPath: string }): string {
  const L: string[] = [];
  L.push('#!/bin/bash');
  L.push(`# Written by scaling ${meta.version} (scaling slurm) at ${meta.created}: one array task per grid point of`);
  L.push(`# ${r.planPath} (${r.points.length} points). Submit: sbatch ${shQuote(meta.scriptPath)}`);
  L.push(`# Follow: scaling status ${shQuote(r.planPath)} --slurm ${shQuote(dirname(meta.scriptPath))}`);
  L.push(...sbatchDirectives(r));
  L.push('');
  L.push('set -u');
  L.push(`PLAN=${shQuote(r.planPath)}`);
  L.push(`PLAN_SHA256=${meta.planSha256}`);
  L.push(`RUNS=${shQuote(r.runsDir)}`);
  if (r.exportDir) L.push(`EXPORTS=${shQuote(r.exportDir)}`);
  L.push('# Array task i trains the i-th grid point of the plan (plan order, as `scaling train --index i`).');
  L.push('POINTS=(');
  r.points.forEach((id, i) => L.push(`  ${shQuote(id)} # ${i}`));
  L.push(')');
  L.push('TASK="${SLURM_ARRAY_TASK_ID:?run this script with sbatch: it is a job array}"');
  L.push('POINT="${POINTS[$TASK]:?array task $TASK is outside the plan (${#POINTS[@]} points)}"');
  if (r.exportDir) L.push('EXPORT_DIR="$EXPORTS/$POINT"');
  L.push('echo "scaling slurm: task $TASK = point $POINT, restart ${SLURM_RESTART_COUNT:-0}, job ${SLURM_ARRAY_JOB_ID:-?}_$TASK on $(hostname) at $(date -u +%FT%TZ)"');
  L.push('if [ "$(sha256sum "$PLAN" | cut -d" " -f1)" != "$PLAN_SHA256" ]; then');
  L.push('  echo "scaling slurm: $PLAN changed since this script was written (array indices would name other points): run scaling slurm again" >&2');
  L.push('  exit 2');
  L.push('fi');
  L.push(`mkdir -p "$RUNS"`);
  if (r.setup.length > 0) {
    L.push('# --setup lines');
    L.push(...r.setup);
  }
  L.push('');
  if (r.commandTemplate !== undefined) {
    L.push('# The user\'s trainer (--command-template); placeholders are replaced with shell-quoted values of this task.');
    L.push(`TEMPLATE=${shQuote(r.commandTemplate)}`);
    L.push('CMD="$TEMPLATE"');
    L.push('shopt -u patsub_replacement 2>/dev/null || true # bash ≥ 5.2 would read & in a value as "the match"');
    const values: Record<string, string> = { point: '$POINT', index: '$TASK', export_dir: '${EXPORT_DIR:-}', plan: '$PLAN', runs_dir: '$RUNS' };
    for (const p of templatePlaceholders(r.commandTemplate)) L.push(`CMD="\${CMD//\\{${p}\\}/$(printf %q "${values[p]}")}"`);
    L.push('echo "scaling slurm: $CMD"');
    L.push('bash -c "$CMD" &');
  } else {
    L.push('# Our trainer: resumes the point from its checkpoint in $RUNS when there is one, skips it when it is finished.');
    L.push(`${trainCommandWords(r).join(' ')} &`);
  }
  L.push('child=$!');
  L.push('');
  L.push(`# Requeue-safe: Slurm sends USR1 to this shell ${r.signalBefore} s before the time limit (--signal=B:USR1@${r.signalBefore}). It forwards`);
  L.push('# SIGTERM to the trainer (which writes a checkpoint and exits; Node.js would take an early USR1 for its debugger), waits for it,');
  L.push(`# and ${r.requeue ? 'requeues this array task, which resumes from the checkpoint' : 'ends (--no-requeue: submit again to resume)'}. A trainer that exits ${EXIT_REQUEUE} (our trainer on a`);
  L.push('# USR1 sent to it directly) is requeued too.');
  L.push('stop_requested=0');
  L.push('on_usr1() { stop_requested=1; echo "scaling slurm: USR1 (time limit near): stopping the trainer after a checkpoint"; kill -TERM "$child" 2>/dev/null; }');
  L.push('trap on_usr1 USR1');
  L.push('while :; do');
  L.push('  wait "$child"; rc=$?');
  L.push('  # a trapped signal interrupts wait (status > 128) while the trainer still runs: wait again');
  L.push('  if [ "$rc" -gt 128 ] && kill -0 "$child" 2>/dev/null; then continue; fi');
  L.push('  break');
  L.push('done');
  L.push(`if [ "$stop_requested" = 1 ] || [ "$rc" = ${EXIT_REQUEUE} ]; then`);
  if (r.requeue) {
    L.push('  echo "scaling slurm: trainer stopped (exit $rc); requeueing ${SLURM_ARRAY_JOB_ID}_$TASK to resume from its checkpoint"');
    L.push('  scontrol requeue "${SLURM_ARRAY_JOB_ID}_$TASK" && exit 0');
    L.push('  echo "scaling slurm: scontrol requeue failed: submit the array again to resume" >&2');
  } else {
    L.push('  echo "scaling slurm: trainer stopped (exit $rc) with a checkpoint; submit the array again to resume"');
  }
  L.push('fi');
  L.push('echo "scaling slurm: task $TASK ($POINT) exits $rc at $(date -u +%FT%TZ)"');
  L.push('exit "$rc"');
  return L.join('\n') + '\n';
}
