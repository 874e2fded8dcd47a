// Fit input: column mappings and derivations (C = 6ND), unit factors, filters, limits, budget grouping, JSON lines, and our run CSVs → Observation.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObservations } from '../src/fit/input/load.ts';
import { snapBudgets } from '../src/fit/input/budgets.ts';
import { parseFilter, matchFilter } from '../src/fit/input/mapping.ts';
import { parseJsonRecords } from '../src/fit/input/table.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { writeSyntheticGrid, lawLoss } from './fit-runs-fixture.ts';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fit-map-')); });
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('derivations and units', () => {
  const text = 'n,d,c,gflops,loss,bs\n1e6,2e9,1.2e16,1.2e7,3.1,64\n2e6,1e9,1.2e16,1.2e7,3.0,128\n';
  it('D = C/(6N) when D is missing', () => {
    const o = loadObservations([file('a.csv', text)], { columns: ['N=n', 'C=c', 'loss=loss'] }).observations;
    expect(o[0].tokens).toBeCloseTo(1.2e16 / (6 * 1e6), -1);
    expect(o[0].scale).toBe(6e6);
    expect(o[0].compute).toBe(1.2e16);
    expect(o[0].params).toBe(1e6);
  });
  it('N = C/(6D) when N is missing', () => {
    const o = loadObservations([file('b.csv', text)], { columns: ['D=d', 'C=c', 'loss=loss'] }).observations;
    expect(o[1].params).toBeCloseTo(1.2e16 / (6 * 1e9), 6);
    expect(o[1].scale).toBeCloseTo(1.2e16 / 1e9, 6);
  });
  it('C = 6ND when C is missing; scale × tokens = compute always', () => {
    const o = loadObservations([file('c.csv', text)], { columns: ['N=n', 'D=d', 'loss=loss'] }).observations;
    expect(o[0].compute).toBe(6 * 1e6 * 2e9);
    for (const x of o) expect(x.scale * x.tokens).toBeCloseTo(x.compute, -3);
  });
  it('a trailing *FACTOR scales a column (GFLOPs → FLOPs); an exact column name wins', () => {
    const r = loadObservations([file('d.csv', text)], { columns: ['N=n', 'C=gflops*1e9', 'loss=loss'] });
    expect(r.observations[0].compute).toBe(1.2e16);
    const g = file('star.csv', 'n,c*2,loss\n1e6,5,3\n');
    expect(loadObservations([g], { columns: ['N=n', 'D=c*2', 'loss=loss'] }).observations[0].tokens).toBe(5);
  });
  it('--batch-unit sequences:4096 turns sequences into tokens', () => {
    const o = loadObservations([file('e.csv', text)], { columns: ['N=n', 'D=d', 'loss=loss', 'batch=bs'], batchUnit: 'sequences:4096' }).observations;
    expect(o.map((x) => x.batchTokens)).toEqual([64 * 4096, 128 * 4096]);
  });
  it('representation is explicit: 6N2 by default for mapped files, 6N1 on request, recorded in the notes', () => {
    const r = loadObservations([file('f.csv', text)], { columns: ['N=n', 'D=d', 'loss=loss'] });
    expect(r.representation).toBe('6N2');
    expect(loadObservations([file('g.csv', text)], { columns: ['N=n', 'D=d', 'loss=loss'], representation: '6N1' }).notes.join('\n')).toContain('representation 6N1 (N non-embedding)');
  });
});

describe('filters and limits', () => {
  it('operators', () => {
    expect(matchFilter(parseFilter('a=rw'), 'rw')).toBe(true);
    expect(matchFilter(parseFilter('a!=rw'), 'rw')).toBe(false);
    expect(matchFilter(parseFilter('a=1e19'), '1.0e+19')).toBe(true);
    expect(matchFilter(parseFilter('a<3e19'), '1e19')).toBe(true);
    expect(matchFilter(parseFilter('a>=3e19'), '1e19')).toBe(false);
    expect(matchFilter(parseFilter('a>5'), 'x')).toBe(false);
    expect(matchFilter(parseFilter('Name~^isoflop-'), 'isoflop-1e+18-d512')).toBe(true);
    expect(parseFilter('throughput/total_tokens>=1e9').column).toBe('throughput/total_tokens');
  });
  it('--filter and --limit keep the stated rows and say how many were left out', () => {
    const f = file('h.csv', 'ds,n,d,loss\nrw,1e6,1e9,3\nowt,1e6,1e9,3.1\nrw,2e6,1e9,2.9\nrw,4e6,1e9,2.8\n');
    const r = loadObservations([f], { columns: ['N=n', 'D=d', 'loss=loss'], filters: ['ds=rw'], limit: 2 });
    expect(r.observations.map((o) => o.source.line)).toEqual([2, 4]);
    expect(r.notes[0]).toBe('h.csv: 2 of 4 rows used, 1 left out by --filter, 1 beyond --limit 2; C = 6ND');
  });
});

