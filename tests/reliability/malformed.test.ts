// Guarantee: every bad input — run CSVs, other groups' CSV/JSON, plans, laws, fits, experiment files and flags — is refused
// with exit 2 and ONE line naming file:line:field (or the flag), and nothing is written. Cases run through the CLI's main() in
// this process (the same code path as `scaling …`, without a start-up per case); outputs.test.ts and signals.test.ts spawn
// the real command for a representative subset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.ts';
import { created, destroyed, expectOneLine, lit, runMain, sandbox, snapshot, tally } from './helpers.ts';
import { RUN_COLUMNS, runCsvHeader, formatRunRow, type RunRow } from '../../src/schema/runs.ts';
import { runRows } from '../fit-runs-fixture.ts';
import { makePlan, makePoint, tinyDataset } from '../train-loop-fixtures.ts';

const counts = { rejected: 0, filesDestroyed: 0 };
afterAll(() => tally(counts));

// ── Good inputs; each case breaks one thing ───────────────────────────────────────────────────────────────────────────────
const shape = { nLayer: 2, dModel: 32, nHeads: 2, nKvHeads: 2, dFf: 88, seqLen: 128, vocab: 256 };
const rows: RunRow[] = [0, 1, 2].flatMap((i) => runRows({ runId: `r${i}`, budget: 1e12, shape: { ...shape, dModel: 32 + 16 * i }, status: 'done', evals: 2 }));
const RUNS = runCsvHeader() + rows.map(formatRunRow).join('');
const runLines = RUNS.trimEnd().split('\n');
const col = (c: string) => RUN_COLUMNS.indexOf(c as (typeof RUN_COLUMNS)[number]);
/** The run CSV with line `line` (1-based, header = 1) having column `c` set to `v`. */
const runsWith = (line: number, c: string, v: string) => runLines.map((l, i) => (i === line - 1 ? l.split(',').map((x, k) => (k === col(c) ? v : x)).join(',') : l)).join('\n') + '\n';

const MAPPED = 'params,tokens,loss,budget\n1e6,1e9,3.1,6e15\n2e6,5e8,3.0,6e15\n4e6,2.5e8,3.05,6e15\n';
const MAP = ['--col', 'N=params', '--col', 'D=tokens', '--col', 'loss=loss', '--col', 'budget=budget'];
const MAPPED_JSON = JSON.stringify([{ params: 1e6, tokens: 1e9, loss: 3.1, budget: 6e15 }, { params: 2e6, tokens: 5e8, loss: 3.0, budget: 6e15 }, { params: 4e6, tokens: 2.5e8, loss: 3.05, budget: 6e15 }], null, 1);

const PLAN = makePlan([makePoint({ id: 'p-a', steps: 40, index: 0 }), makePoint({ id: 'p-b', steps: 30, index: 1 })]);
const planWith = (edit: (p: any) => void) => {
  const p = structuredClone(PLAN) as any;
  edit(p);
  return JSON.stringify(p, null, 2);
};
const LAWS = JSON.parse(readFileSync(join(REPO, 'fits', 'deepseek-llm.json'), 'utf8'));
const lawsWith = (edit: (l: any) => void) => {
  const l = structuredClone(LAWS);
  edit(l);
  return JSON.stringify(l, null, 2);
};
const FITS = JSON.parse(readFileSync(join(REPO, 'fits', 'micro-curated.json'), 'utf8'));
const fitsWith = (edit: (l: any) => void) => {
  const l = structuredClone(FITS);
  edit(l);
  return JSON.stringify(l, null, 2);
};
const EXP = { schema: 'scaling.experiment', version: 1, name: 'e', datasets: ['curated'], budgets: [1e11, 3e11], points: 5 };
const expWith = (edit: (e: any) => void) => {
  const e = structuredClone(EXP) as any;
  edit(e);
  return JSON.stringify(e, null, 2);
};

interface Case {
  name: string;
  /** Input file contents by name (written into the case's sandbox). */
  files?: Record<string, string>;
  args: (d: string) => string[];
  /** The one line must match this (built from the sandbox path). */
  where: (d: string) => RegExp;
}

let dataDir = '';
const f = (d: string, name: string) => join(d, name);
const at = (d: string, name: string, rest: string) => new RegExp(`^scaling: ${lit(join(d, name))}${rest}`);

