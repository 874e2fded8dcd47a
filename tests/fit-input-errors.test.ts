// Bad fit input: every case gives one InputError line naming file:line: column: reason (library level; the CLI's exit 2 is in fit-input-cli).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObservations, type InputOptions } from '../src/fit/input/load.ts';
import { InputError } from '../src/util/errors.ts';
import { RUN_COLUMNS, writeRunCsv } from '../src/schema/runs.ts';
import { runRows, writeSyntheticGrid } from './fit-runs-fixture.ts';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fit-input-')); });

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function errorOf(files: string[], opts: InputOptions = {}): InputError {
  try {
    loadObservations(files, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const MAP = { columns: ['N=params', 'D=tokens', 'loss=loss', 'budget=budget'] };
const good = 'params,tokens,loss,budget\n1e6,1e9,3.1,6e15\n2e6,5e8,3.0,6e15\n4e6,2.5e8,3.05,6e15\n';

describe('mapped CSV/JSON input errors', () => {
  it('accepts the good file (control)', () => {
    expect(loadObservations([file('good.csv', good)], MAP).observations).toHaveLength(3);
  });
  it('missing required column', () => {
    const f = file('nocol.csv', 'params,toks,loss,budget\n1e6,1e9,3.1,6e15\n');
    expect(errorOf([f], MAP).message).toBe(`${f}:1: tokens: missing required column 'tokens' (mapped by --col D=…; the file has: params, toks, loss, budget)`);
  });
  it('non-numeric value', () => {
    const f = file('nan.csv', good.replace('3.0,', 'abc,'));
    expect(errorOf([f], MAP).message).toBe(`${f}:3: loss: not a number: 'abc'`);
  });
  it('negative value', () => {
    const f = file('neg.csv', good.replace('4e6', '-4e6'));
    expect(errorOf([f], MAP).message).toBe(`${f}:4: params: negative value -4000000 (must be > 0)`);
  });
  it('empty cell of a required column', () => {
    const f = file('empty-cell.csv', good.replace('2.5e8', ''));
    expect(errorOf([f], MAP).message).toBe(`${f}:4: tokens: missing value`);
  });
  it('duplicate run rows (identical values) unless --dedupe, which reports them', () => {
    const f = file('dup.csv', good + '2e6,5e8,3.0,6e15\n');
    expect(errorOf([f], MAP).message).toBe(`${f}:5: loss: duplicate run row (same values as line 3; --dedupe keeps the first)`);
    const r = loadObservations([f], { ...MAP, dedupe: true });
    expect(r.observations).toHaveLength(3);
    expect(r.notes.join('\n')).toContain('1 duplicate row(s) dropped by --dedupe (lines 5=3)');
  });
  it('duplicate run ids with --col run', () => {
    const f = file('dupid.csv', 'id,params,tokens,loss,budget\na,1e6,1e9,3.1,6e15\nb,2e6,5e8,3.0,6e15\na,4e6,2.5e8,3.05,6e15\n');
    expect(errorOf([f], { columns: [...MAP.columns, 'run=id'] }).message).toBe(`${f}:4: id: duplicate run 'a' (first at line 2)`);
  });
  it('truncated last line', () => {
    const f = file('trunc.csv', good + '8e6,1.2');
    expect(errorOf([f], MAP).message).toBe(`${f}:5: truncated last line (2 of 4 fields)`);
  });
  it('empty file', () => {
    const f = file('empty.csv', '');
    expect(errorOf([f], MAP).message).toBe(`${f}:1: empty file (no header row)`);
  });
  it('header only', () => {
    const f = file('header.csv', 'params,tokens,loss,budget\n');
    expect(errorOf([f], MAP).message).toBe(`${f}:2: empty file (a header but no rows)`);
    expect(errorOf([file('good-f.csv', good)], { ...MAP, filters: ['loss>9'] }).message).toMatch(/good-f\.csv: no rows left after --filter\/--limit \(3 rows read\)$/);
  });
  it('JSON: non-numeric value names the record line', () => {
    const f = file('bad.json', '[\n  {"parameters": 1e6, "compute_budget": 6e15, "final_loss": 3.1},\n  {"parameters": "x", "compute_budget": 6e15, "final_loss": 3.0}\n]\n');
    expect(errorOf([f], { columns: ['N=parameters', 'C=compute_budget', 'loss=final_loss'] }).message).toBe(`${f}:3: parameters: not a number: 'x'`);
  });
  it('JSON: truncated and empty files', () => {
    const t = file('trunc.json', '[\n  {"parameters": 1e6, "compute_budget": 6e15, "final_loss": 3.1},\n  {"parameters": 2e6, "compu');
    expect(errorOf([t], { columns: ['N=parameters', 'C=compute_budget', 'loss=final_loss'] }).message).toBe(`${t}:3: truncated JSON (the file ends inside a value)`);
    const e = file('empty.json', '[]\n');
    expect(errorOf([e], { columns: ['N=parameters', 'C=compute_budget', 'loss=final_loss'] }).message).toBe(`${e}:1: empty file (the JSON array has no records)`);
  });
  it('mapping needs two of N, C, D and a loss', () => {
    const f = file('good2.csv', good);
    expect(errorOf([f], { columns: ['N=params', 'loss=loss'] }).message).toBe(`${f}: --col: the column mapping needs two of N, C, D (got N): add --col N=…, --col C=… or --col D=… (or shape columns n_layer, d_model, …)`);
    expect(errorOf([f], { columns: ['N=params', 'D=tokens'] }).message).toBe(`${f}: --col: no loss column: add --col loss=COLUMN`);
  });
  it('flag errors name the flag', () => {
    const f = file('good3.csv', good);
    expect(errorOf([f], { columns: ['X=params'] }).message).toBe(`--col: unknown key 'X' (keys: N, C, D, loss, lr, batch, budget, group, run, dataset, n_layer, d_model, n_heads, n_kv_heads, d_ff, seq_len, vocab)`);
    expect(errorOf([f], { ...MAP, filters: ['nosuch=3'] }).message).toBe(`${f}:1: nosuch: --filter 'nosuch=3': no column 'nosuch' in this file`);
    expect(errorOf([f], { ...MAP, filters: ['loss>abc'] }).message).toBe(`--filter: '>' needs a number, got 'abc' in 'loss>abc'`);
    expect(errorOf([f], { ...MAP, representation: 'M' }).message).toMatch(/^--representation: M needs model shapes/);
  });
  it('--budget-from that does not match a row names the row', () => {
    const f = file('names.csv', 'Name,params,tokens,loss\nisoflop-1e+18-a,1e6,1e9,3.1\noptimal-3e+18,2e6,5e8,3.0\n');
    expect(errorOf([f], { columns: ['N=params', 'D=tokens', 'loss=loss'], budgetFrom: 'Name:^isoflop-([0-9.e+]+)-' }).message)
      .toBe(`${f}:3: Name: --budget-from pattern does not match 'optimal-3e+18' (filter such rows out with --filter)`);
  });
  it('mixed datasets need --filter or --dataset', () => {
    const f = file('mixed.csv', 'ds,params,tokens,loss,budget\nrw,1e6,1e9,3.1,6e15\nowt2,2e6,5e8,3.0,6e15\n');
    expect(errorOf([f], { columns: [...MAP.columns, 'dataset=ds'] }).message).toBe('dataset: the runs span 2 datasets (rw, owt2): fit one with --filter, or label the mix with --dataset NAME');
    expect(loadObservations([f], { columns: [...MAP.columns, 'dataset=ds'], dataset: 'mix' }).dataset).toBe('mix');
  });
});

describe('our run CSV errors', () => {
  let gridFile: string;
  beforeAll(() => { gridFile = writeSyntheticGrid(join(dir, 'grid'), [1e17], 5, 4, 3)[0]; });
  const lines = () => readFileSync(gridFile, 'utf8').split('\n');
  const header = () => lines()[0].split(',');

  it('missing required column', () => {
    const h = header();
    const i = h.indexOf('val_bpb');
    const text = lines().map((l) => l.split(',').filter((_, k) => k !== i).join(',')).join('\n');
    const f = file('runs-nocol.csv', text);
    expect(errorOf([f]).message).toBe(`${f}:1: val_bpb: missing required column 'val_bpb'`);
  });
  it('a file in neither format points at --col', () => {
    const f = file('other.csv', good);
    expect(errorOf([f]).message).toBe(`${f}:1: run_id: missing required column 'run_id' (not a scaling run CSV; read other formats with --col mappings, see docs/fit.md)`);
  });
  it('non-numeric and negative values', () => {
    const i = header().indexOf('tokens');
    const ls = lines();
    const row = ls[3].split(',');
    row[i] = 'lots';
    const f = file('runs-nan.csv', [...ls.slice(0, 3), row.join(','), ...ls.slice(4)].join('\n'));
    expect(errorOf([f]).message).toBe(`${f}:4: tokens: not a number: 'lots'`);
    row[i] = '-5';
    const g = file('runs-neg.csv', [...ls.slice(0, 3), row.join(','), ...ls.slice(4)].join('\n'));
    expect(errorOf([g]).message).toBe(`${g}:4: tokens: must be ≥ 0, got -5`);
  });
  it('duplicate run rows (same run and step), and the same run in two files', () => {
    const ls = lines();
    const f = file('runs-dup.csv', [...ls.slice(0, 3), ls[2], ...ls.slice(3)].join('\n'));
    expect(errorOf([f]).message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: step: duplicate row for run '[^']+' step 200 \\(first at line 3\\)$`));
    const copy = file('runs-copy.csv', readFileSync(gridFile, 'utf8'));
    expect(errorOf([gridFile, copy]).message).toMatch(/runs-copy\.csv:\d+: run_id: run '.+' also appears in .+runs-1e\+17\.csv \(duplicate run\)$/);
  });
  it('truncated last line', () => {
    const text = readFileSync(gridFile, 'utf8');
    const f = file('runs-trunc.csv', text.slice(0, text.length - 40));
    const n = text.split('\n').length - 1;
    expect(errorOf([f]).message).toMatch(new RegExp(`runs-trunc\\.csv:${n}: truncated last line \\(\\d+ of ${RUN_COLUMNS.length} fields\\)$`));
  });
  it('empty file and header-only file', () => {
    const f = file('runs-empty.csv', '');
    expect(errorOf([f]).message).toBe(`${f}:1: empty file (no header row)`);
    const g = file('runs-header.csv', lines()[0] + '\n');
    expect(errorOf([g]).message).toBe(`${g}:2: empty file (a header but no rows)`);
  });
  it('running and diverged runs are excluded and reported, never silently', () => {
    const rows = [
      ...runRows({ runId: 'ok1', budget: 1e17, shape: { nLayer: 4, dModel: 64, nHeads: 2, nKvHeads: 2, dFf: 172, seqLen: 128, vocab: 256 }, status: 'done', evals: 3 }),
      ...runRows({ runId: 'ok2', budget: 1e17, shape: { nLayer: 4, dModel: 96, nHeads: 2, nKvHeads: 2, dFf: 256, seqLen: 128, vocab: 256 }, status: 'done', evals: 3 }),
      ...runRows({ runId: 'busy', budget: 1e17, shape: { nLayer: 4, dModel: 128, nHeads: 2, nKvHeads: 2, dFf: 344, seqLen: 128, vocab: 256 }, status: 'running', evals: 2 }),
      ...runRows({ runId: 'boom', budget: 1e17, shape: { nLayer: 4, dModel: 160, nHeads: 2, nKvHeads: 2, dFf: 428, seqLen: 128, vocab: 256 }, status: 'diverged', evals: 2 }),
    ];
    const f = join(dir, 'runs-status.csv');
    writeRunCsv(f, rows);
    const r = loadObservations([f]);
    expect(r.observations.map((o) => o.runId)).toEqual(['ok1', 'ok2']);
    expect(r.excluded).toEqual({ running: ['busy'], diverged: ['boom'], droppedHighestLoss: [] });
    expect(r.warnings).toEqual(['1 run(s) still running, excluded: busy', '1 run(s) diverged, excluded: boom']);
  });
  it('a run that changes budget between rows is an error', () => {
    const rows = runRows({ runId: 'r', budget: 1e17, shape: { nLayer: 4, dModel: 64, nHeads: 2, nKvHeads: 2, dFf: 172, seqLen: 128, vocab: 256 }, status: 'done', evals: 3 });
    rows[2].budget = 3e17;
    const f = join(dir, 'runs-change.csv');
    writeRunCsv(f, rows);
    expect(errorOf([f]).message).toBe(`${f}:4: budget: run 'r' changes budget from 100000000000000000 (line 2) to 300000000000000000`);
  });
  it('mapped-only flags are refused for run CSVs', () => {
    expect(errorOf([gridFile], { snap: 0.1 }).message).toMatch(/^--snap: only applies to files read through --col mappings/);
    expect(errorOf([gridFile], { limit: 3 }).message).toMatch(/^--limit: only applies to files read through --col mappings/);
  });
});