describe('budget grouping', () => {
  it('snapping finds the budgets the data was planned at', () => {
    const vals = [6.1e18, 5.9e18, 6e18, 1.02e19, 0.99e19, 3e19, 3.2e19];
    const { centers, index } = snapBudgets(vals, 0.1);
    expect(centers).toEqual([6e18, 1e19, 3.1e19]);
    expect(index).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });
  it('snapping recovers jittered budgets a factor 3 apart (±4% jitter, tolerance 10%)', () => {
    const truth = [1e17, 3e17, 9e17, 2.7e18, 8.1e18];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const vals: number[] = [], which: number[] = [];
    truth.forEach((C, k) => { for (let i = 0; i < 9; i++) { vals.push(C * (1 + 0.08 * (rand() - 0.5))); which.push(k); } });
    const { centers, index } = snapBudgets(vals, 0.1);
    expect(centers).toHaveLength(truth.length);
    expect(index).toEqual(which);
    centers.forEach((c, k) => expect(Math.abs(c / truth[k] - 1)).toBeLessThan(0.04));
  });
  it('snap: the description lists the budgets found', () => {
    const f = file('snap.csv', 'n,c,loss\n1e6,6.1e18,3\n2e6,5.9e18,2.9\n1e6,1.02e19,2.8\n3e6,0.99e19,2.7\n');
    const r = loadObservations([f], { columns: ['N=n', 'C=c', 'loss=loss'] });
    expect(r.observations.map((o) => o.budget)).toEqual([6e18, 6e18, 1e19, 1e19]);
    expect(r.budgetRule).toBe('C snapped to budgets found in the data within ±10%: 2 budgets (6.0e18, 1.0e19)');
  });
  it('--budget-from reads the budget from a name; a 3× compute mismatch is warned about and --budget-factor fixes it', () => {
    const f = file('marin.csv', 'Name,n,d,gf,loss\nisoflop-1e+18-a,1e7,5e9,3e9,3.1\nisoflop-1e+18-b,2e7,2.5e9,3e9,3.0\nisoflop-3e+18-c,2e7,7.5e9,9e9,2.9\n');
    const base = { columns: ['N=n', 'D=d', 'C=gf*1e9', 'loss=loss'], budgetFrom: 'Name:^isoflop-([0-9.e+]+)-' };
    const r = loadObservations([f], base);
    expect(r.observations.map((o) => o.budget)).toEqual([1e18, 1e18, 3e18]);
    expect(r.warnings).toEqual(['runs spent 3.00× their budget label in compute (median): the labels may count FLOPs differently; --budget-factor rescales them']);
    const s = loadObservations([f], { ...base, budgetFactor: 3 });
    expect(s.observations.map((o) => o.budget)).toEqual([3e18, 3e18, 9e18]);
    expect(s.warnings).toEqual([]);
  });
  it('--col group: one budget per group value, at the geometric mean of its compute', () => {
    const f = file('grp.csv', 'g,n,d,loss\nx,1e6,1e9,3\nx,1e6,1e9,3.1\ny,4e6,1e9,2.8\n');
    const r = loadObservations([f], { columns: ['N=n', 'D=d', 'loss=loss', 'group=g'] });
    expect(r.observations.map((o) => o.budget)).toEqual([6e15, 6e15, 2.4e16]);
  });
});

