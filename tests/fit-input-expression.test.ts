// `--col` expressions (+ − × ÷ over columns and constants, parsed by jsep, never evaluated as code) and shape columns giving the
// paper's exact M on other groups' files; point targets for --predict (N=…,D=…) and how a --predict list splits.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObservations } from '../src/fit/input/load.ts';
import { compileColumnExpr } from '../src/fit/input/expression.ts';
import { computeFlops, scaleCounts } from '../src/flops/flops.ts';
import { PRESETS, presetShape } from '../src/flops/presets.ts';
import { parseFitTargets, splitTargetList } from '../src/fit/predict.ts';
import { InputError } from '../src/util/errors.ts';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fit-expr-')); });
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
const err = (f: () => unknown) => { try { f(); } catch (e) { return e as InputError; } throw new Error('expected an error'); };

describe('column expressions', () => {
  const header = ['train_iters', 'global_batch_size', 'throughput/total_gflops', 'optimizer.learning_rate', 'n'];
  const row: Record<string, string> = { train_iters: '1000', global_batch_size: '512', 'throughput/total_gflops': '2.5e7', 'optimizer.learning_rate': '3e-4', n: '' };
  const get = (c: string) => row[c];
  const value = (spec: string) => {
    const r = compileColumnExpr(spec, header, 'D', 'x.csv').evaluate(get);
    if (!('value' in r)) throw new Error(JSON.stringify(r));
    return r.value;
  };
  it('+ − × ÷, constants, parentheses, unary minus; dotted and quoted column names; exact names and COLUMN*FACTOR first', () => {
    expect(value('train_iters*global_batch_size*4096')).toBe(1000 * 512 * 4096);
    expect(value('(train_iters + 24) / 2 - -1')).toBe(513);
    expect(value("'throughput/total_gflops'*1e9")).toBe(2.5e16);
    expect(value('throughput/total_gflops*1e9')).toBe(2.5e16); // the older COLUMN*FACTOR form
    expect(value('throughput/total_gflops')).toBe(2.5e7); // an exact name wins over division
    expect(value('optimizer.learning_rate*2')).toBe(6e-4);
    expect(compileColumnExpr('4096', header, 'seq_len', 'x.csv').constant).toBe(4096);
  });
  it('refuses anything but arithmetic, names unknown columns and empty cells, and division by zero', () => {
    expect(err(() => compileColumnExpr('f(train_iters)', header, 'D', 'x.csv')).message).toMatch(/--col D: .*only \+ − \* \/ over columns and numbers \(found CallExpression\)/);
    expect(err(() => compileColumnExpr('train_iters**2', header, 'D', 'x.csv')).message).toMatch(/operator '\*\*' is not allowed/);
    expect(err(() => compileColumnExpr('train_iter*2', header, 'D', 'x.csv')).message).toMatch(/x\.csv:1: train_iter: missing required column 'train_iter'/);
    expect(compileColumnExpr('n*2', header, 'N', 'x.csv').evaluate(get)).toEqual({ missing: 'n' });
    expect(compileColumnExpr('train_iters/(global_batch_size-512)', header, 'D', 'x.csv').evaluate(get)).toMatchObject({ error: expect.stringMatching(/division by zero/) });
  });
  it('on a file: D = train_iters × global_batch_size × seq length, N from a column; a bad cell names file, line and column', () => {
    const f = file('m.csv', 'params,train_iters,global_batch_size,loss\n1e8,1000,256,3.2\n2e8,500,256,3.1\n');
    const o = loadObservations([f], { columns: ['N=params', 'D=train_iters*global_batch_size*4096', 'loss=loss'] }).observations;
    expect(o[0].tokens).toBe(1000 * 256 * 4096);
    expect(o[0].compute).toBe(6 * 1e8 * 1000 * 256 * 4096);
    const bad = file('bad.csv', 'params,train_iters,global_batch_size,loss\n1e8,1000,256,3.2\n2e8,x,256,3.1\n');
    expect(err(() => loadObservations([bad], { columns: ['N=params', 'D=train_iters*global_batch_size*4096', 'loss=loss'] })).message).toBe(`${bad}:3: train_iters: not a number: 'x'`);
  });
});

