// Real tiny training runs (the LLaMA trainer of src/train/trainer.ts on the wasm backend): loss falls, the done CSV parses,
// compute = M × tokens within 1% of C, exact resume after an interruption, divergence, and grid-point validation.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type LoadedDataset } from '../src/data/dataset.ts';
import { readRunCsv } from '../src/schema/runs.ts';
import { initBackend } from '../src/train/backend.ts';
import { checkPoint, runFiles, trainPoint } from '../src/train/loop.ts';
import { readCheckpoint } from '../src/train/checkpoint.ts';
import { InputError } from '../src/util/errors.ts';
import { sha256 } from '../src/util/hash.ts';
import { spreadWindows, validationWindows, windowBytes } from '../src/train/batches.ts';
import { FakeTrainer, makePoint, tinyDataset } from './train-loop-fixtures.ts';

let ds: LoadedDataset;
const runsDir = () => mkdtempSync(join(tmpdir(), 'scaling-runs-'));

beforeAll(async () => {
  await initBackend('wasm');
  ds = loadDataset(await tinyDataset(), 'tiny');
}, 60_000);

describe('a tiny run', () => {
  it('lowers the validation loss, writes a done CSV that readRunCsv parses, and spends M × tokens within 1% of C', async () => {
    const dir = runsDir();
    const point = makePoint({ steps: 80, lr: 1e-2 });
    const r = await trainPoint(point, { runsDir: dir, dataset: ds });
    expect(r.status).toBe('done');
    const rows = readRunCsv(runFiles(dir, point.id).csv);
    expect(rows).toHaveLength(10);
    expect(rows.slice(0, -1).every((x) => x.status === 'running')).toBe(true);
    expect(rows.at(-1)!.status).toBe('done');
    // ln 256 = 5.545 nats is a uniform guess; the model must do clearly better and improve through training
    expect(rows[0].val_loss).toBeLessThan(Math.log(256) + 0.05);
    expect(rows.at(-1)!.val_loss).toBeLessThan(rows[0].val_loss - 1.0);
    expect(rows.at(-1)!.val_loss).toBeLessThan(3.0);
    for (const x of rows) {
      expect(x.val_bpb).toBeCloseTo(x.val_loss / Math.LN2, 6);
      expect(x.val_hash).toBe(ds.valHash);
      expect(x.flops).toBe(point.M * x.tokens);
    }
    const last = rows.at(-1)!;
    expect(last.tokens).toBe(point.steps * point.batchTokens);
    expect(Math.abs(last.flops / point.budget - 1)).toBeLessThanOrEqual(0.01);
    expect(existsSync(runFiles(dir, point.id).checkpoint)).toBe(true);
    // a finished run is skipped, not retrained
    const again = await trainPoint(point, { runsDir: dir, dataset: ds });
    expect(again).toMatchObject({ status: 'done', skipped: true, finalValLoss: last.val_loss });
  }, 60_000);

  it('resumes after an interruption to exactly the losses of an uninterrupted run (same seed → same losses)', async () => {
    const point = makePoint({ steps: 50, lr: 1e-2, id: 'resume' });
    const straight = await trainPoint(point, { runsDir: runsDir(), dataset: ds });
    const dir = runsDir();
    let calls = 0;
    const first = await trainPoint(point, { runsDir: dir, dataset: ds, shouldStop: () => ++calls >= 23 });
    expect(first.status).toBe('stopped');
    expect(first.step).toBe(23);
    const ck = readCheckpoint(runFiles(dir, point.id).checkpoint)!;
    expect(ck.meta.step).toBe(23);
    expect(ck.meta.rows.map((x) => x.step)).toEqual([5, 10, 15, 20]);
    const second = await trainPoint(point, { runsDir: dir, dataset: ds });
    expect(second.status).toBe('done');
    expect(second.resumedFrom).toBe(23);
    const strip = (rows: typeof straight.rows) => rows.map(({ elapsed_s: _e, ...rest }) => rest);
    expect(strip(second.rows)).toEqual(strip(straight.rows));
    expect(second.finalValLoss).toBe(straight.finalValLoss);
  }, 60_000);

  it('marks a run diverged when the loss becomes NaN or infinite (absurd LR) and stops it', async () => {
    const dir = runsDir();
    const point = makePoint({ steps: 40, lr: 1e6, id: 'nan', schedule: 'constant' });
    const r = await trainPoint(point, { runsDir: dir, dataset: ds });
    expect(r.status).toBe('diverged');
    expect(r.step).toBeLessThan(40);
    const rows = readRunCsv(runFiles(dir, point.id).csv);
    expect(rows.at(-1)!.status).toBe('diverged');
    expect(Number.isFinite(rows.at(-1)!.train_loss)).toBe(false); // NaN or Infinity, written and parsed back as such
  }, 60_000);

  it('marks a run diverged when its finite validation loss is far worse than a uniform guess (> 3 ln V)', async () => {
    const dir = runsDir();
    const point = makePoint({ steps: 40, lr: 10, id: 'blowup', schedule: 'constant' });
    const r = await trainPoint(point, { runsDir: dir, dataset: ds });
    expect(r.status).toBe('diverged');
    const last = readRunCsv(runFiles(dir, point.id).csv).at(-1)!;
    expect(last.status).toBe('diverged');
    expect(last.step).toBeLessThan(40);
  }, 60_000);
});

