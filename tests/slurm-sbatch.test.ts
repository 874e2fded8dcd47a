// `scaling slurm`: the sbatch script is a job array over the plan's grid points, its options become #SBATCH lines, the per-task
// command and placeholders are what the task runs (the script is executed with bash, with a stub scontrol), and the output folder
// rule (marker) holds. The real Slurm run is tests/slurm-integration.test.ts.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLaws } from '../src/laws/load.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan } from '../src/plan/grid.ts';
import { allPoints, writePlan, type PlanFile } from '../src/schema/plan.ts';
import { parseSlurmTime, resolveSlurmOptions, templatePlaceholders, defaultJobName } from '../src/slurm/sbatch.ts';
import { checkManifestPlan, readSlurmManifest, writeSlurmDir } from '../src/slurm/launch.ts';
import { InputError } from '../src/util/errors.ts';
import { EXIT_REQUEUE } from '../src/train/signals.ts';
import { readCheckpointMeta } from '../src/train/checkpoint.ts';

const { laws, path: lawsPath } = loadLaws();

function tinyPlan(vocab = 256): PlanFile {
  return makePlan([1e9, 3e9], laws, lawsPath, { ...DEFAULT_PLAN_OPTIONS, points: 3, seqLen: 32, vocab, batchTokens: 1024 });
}

/** A temp folder with a plan file and a fake prepared dataset (only meta.json is checked before submission). */
function setup(plan = tinyPlan()): { dir: string; planPath: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slurm-sbatch-'));
  const planPath = join(dir, 'plan.json');
  writePlan(planPath, plan);
  const data = join(dir, 'data');
  mkdirSync(join(data, 'curated'), { recursive: true });
  writeFileSync(join(data, 'curated', 'meta.json'), '{}\n');
  return { dir, planPath, data };
}

const directives = (script: string) => script.split('\n').filter((l) => l.startsWith('#SBATCH '));