const fit = (name: string, text: string, where: string, extra: string[] = []): Case => ({
  name: `run CSV: ${name}`, files: { 'runs.csv': text }, args: (d) => ['fit', f(d, 'runs.csv'), '--out', f(d, 'out.json'), '--bootstrap', '0', ...extra], where: (d) => at(d, 'runs.csv', where),
});
const mapped = (name: string, file: string, text: string, where: string, extra: string[] = MAP): Case => ({
  name: `mapped: ${name}`, files: { [file]: text }, args: (d) => ['fit', f(d, file), ...extra, '--out', f(d, 'out.json'), '--bootstrap', '0'], where: (d) => at(d, file, where),
});
const train = (name: string, text: string, where: string, extra: string[] = []): Case => ({
  name: `plan: ${name}`, files: { 'plan.json': text },
  args: (d) => ['train', f(d, 'plan.json'), '--data', dataDir, '--dataset', 'tiny', '--runs-dir', f(d, 'runs'), '--jobs', '1', '--no-progress', ...extra],
  where: (d) => at(d, 'plan.json', where),
});
const laws = (name: string, text: string, where: string): Case => ({
  name: `laws: ${name}`, files: { 'laws.json': text }, args: (d) => ['plan', '--budget', '1e20', '--laws', f(d, 'laws.json'), '--out', f(d, 'plan.json')], where: (d) => at(d, 'laws.json', where),
});
const fits = (name: string, text: string, where: string): Case => ({
  name: `fits: ${name}`, files: { 'fits.json': text }, args: (d) => ['report', f(d, 'fits.json'), '--out', f(d, 'report'), '--no-png', '--no-svg'], where: (d) => at(d, 'fits.json', where),
});
const exp = (name: string, text: string, where: string): Case => ({
  name: `experiment: ${name}`, files: { 'exp.json': text }, args: (d) => ['run', f(d, 'exp.json'), '--plan-only', '--out', f(d, 'out')], where: (d) => at(d, 'exp.json', where),
});
const flag = (name: string, args: string[], where: string): Case => ({ name: `flag: ${name}`, args: () => args, where: () => new RegExp(`^scaling: ${where}`) });