describe('shape columns: exact M on external data', () => {
  it("M, N1, N2 from n_layer, d_model, heads, kv heads, d_ff, seq_len and vocab equal scaleCounts — the 67B's GQA shape included", () => {
    const s67 = presetShape(PRESETS['67b']);
    const s7 = presetShape(PRESETS['7b']);
    const f = file('shapes.csv', [
      'layers,width,heads,kv,ffn,tokens,loss',
      `${s7.nLayer},${s7.dModel},${s7.nHeads},${s7.nKvHeads},${s7.dFf},2e12,2.1`,
      `${s67.nLayer},${s67.dModel},${s67.nHeads},${s67.nKvHeads},${s67.dFf},2e12,1.9`,
    ].join('\n') + '\n');
    const cols = ['n_layer=layers', 'd_model=width', 'n_heads=heads', 'n_kv_heads=kv', 'd_ff=ffn', 'seq_len=4096', 'vocab=102400', 'D=tokens', 'loss=loss', 'budget=tokens'];
    const l = loadObservations([f], { columns: cols });
    expect(l.representation).toBe('M');
    const [o7, o67] = l.observations;
    expect(o67.scale).toBe(scaleCounts(s67).M); // 4.327e11 FLOPs/token (paper Table 2's 67B)
    expect(o67.compute).toBe(computeFlops(s67, 2e12, 'M'));
    expect(o7.reps).toEqual({ M: scaleCounts(s7).M, sixN1: 6 * scaleCounts(s7).N1, sixN2: 6 * scaleCounts(s7).N2 });
    expect(o7.params).toBe(scaleCounts(s7).N1);
    const n2 = loadObservations([f], { columns: cols, representation: '6N2' }).observations;
    expect(n2[1].scale).toBe(6 * scaleCounts(s67).N2);
    expect(n2[1].params).toBe(scaleCounts(s67).N2);
  });
  it('M needs the sequence length; without shape columns M is refused; shape keys need n_layer and d_model', () => {
    const f = file('s2.csv', 'layers,width,tokens,loss\n2,64,1e6,3\n');
    expect(err(() => loadObservations([f], { columns: ['n_layer=layers', 'd_model=width', 'D=tokens', 'loss=loss'] })).message).toMatch(/--col: M \(paper Eq\. 2\) needs the sequence length/);
    expect(err(() => loadObservations([f], { columns: ['N=width', 'D=tokens', 'loss=loss'], representation: 'M' })).message).toMatch(/--representation: M needs model shapes/);
    expect(err(() => loadObservations([f], { columns: ['d_model=width', 'N=layers', 'D=tokens', 'loss=loss'] })).message).toMatch(/shape columns need at least n_layer and d_model/);
  });
});

describe('--predict targets', () => {
  it('a list splits at commas except inside KEY=VALUE groups, which end where a key repeats', () => {
    expect(splitTargetList('7b,67b,1e21')).toEqual(['7b', '67b', '1e21']);
    expect(splitTargetList('N=7e9,D=2e12,N=1.3e10,D=5e12,7b')).toEqual(['N=7e9,D=2e12', 'N=1.3e10,D=5e12', '7b']);
    expect(splitTargetList('7B:N=6.9e9,D=4e12,L=2.48 n_layer=24,d_model=2048')).toEqual(['7B:N=6.9e9,D=4e12,L=2.48', 'n_layer=24,d_model=2048']);
  });
  it('point targets with an optional name and observed loss; shapes and presets as before; bad keys named', () => {
    const [p, q, s] = parseFitTargets(['7B:N=6.9e9,D=4e12,L=2.48', 'M=4.3e10,D=2e12', 'n_layer=24,d_model=2048']);
    expect(p).toEqual({ label: '7B', kind: 'point', variable: 'N', params: 6.9e9, tokens: 4e12, observed: 2.48 });
    expect(q).toMatchObject({ label: 'M=4.3e10,D=2e12', variable: 'M' });
    expect(s.kind).toBe('shape');
    expect(err(() => parseFitTargets(['N=7e9,D=2e12,X=1'])).message).toMatch(/--predict: unknown key 'X'/);
    expect(err(() => parseFitTargets(['N=-1,D=2e12'])).message).toMatch(/N must be a positive number/);
  });
});