describe('the sbatch script', () => {
  it('is a job array with one task per grid point, in plan order, with the options as #SBATCH lines', async () => {
    const plan = tinyPlan();
    const ids = allPoints(plan).map((p) => p.id);
    const { dir, planPath, data } = setup(plan);
    const w = await writeSlurmDir(join(dir, 'slurm'), plan, {
      planPath, runsDir: join(dir, 'runs'), dataDir: data, partition: 'gpu', account: 'proj42', time: '1-02:00:00', gpusPerTask: 2, cpusPerTask: 4,
      mem: '16G', concurrency: 3, sbatch: ['--qos=high', '#SBATCH --constraint=h100'], setup: ['module load nodejs/20'], signalBefore: 300,
    });
    const script = readFileSync(w.script, 'utf8');
    const d = directives(script);
    expect(d).toContain(`#SBATCH --array=0-${ids.length - 1}%3`);
    expect(ids.length).toBe(6);
    for (const l of ['--partition=gpu', '--account=proj42', '--time=1-02:00:00', '--gpus-per-task=2', '--cpus-per-task=4', '--mem=16G', '--requeue',
      '--signal=B:USR1@300', '--qos=high', '--constraint=h100', '--ntasks=1', '--open-mode=append', `--job-name=${defaultJobName(planPath)}`]) {
      expect(d).toContain(`#SBATCH ${l}`);
    }
    expect(d).toContain(`#SBATCH --output=${join(dir, 'runs', 'slurm-logs')}/%x-%A_%a.out`);
    // The array index → point id table is the plan's order (scaling train --index i trains allPoints(plan)[i]).
    const table = script.slice(script.indexOf('POINTS=('), script.indexOf(')\n', script.indexOf('POINTS=(')));
    expect([...table.matchAll(/^ {2}(\S+) # (\d+)$/gm)].map((m) => [m[1], Number(m[2])])).toEqual(ids.map((id, i) => [id, i]));
    expect(script).toContain(`train "$PLAN" --index "$TASK" --jobs 1 --runs-dir "$RUNS" --data ${data} --dataset curated`);
    expect(script).toContain('module load nodejs/20');
    expect(spawnSync('bash', ['-n', w.script]).status).toBe(0); // valid bash
    expect(existsSync(join(dir, 'runs', 'slurm-logs'))).toBe(true); // Slurm does not create --output's folder
    const m = readSlurmManifest(w.dir);
    expect(m.points).toEqual(ids);
    expect(m.array).toBe('0-5%3');
    expect(readFileSync(join(w.dir, 'README.md'), 'utf8')).toContain(`sbatch ${w.script}`);
  });

  it('parses Slurm time limits and refuses a stop signal that would come before the task starts', () => {
    expect(parseSlurmTime('90')).toBe(5400);
    expect(parseSlurmTime('90:30')).toBe(5430);
    expect(parseSlurmTime('4:00:00')).toBe(14400);
    expect(parseSlurmTime('2-00')).toBe(172800);
    expect(parseSlurmTime('1-02:03')).toBe(93780);
    expect(parseSlurmTime('1-02:03:04')).toBe(93784);
    expect(parseSlurmTime('UNLIMITED')).toBe(Infinity);
    expect(() => parseSlurmTime('4h')).toThrow(/--time: '4h' is not a Slurm time limit/);
    const { planPath, data } = setup();
    expect(() => resolveSlurmOptions(tinyPlan(), { planPath, dataDir: data, time: '2', signalBefore: 120 })).toThrow(/--signal-before: .*--time 2 = 120 s/);
  });

  it('refuses what the tasks could not run, before writing anything', async () => {
    const { dir, planPath, data } = setup();
    const plan = tinyPlan();
    const bad = (o: object) => writeSlurmDir(join(dir, 'never'), plan, { planPath, dataDir: data, ...o });
    await expect(bad({ dataDir: join(dir, 'nodata') })).rejects.toThrow(/--data: no prepared dataset 'curated'/);
    await expect(writeSlurmDir(join(dir, 'never'), tinyPlan(102400), { planPath, dataDir: data })).rejects.toThrow(/options.vocab: .*vocab is 102400/);
    await expect(bad({ concurrency: 0 })).rejects.toThrow(/--concurrency: must be an integer ≥ 1/);
    await expect(bad({ sbatch: ['--array=0-3'] })).rejects.toThrow(/--sbatch: the array is one task per grid point/);
    await expect(bad({ sbatch: ['qos=high'] })).rejects.toThrow(/--sbatch: expected an sbatch option/);
    await expect(bad({ commandTemplate: 'python train.py {pointt}' })).rejects.toThrow(/--command-template: unknown placeholder \{pointt\}/);
    await expect(bad({ commandTemplate: 'python train.py --config {export_dir}/config.json' })).rejects.toThrow(/--export-dir: the template uses \{export_dir\}/);
    await expect(bad({ commandTemplate: 'x {export_dir}', exportDir: join(dir, 'exports') })).rejects.toThrow(/no folder for 6 of 6 grid points/);
    await expect(bad({ jobName: 'my job' })).rejects.toThrow(/--job-name: use letters/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(templatePlaceholders('echo ${HOME} {point} {index}')).toEqual(['point', 'index']); // shell ${VAR} is not a placeholder
  });

  it('--out: replaces a folder it wrote, refuses one it did not (nothing replaced)', async () => {
    const { dir, planPath, data } = setup();
    const plan = tinyPlan();
    const out = join(dir, 'slurm');
    await writeSlurmDir(out, plan, { planPath, dataDir: data });
    await writeSlurmDir(out, plan, { planPath, dataDir: data, concurrency: 2 }); // ours: replaced
    expect(readSlurmManifest(out).array).toBe('0-5%2');
    const foreign = join(dir, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    await expect(writeSlurmDir(foreign, plan, { planPath, dataDir: data })).rejects.toThrow(/did not write/);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
    // A plan whose points differ from the array's is refused by status.
    const other = makePlan([1e9], laws, lawsPath, { ...DEFAULT_PLAN_OPTIONS, points: 3, seqLen: 32, vocab: 256, batchTokens: 1024 });
    expect(() => checkManifestPlan(readSlurmManifest(out), other, 'other.json')).toThrow(InputError);
  });
});

/** Runs the written script as Slurm would (array task env), with `scontrol` stubbed to record its arguments. */
function runTask(script: string, dir: string, task: number, env: Record<string, string> = {}) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'scontrol'), `#!/bin/sh\necho "$@" >> ${join(dir, 'scontrol.log')}\n`);
  chmodSync(join(bin, 'scontrol'), 0o755);
  return spawn('bash', [script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_JOB_ID: '77', SLURM_JOB_ID: '78', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ReturnType<typeof spawn>): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((r) => child.on('exit', (code) => r({ code, out })));
}

describe('an array task, executed', () => {
  it('substitutes {point} {index} {export_dir} {plan} {runs_dir} shell-quoted, and refuses a plan changed after writing', async () => {
    const plan = tinyPlan();
    const ids = allPoints(plan).map((p) => p.id);
    const { dir, planPath } = setup(plan);
    const exports = join(dir, 'exports with space');
    for (const id of ids) mkdirSync(join(exports, id), { recursive: true });
    const w = await writeSlurmDir(join(dir, 'slurm'), plan, {
      planPath, runsDir: join(dir, 'runs'), exportDir: exports,
      commandTemplate: `printf '%s|' {point} {index} {export_dir} {plan} {runs_dir} "$HOME" > ${join(dir, 'cmd.out')}`,
    });
    const r = await finished(runTask(w.script, dir, 4));
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'cmd.out'), 'utf8')).toBe(`${ids[4]}|4|${join(exports, ids[4])}|${planPath}|${join(dir, 'runs')}|${process.env.HOME}|`);
    expect(r.out).toContain(`task 4 = point ${ids[4]}`);
    writePlan(planPath, { ...plan, created: 'edited' });
    const edited = await finished(runTask(w.script, dir, 4));
    expect(edited.code).toBe(2);
    expect(edited.out).toContain('changed since this script was written');
  });

  it(`on USR1 stops the trainer with SIGTERM, waits for it and requeues its own array task; a trainer exit ${EXIT_REQUEUE} requeues too`, async () => {
    const plan = tinyPlan();
    const { dir, planPath } = setup(plan);
    // A stand-in trainer: says it is ready, and on SIGTERM "checkpoints" (writes a file) and exits 143, as ours does.
    const trainer = join(dir, 'trainer.sh');
    writeFileSync(trainer, `#!/bin/bash\ntrap 'echo checkpoint > ${join(dir, 'ckpt')}; exit 143' TERM\necho ready > ${join(dir, 'ready')}\nwhile :; do sleep 0.1; done\n`);
    chmodSync(trainer, 0o755);
    const w = await writeSlurmDir(join(dir, 'slurm'), plan, { planPath, runsDir: join(dir, 'runs'), commandTemplate: `${trainer} {point}` });
    const child = runTask(w.script, dir, 2);
    const done = finished(child);
    for (let i = 0; i < 100 && !existsSync(join(dir, 'ready')); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGUSR1'); // what --signal=B:USR1@S delivers to the batch shell
    const r = await done;
    expect(readFileSync(join(dir, 'ckpt'), 'utf8')).toBe('checkpoint\n');
    expect(readFileSync(join(dir, 'scontrol.log'), 'utf8')).toBe('requeue 77_2\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('requeueing 77_2');

    const w2 = await writeSlurmDir(join(dir, 'slurm2'), plan, { planPath, runsDir: join(dir, 'runs'), commandTemplate: `exit ${EXIT_REQUEUE}` });
    const r2 = await finished(runTask(w2.script, dir, 0));
    expect(r2.code).toBe(0);
    expect(readFileSync(join(dir, 'scontrol.log'), 'utf8')).toBe('requeue 77_2\nrequeue 77_0\n');
    // A failing trainer is not requeued: its exit code is the task's.
    const w3 = await writeSlurmDir(join(dir, 'slurm3'), plan, { planPath, runsDir: join(dir, 'runs'), commandTemplate: 'exit 1' });
    const r3 = await finished(runTask(w3.script, dir, 1));
    expect(r3.code).toBe(1);
    expect(readFileSync(join(dir, 'scontrol.log'), 'utf8')).toBe('requeue 77_2\nrequeue 77_0\n');
  });
});

describe('scaling train on SIGUSR1 (a Slurm stop signal sent to the trainer itself)', () => {
  it(`writes its checkpoint and exits ${EXIT_REQUEUE} (resuming from it is tested in tests/slurm-integration.test.ts)`, async () => {
    const { dir, planPath } = setup();
    const data = join(dir, 'prepared');
    const { runCli, BIN } = await import('./helpers/cli.ts');
    expect(runCli(['data', 'prepare', '--dataset', 'curated', '--val-bytes', '4096', '--out', data]).code).toBe(0);
    const runs = join(dir, 'runs');
    const point = allPoints(tinyPlan())[3]; // the most steps of the tiny plan
    const args = [BIN, 'train', planPath, '--index', '3', '--jobs', '1', '--runs-dir', runs, '--data', data, '--checkpoint-every', '0', '--no-progress'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = finished(child);
    const ckpt = join(runs, `${point.id}.ckpt`);
    for (let i = 0; i < 600 && !existsSync(ckpt) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGUSR1');
    const r = await done;
    expect(r.code, r.out).toBe(EXIT_REQUEUE);
    expect(r.out).toContain('1 stopped');
    const meta = readCheckpointMeta(ckpt)!;
    expect(meta.runId).toBe(point.id);
    expect(meta.step).toBeGreaterThan(0);
    expect(meta.step).toBeLessThan(point.steps);
  }, 60_000);
});