const CASES: Case[] = [
  // ── Our run CSVs ──
  fit('missing required column', runLines.map((l) => l.split(',').filter((_, k) => k !== col('val_bpb')).join(',')).join('\n') + '\n', ':1: val_bpb: missing required column'),
  fit('non-numeric value', runsWith(3, 'tokens', 'lots'), ":3: tokens: not a number: 'lots'"),
  fit('negative value', runsWith(2, 'M', '-5'), ':2: M: must be ≥ 0'),
  fit('infinite non-loss value', runsWith(4, 'flops', 'Infinity'), ":4: flops: must be finite"),
  fit('unknown status', runsWith(3, 'status', 'finished'), ":3: status: must be running, done or diverged, got 'finished'"),
  fit('unknown schedule', runsWith(2, 'schedule', 'linear'), ':2: schedule: must be one of'),
  fit('unknown representation', runsWith(2, 'representation', '7N'), ':2: representation: '),
  fit('empty required cell', runsWith(5, 'run_id', ''), ':5: run_id: missing value'),
  fit('duplicate (run, step) row', RUNS + runLines[1] + '\n', ':8: step: duplicate row for run'),
  fit('truncated last line', RUNS.slice(0, RUNS.length - 40), ':7: truncated last line'),
  fit('empty file', '', ':1: empty file'),
  fit('duplicate column', runLines.map((l, i) => l + (i === 0 ? ',run_id' : ',x')).join('\n') + '\n', ':1: run_id: duplicate column'),
  fit('unbalanced quote', runLines.slice(0, 3).join('\n') + '\n"r9,broken\n', ':\\d+: malformed CSV'),
  fit('a run changes budget between rows', runsWith(3, 'budget', '2e12').replace(/^(r0,[^,]*,)2e12/m, '$12e12'), ':3: budget: '),
  // ── Other groups' CSV and JSON through --col ──
  mapped('mapped column missing from the header', 'm.csv', MAPPED.replace('tokens', 'toks'), ':1: tokens: '),
  mapped('non-numeric value', 'm.csv', MAPPED.replace('2e6', 'two'), ":3: params: "),
  mapped('negative value', 'm.csv', MAPPED.replace('4e6', '-4e6'), ':4: params: '),
  mapped('empty cell', 'm.csv', MAPPED.replace('3.05', ''), ':4: loss: '),
  mapped('header only', 'm.csv', 'params,tokens,loss,budget\n', ':2: empty file'),
  mapped('duplicate rows', 'm.csv', MAPPED + '4e6,2.5e8,3.05,6e15\n', ':5: loss: duplicate run row'),
  mapped('JSON with a trailing comma', 'm.json', MAPPED_JSON.replace(/\}\n\]$/, '},\n]'), ':\\d+: not valid JSON'),
  mapped('JSON not an array of records', 'm.json', '{"rows": 3}', ':1: expected a JSON array of objects'),
  mapped('JSON record with a string number', 'm.json', MAPPED_JSON.replace('"loss": 3.1', '"loss": "3.1x"'), ':\\d+: loss: '),
  mapped('truncated JSON', 'm.json', MAPPED_JSON.slice(0, 60), ':\\d+: truncated JSON'),
  // ── Plan files (scaling train) ──
  train('not JSON', 'schema: plan', '(:1)?: not valid JSON'),
  train('JSON with a trailing comma', JSON.stringify(PLAN, null, 2).replace(/\n\}$/, ',\n}'), ':\\d+: not valid JSON: .*trailing comma'),
  train('wrong schema', planWith((p) => (p.schema = 'scaling.plans')), ': schema: expected "scaling.plan"'),
  train('unsupported version', planWith((p) => (p.version = 9)), ': version: unsupported version 9'),
  train('no options', planWith((p) => delete p.options), ': options: expected an object'),
  train('empty budgets', planWith((p) => (p.budgets = [])), ': budgets: expected a non-empty array'),
  train('a point without id', planWith((p) => delete p.budgets[0].points[0].id), ': budgets\\[0\\]\\.points\\[0\\]\\.id: '),
  train('an id that is not filesystem-safe', planWith((p) => (p.budgets[0].points[0].id = '../../etc/x')), ': budgets\\[0\\]\\.points\\[0\\]\\.id: id must be filesystem-safe'),
  train('a negative learning rate', planWith((p) => (p.budgets[1].points[0].lr = -1e-3)), ': budgets\\[\\d\\]\\.points\\[\\d\\]\\.lr: must be > 0'),
  train('fractional warm-up steps', planWith((p) => (p.budgets[0].points[0].schedule.warmupSteps = 2.5)), ': budgets\\[0\\]\\.points\\[0\\]\\.schedule\\.warmupSteps: must be an integer'),
  train('warm-up longer than the run', planWith((p) => (p.budgets[0].points[0].schedule.warmupSteps = 500)), ': (p-a\\.schedule\\.warmupSteps|budgets\\[0\\]\\.points\\[0\\]\\.schedule\\.warmupSteps): warm-up of 500 steps exceeds'),
  train('duplicate point ids', planWith((p) => (p.budgets[1].points[0].id = 'p-a')), ": budgets\\[1\\]\\.points\\[0\\]\\.id: duplicate grid point id 'p-a'"),
  train('heads that do not divide d_model', planWith((p) => (p.budgets[0].points[0].shape.nHeads = 3)), ': budgets\\[0\\]\\.points\\[0\\]\\.shape\\.'),
  train('tokens ≠ steps × batch', planWith((p) => (p.budgets[0].points[0].tokens += 1)), ': p-a\\.tokens: tokens \\d+ ≠ steps'),
  train('M that does not match the shape', planWith((p) => (p.budgets[0].points[0].M *= 1.5)), ": p-a\\.M: M .* does not match the shape's M"),
  train('compute 5% off the budget', planWith((p) => (p.budgets[0].points[0].budget *= 1.05)), ': p-a\\.tokens: M × tokens = .* from the budget'),
  train('a non-byte vocabulary', planWith((p) => (p.options.vocab = 50000)), ": options\\.vocab: the plan's vocab is 50000"),
  // ── Laws files (scaling plan --laws) ──
  laws('wrong schema', lawsWith((l) => (l.schema = 'laws')), ': schema: expected "scaling.laws"'),
  laws('missing coefficient', lawsWith((l) => delete l.laws.scale.coefficient), ': laws\\.scale\\.coefficient: expected a finite number'),
  laws('exponent above 1', lawsWith((l) => (l.laws.scale.exponent = 1.3)), ': laws\\.scale\\.exponent: exponent 1\\.3 is outside \\(0, 1\\)'),
  laws('negative data exponent', lawsWith((l) => (l.laws.data.exponent = -0.2)), ': laws\\.data\\.exponent: exponent -0\\.2 is outside \\(0, 1\\)'),
  laws('non-positive coefficient', lawsWith((l) => (l.laws.lr.coefficient = 0)), ': laws\\.lr\\.coefficient: must be > 0, got 0'),
  laws('exponent as a string', lawsWith((l) => (l.laws.batch.exponent = '0.33')), ': laws\\.batch\\.exponent: expected a finite number'),
  laws('unknown representation', lawsWith((l) => (l.representation = 'N')), ': representation: must be "M", "6N1" or "6N2"'),
  laws('no provenance', lawsWith((l) => delete l.provenance), ': provenance: expected an object'),
  // ── Fits files (scaling report) ──
  fits('details.optima: [null]', fitsWith((l) => (l.details.optima = [null])), ': details\\.optima\\[0\\]: expected an object'),
  fits('an optimum without its budget', fitsWith((l) => delete l.details.optima[1].budget), ': details\\.optima\\[1\\]\\.budget: expected a finite number'),
  fits('details.points not an array', fitsWith((l) => (l.details.points = {})), ': details\\.points: expected an array'),
  fits('a point with a string loss', fitsWith((l) => (l.details.points[2].loss = 'low')), ': details\\.points\\[2\\]\\.loss: expected a finite number'),
  fits('an interval of three numbers', fitsWith((l) => (l.laws.scale.ci.exponent = [0.1, 0.2, 0.3])), ': laws\\.scale\\.ci\\.exponent: expected \\[lo, hi\\]'),
  fits('JSON with a trailing comma', JSON.stringify(FITS, null, 2).replace(/\n\}$/, ',\n}'), ':\\d+: not valid JSON'),
  // ── Experiment files (scaling run --plan-only) ──
  exp('unknown key (a typo)', expWith((e) => (e.point = 5)), ": point: unknown key; did you mean 'points'\\?"),
  exp('unknown key in train', expWith((e) => (e.train = { backnd: 'wasm' })), ": train\\.backnd: unknown key; did you mean 'backend'\\?"),
  exp('a budget listed twice', expWith((e) => (e.budgets = [1e11, 1e11])), ': budgets: budget 1\\.000e\\+11 is listed twice'),
  exp('a range of count 1 that drops its end', expWith((e) => (e.budgets = { from: 1e11, to: 1e12, count: 1 })), ': budgets\\.count: count 1 cannot include both from and to'),
  exp('500 points per budget', expWith((e) => (e.points = 500)), ': points: 500 points per budget is more than 50'),
  exp('warm-up over 100%', expWith((e) => (e.warmup = '120%')), ": warmup: a warm-up share cannot exceed 100%"),
  exp('a dataset typo', expWith((e) => (e.datasets = ['curatd'])), ": datasets\\[0\\]: unknown dataset \"curatd\" .*did you mean 'curated'\\?"),
  exp('a target nobody can predict', expWith((e) => (e.fit = { predict: ['13b'] })), ': fit\\.predict\\[0\\]: '),
  exp('a warm-up longer than every run', expWith((e) => (e.warmup = '100000')), ': warmup: warm-up of 100000 steps is longer than point'),
  {
    name: 'experiment: laws with an exponent outside (0, 1)',
    files: { 'exp.json': JSON.stringify({ ...EXP, laws: 'bad-laws.json' }), 'bad-laws.json': lawsWith((l) => (l.laws.scale.exponent = 0)) },
    args: (d) => ['run', f(d, 'exp.json'), '--plan-only', '--out', f(d, 'out')],
    where: (d) => at(d, 'bad-laws.json', ': laws\\.scale\\.exponent: exponent 0 is outside \\(0, 1\\)'),
  },
  // ── Flags ──
  flag('a choice typo (--format)', ['plan', '--budget', '1e20', '--format', 'jsn'], "--format: invalid value 'jsn' \\(choices: table, json, csv\\); did you mean 'json'\\?"),
  flag('a choice typo (--representation)', ['fit', 'x.csv', '--representation', '6n1'], "--representation: invalid value '6n1' .*did you mean '6N1'\\?"),
  flag('a choice typo (--backend)', ['train', 'p.json', '--backend', 'wsm'], "--backend: invalid value 'wsm' .*did you mean 'wasm'\\?"),
  flag('an unknown flag', ['plan', '--budget', '1e20', '--fromat', 'json'], '--fromat: unknown flag; did you mean --format\\?'),
  flag('a missing required flag', ['report', 'fits.json'], '--out: is required'),
  flag('a mistyped required flag (named, not "--to is required")', ['export', 'plan.json', '--tto', 'hf', '--out', 'x'], '--tto: unknown flag; did you mean --to\\?'),
  flag('a non-numeric --points', ['plan', '--budget', '1e20', '--points', 'many'], "--points: must be an integer ≥ 3"),
  flag('--points beyond the sane maximum', ['plan', '--budget', '1e20', '--points', '400'], '--points: 400 points per budget is more than 50 .*--force'),
  flag('a negative budget', ['plan', '--budget', '-1e20'], "--budget: a value starting with '-' is read as a flag: write --budget=-1e20"),
  flag('a negative budget, written with =', ['plan', '--budget=-1e20'], '--budget: budget must be a finite number > 0'),
  flag('a duplicate budget', ['plan', '--budget', '1e20,3e20,1e20'], '--budget: budget 1\\.000e\\+20 appears twice'),
  flag('--budgets COUNT 1 dropping TO', ['plan', '--budgets', '1e17:3e20:1'], '--budgets: COUNT 1 cannot include both FROM and TO'),
  flag('--budgets that round together', ['plan', '--budgets', '1e17:1.01e17:40'], '--budgets: COUNT 40 is too many'),
  flag('--budget with --model', ['plan', '--model', '7b', '--budget', '1e20'], '--budget: --model plans one preset'),
  flag('warm-up over 100%', ['plan', '--budget', '1e20', '--warmup', '150%'], "--warmup: a warm-up share cannot exceed 100%"),
  flag('--span not above 1', ['plan', '--budget', '1e20', '--span', '1'], '--span: must be > 1'),
  { ...train('a bad --max-memory', JSON.stringify(PLAN), '', ['--max-memory', '12X']), name: 'flag: a bad --max-memory', where: () => /^scaling: --max-memory: expected a size like 16G, 512M or a number of bytes, got '12X'/ },
  { ...fit('--ci outside (0, 1)', RUNS, '', ['--ci', '2']), name: 'flag: --ci outside (0, 1)', where: () => /^scaling: --ci: must be in \(0, 1\), got 2/ },
  { name: 'flag: --jobs 0', files: { 'plan.json': JSON.stringify(PLAN) }, args: (d) => ['train', f(d, 'plan.json'), '--data', dataDir, '--dataset', 'tiny', '--runs-dir', f(d, 'runs'), '--jobs', '0'], where: () => /^scaling: --jobs: must be an integer ≥ 1, got '0'/ },
];

