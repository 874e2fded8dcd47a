// `scaling fit` on bad input, end to end: one line `scaling: file:line: column: reason` on stderr, exit 2, no --out file written.
// The processes are spawned up front, four at a time (each CLI start costs seconds), then each case checks its own result.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO } from './helpers/cli.ts';
import { writeSyntheticGrid } from './fit-runs-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'fit-cli-'));
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

interface Result { code: number; stdout: string; stderr: string; out: string }

function scaling(args: string[], out: string): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, out }));
  });
}

const MAP = ['--col', 'N=params', '--col', 'D=tokens', '--col', 'loss=loss', '--col', 'budget=budget'];
const good = 'params,tokens,loss,budget\n1e6,1e9,3.1,6e15\n2e6,5e8,3.0,6e15\n4e6,2.5e8,3.05,6e15\n';

const f = {
  nocol: file('nocol.csv', 'params,toks,loss,budget\n1e6,1e9,3.1,6e15\n'),
  nan: file('nan.csv', good.replace('3.0,', 'abc,')),
  neg: file('neg.csv', good.replace('4e6', '-4e6')),
  dup: file('dup.csv', good + '2e6,5e8,3.0,6e15\n'),
  trunc: file('trunc.csv', good + '8e6,1.2'),
  empty: file('empty.csv', ''),
  good: file('good.csv', good),
};
const [grid] = writeSyntheticGrid(join(dir, 'grid'), [1e17], 4, 4, 2);
const lines = readFileSync(grid, 'utf8').split('\n');
const status = lines[0].split(',').indexOf('status');
const runsDup = file('runs-dup.csv', [...lines.slice(0, 3), lines[2], ...lines.slice(3)].join('\n'));
const runsNoStatus = file('runs-nostatus.csv', lines.map((l) => l.split(',').filter((_, k) => k !== status).join(',')).join('\n'));
const nothing = join(dir, 'nothing-*.csv');

/** Three budgets with 5 points on a bowl in log N and one budget with only 2 points. */
function fewPointsFile(): string {
  const rows = ['params,tokens,loss,budget'];
  for (const [C, n] of [[1e17, 5], [1e18, 5], [1e19, 5], [1e20, 2]] as const) {
    const Nopt = 0.1 * Math.sqrt(C);
    for (let i = 0; i < n; i++) {
      const N = Nopt * 2 ** (i - 2);
      rows.push(`${N},${C / (6 * N)},${3 - 0.05 * Math.log10(C / 1e17) + 0.05 * Math.log2(N / Nopt) ** 2},${C}`);
    }
  }
  return file('few.csv', rows.join('\n') + '\n');
}

const CASES: Record<string, string[]> = {
  nocol: [f.nocol, ...MAP],
  nan: [f.nan, ...MAP],
  neg: [f.neg, ...MAP],
  dup: [f.dup, ...MAP],
  trunc: [f.trunc, ...MAP],
  empty: [f.empty, ...MAP],
  runsDup: [runsDup],
  runsNoStatus: [runsNoStatus],
  nothing: [nothing],
  badKey: [f.good, ...MAP, '--col', 'Q=x'],
  few: [fewPointsFile(), ...MAP, '--no-approach3'],
};
const results: Record<string, Result> = {};

beforeAll(async () => {
  // Four at a time: enough to overlap the CLI's start-up, few enough for 2 cores and their memory.
  const queue = Object.keys(CASES);
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const out = join(dir, `out-${n}.json`);
      results[n] = await scaling(['fit', ...CASES[n], '--bootstrap', '0', '--out', out], out);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}, 180_000);

/** The exit-2 contract: nothing on stdout, exactly one line on stderr, no output file. Returns that line. */
function failure(name: string): string {
  const r = results[name];
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(existsSync(r.out)).toBe(false);
  return r.stderr.trim();
}

describe('scaling fit: bad input → exit 2, one line, nothing written', () => {
  it('missing required column', () => {
    expect(failure('nocol')).toBe(`scaling: ${f.nocol}:1: tokens: missing required column 'tokens' (mapped by --col D=…; the file has: params, toks, loss, budget)`);
  });
  it('non-numeric value', () => expect(failure('nan')).toBe(`scaling: ${f.nan}:3: loss: not a number: 'abc'`));
  it('negative value', () => expect(failure('neg')).toBe(`scaling: ${f.neg}:4: params: negative value -4000000 (must be > 0)`));
  it('duplicate run rows', () => expect(failure('dup')).toBe(`scaling: ${f.dup}:5: loss: duplicate run row (same values as line 3; --dedupe keeps the first)`));
  it('truncated last line', () => expect(failure('trunc')).toBe(`scaling: ${f.trunc}:5: truncated last line (2 of 4 fields)`));
  it('empty file', () => expect(failure('empty')).toBe(`scaling: ${f.empty}:1: empty file (no header row)`));
  it('our run CSV: duplicate (run, step) row; missing column', () => {
    expect(failure('runsDup')).toMatch(/^scaling: .*runs-dup\.csv:4: step: duplicate row for run '.+' step 200 \(first at line 3\)$/);
    expect(failure('runsNoStatus')).toBe(`scaling: ${runsNoStatus}:1: status: missing required column 'status'`);
  });
  it('a glob that matches nothing; an unknown --col key', () => {
    expect(failure('nothing')).toBe(`scaling: FILES: no files match '${nothing}'`);
    expect(failure('badKey')).toBe(`scaling: --col: unknown key 'Q' (keys: N, C, D, loss, lr, batch, budget, group, run, dataset, n_layer, d_model, n_heads, n_kv_heads, d_ff, seq_len, vocab)`);
  });
});

describe('scaling fit: fit-quality problems warn and drop, never silently', () => {
  it('a budget with too few points is dropped with a warning; the rest is fitted and written', () => {
    const r = results.few;
    expect(r.stderr).toContain(`wrote ${r.out}`);
    expect(r.code).toBe(0);
    const laws = JSON.parse(readFileSync(r.out, 'utf8'));
    const dropped = laws.details.optima.filter((o: { dropped?: boolean }) => o.dropped);
    expect(dropped.map((o: { budget: number }) => o.budget)).toEqual([1e20]);
    expect(dropped[0].warnings.join(' ')).toMatch(/2 distinct scales.*dropped/);
    expect(laws.details.optima.filter((o: { dropped?: boolean }) => !o.dropped)).toHaveLength(3);
    expect(r.stdout).toMatch(/1\.00e20\s+2\s+dropped.*⚠/);
  });
});