describe('loop bookkeeping (fake trainer)', () => {
  it('stops at the step whose training loss is NaN', async () => {
    const dir = runsDir();
    const point = makePoint({ steps: 30, id: 'fake-nan' });
    const r = await trainPoint(point, { runsDir: dir, dataset: ds, createTrainer: async (c) => new FakeTrainer(c, 16) });
    expect(r.status).toBe('diverged');
    expect(r.step).toBe(17);
    expect(r.rows.map((x) => [x.step, x.status])).toEqual([[3, 'running'], [6, 'running'], [9, 'running'], [12, 'running'], [15, 'running'], [17, 'diverged']]);
  });
  it('reports train_loss as the mean over the steps since the previous evaluation', async () => {
    const point = makePoint({ steps: 20, id: 'fake-mean' });
    const r = await trainPoint(point, { runsDir: runsDir(), dataset: ds, createTrainer: async (c) => new FakeTrainer(c) });
    // FakeTrainer's loss at 0-based step s is 5/(1+s); the row at step 2 averages s = 0, 1
    expect(r.rows[0].train_loss).toBeCloseTo((5 + 2.5) / 2, 12);
    expect(r.rows[9].train_loss).toBeCloseTo((5 / 19 + 5 / 20) / 2, 12);
  });
});

describe('evaluation sets', () => {
  it('evaluates intermediate rows on fixed windows spread over val.bin and the final row on all of it, naming each in val_hash', async () => {
    const point = makePoint({ steps: 20, id: 'fake-evalbytes' });
    const r = await trainPoint(point, { runsDir: runsDir(), dataset: ds, evalBytes: 1024, createTrainer: async (c) => new FakeTrainer(c) });
    // seqLen 32: 1024 bytes → 32 of the 127 windows of the 4096-byte val.bin, window round(i·127/32)
    const all = validationWindows(ds.val.length, 32);
    expect(all).toHaveLength(127);
    const part = spreadWindows(all, 32);
    expect(part).toHaveLength(32);
    expect(part[0]).toBe(0);
    expect(part[31]).toBe(Math.floor((31 * 127) / 32) * 32);
    const partHash = sha256(windowBytes(ds.val, part, 32)).slice(0, 16);
    expect(partHash).not.toBe(ds.valHash);
    expect(r.rows.slice(0, -1).every((x) => x.val_hash === partHash)).toBe(true);
    expect(r.rows.at(-1)!.val_hash).toBe(ds.valHash);
    expect(ds.valHash).toBe(ds.meta.val.sha256.slice(0, 16));
  });
});

describe('checkPoint', () => {
  it('accepts M × tokens within 1% of C and rejects 2% off, a wrong M, a non-byte vocab', () => {
    const p = makePoint();
    expect(checkPoint({ ...p, budget: p.flops * 1.009 }, ds).relErr).toBeCloseTo(1 - 1 / 1.009, 10);
    expect(() => checkPoint({ ...p, budget: p.flops * 1.02 }, ds)).toThrow(/limit 1%/);
    expect(() => checkPoint({ ...p, M: p.M * 1.1 }, ds)).toThrow(/does not match the shape's M/);
    const big = makePoint({ shape: { nLayer: 1, dModel: 16, nHeads: 2, nKvHeads: 2, dFf: 48, seqLen: 32, vocab: 102400 } });
    expect(() => checkPoint(big, ds)).toThrow(InputError);
    expect(() => checkPoint(big, ds)).toThrow(/--vocab 256/);
    expect(() => checkPoint({ ...p, tokens: p.tokens + 1 }, ds)).toThrow(/steps/);
  });
});