describe('--curves: mapped evaluation rows of one run', () => {
  const text = 'run,n,d,loss\na,1e6,1e8,4.0\na,1e6,3e8,3.5\nb,2e6,1e8,3.9\na,1e6,2e8,3.7\nb,2e6,2e8,3.4\n';
  it('the row with the most tokens is the result, all rows (sorted by D) the curve', () => {
    const r = loadObservations([file('curves.csv', text)], { columns: ['N=n', 'D=d', 'loss=loss', 'run=run'], curves: true });
    expect(r.observations.map((o) => [o.runId, o.tokens, o.loss, o.source.line])).toEqual([['a', 3e8, 3.5, 3], ['b', 2e8, 3.4, 6]]);
    expect(r.observations[0].curve).toEqual([1e8, 2e8, 3e8].map((D, i) => ({ tokens: D, compute: 6 * 1e6 * D, loss: [4.0, 3.7, 3.5][i] })));
  });
  it('without --curves the repeated run id is an error; a repeated evaluation is one with it', () => {
    const f = file('curves2.csv', text);
    expect(() => loadObservations([f], { columns: ['N=n', 'D=d', 'loss=loss', 'run=run'] })).toThrow(`${f}:3: run: duplicate run 'a' (first at line 2)`);
    const g = file('curves3.csv', text + 'a,1e6,2e8,3.6\n');
    expect(() => loadObservations([g], { columns: ['N=n', 'D=d', 'loss=loss', 'run=run'], curves: true })).toThrow(`${g}:7: run: duplicate evaluation of run 'a' at D = 200000000 (first at line 5)`);
  });
});

describe('JSON input', () => {
  it('records carry the line where each object starts', () => {
    const text = '[\n  {"a": 1, "s": "x,\\"}{"},\n  {\n    "a": 2\n  },\n  {"a": 3}\n]';
    const { records, header } = parseJsonRecords(text, 'x.json');
    expect(header).toEqual(['a', 's']);
    expect(records.map((r) => r.line)).toEqual([2, 3, 6]);
    expect(records[1].values.a).toBe('2');
  });
});

describe('our run CSVs', () => {
  it('result = last done row; scale M, reps, params, curve, LR, batch; loss val_bpb or val_loss', () => {
    const [f] = writeSyntheticGrid(join(dir, 'own'), [1e17], 3, 2, 4);
    const r = loadObservations([f]);
    expect(r.representation).toBe('M');
    expect(r.lossUnits).toBe('bits-per-byte');
    expect(r.dataset).toBe('synthetic');
    expect(r.observations).toHaveLength(3);
    const o = r.observations[1];
    expect(o.budget).toBe(1e17);
    expect(o.compute).toBe(o.scale * o.tokens);
    expect(o.scale).toBe(o.reps!.M);
    expect(o.loss).toBeCloseTo(lawLoss(o.reps!.M, o.tokens) / Math.LN2, 8); // the CSV keeps 10 significant digits
    expect(o.curve!.map((p) => p.tokens)).toEqual([1, 2, 3, 4].map((k) => Math.round((1e17 / o.reps!.M) * k / 4)));
    expect(o.curve![3].loss).toBe(o.loss);
    expect(o.lr).toBe(1e-3);
    expect(o.batchTokens).toBe(4096);
    expect(o.source.line).toBe(9);
    const nats = loadObservations([f], { lossColumn: 'val_loss' });
    expect(nats.lossUnits).toBe('nats/token');
    expect(nats.observations[1].loss).toBeCloseTo(o.loss * Math.LN2, 8);
    const six = loadObservations([f], { representation: '6N1' }).observations[1];
    expect(six.scale).toBe(o.reps!.sixN1);
    expect(six.params).toBe(o.reps!.sixN1 / 6);
    expect(scaleCounts({ nLayer: 4, dModel: 64, nHeads: 2, nKvHeads: 2, dFf: 172, seqLen: 128, vocab: 256 }).M).toBeGreaterThan(0);
  });
  it('runs evaluated on different validation sets are flagged', () => {
    const [f] = writeSyntheticGrid(join(dir, 'own3'), [1e17], 3, 2, 2);
    expect(loadObservations([f]).warnings).toEqual([]);
    const text = readFileSync(f, 'utf8').split('\n');
    const g = join(dir, 'own3', 'mixed-val.csv');
    writeFileSync(g, text.map((l, i) => (i >= text.length - 3 && l ? l.replace(/,abc(,|$)/, ',def$1') : l)).join('\n'));
    expect(loadObservations([g]).warnings).toEqual(['runs were evaluated on 2 different validation sets (val_hash abc: 2 runs, def: 1 runs): their losses are not comparable']);
  });
  it('--drop-highest-loss K drops exactly the K worst runs and names them', () => {
    const files = writeSyntheticGrid(join(dir, 'own2'), [1e17], 5, 4, 2);
    const all = loadObservations(files).observations;
    const r = loadObservations(files, { dropHighestLoss: 2 });
    const worst = [...all].sort((a, b) => b.loss - a.loss).slice(0, 2).map((o) => o.runId);
    expect(r.excluded.droppedHighestLoss).toEqual(worst);
    expect(r.observations.map((o) => o.runId)).toEqual(all.map((o) => o.runId).filter((id) => !worst.includes(id)));
  });
});