beforeAll(async () => {
  dataDir = await tinyDataset();
});

describe('malformed inputs: exit 2, one line naming file:line:field or the flag, nothing written', () => {
  it(`has at least 60 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(60));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const d = sandbox('bad');
    for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(d, name), text);
    const before = snapshot(d);
    const r = await runMain(c.args(d));
    if (process.env.REL_DEBUG) console.log(`${c.name} → ${r.stderr.trim()}`);
    const after = snapshot(d);
    expect(r.code, r.stderr).toBe(2);
    expectOneLine(r.stderr, c.where(d));
    expect(r.stdout).toBe('');
    counts.filesDestroyed += destroyed(before, after).length;
    expect(destroyed(before, after)).toEqual([]);
    expect(created(before, after)).toEqual([]);
    counts.rejected++;
  });
});

describe('malformed checkpoints: one line naming the file and the field, not a TypeError while resuming', () => {
  it.each([
    ['no tensor list', (h: any): void => void delete h.tensors, 'tensors: corrupt checkpoint header: no tensor list'],
    ['a tensor without a shape', (h: any): void => void delete h.tensors[0].shape, 'tensors\\[0\\]\\.shape: corrupt checkpoint header'],
    ['a fractional step', (h: any): void => void (h.step = 1.5), 'step: corrupt checkpoint header: expected an integer'],
    ['no rows', (h: any): void => void delete h.rows, 'rows: corrupt checkpoint header'],
  ] as const)('%s', async (_n, edit, where) => {
    const { encodeCheckpoint, decodeCheckpoint } = await import('../../src/train/checkpoint.ts');
    const bytes = encodeCheckpoint({ meta: { version: 1, runId: 'r', runKey: 'k', step: 3, samplerState: 1, rows: [], elapsedS: 1, lossSum: 0, lossCount: 0, created: '' }, state: { step: 3, tensors: { w: { shape: [2], data: new Float32Array([1, 2]) } } } });
    const hlen = new DataView(bytes.buffer).getUint32(8, true);
    const header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hlen)).toString('utf8'));
    edit(header);
    const h = Buffer.from(JSON.stringify(header));
    const start = Math.ceil((12 + h.length) / 4) * 4;
    const out = new Uint8Array(start + 8);
    out.set(bytes.subarray(0, 8), 0);
    new DataView(out.buffer).setUint32(8, h.length, true);
    out.set(h, 12);
    out.set(bytes.subarray(bytes.length - 8), start);
    let msg = '';
    try {
      decodeCheckpoint(out, 'runs/r.ckpt');
    } catch (e) {
      msg = (e as Error).message;
      expect(e).toBeInstanceOf((await import('../../src/util/errors.ts')).InputError);
    }
    expectOneLine(msg, new RegExp(`^runs/r\\.ckpt: ${where}`));
    counts.rejected++;
  });
});
