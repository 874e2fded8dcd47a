// One compute rule across stages: a plan made from a 6N2 laws file (Marin's fit) is spent, checked and recorded in 6N2, so it trains.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type LoadedDataset } from '../src/data/dataset.ts';
import { plan } from '../src/library.ts';
import { allPoints } from '../src/schema/plan.ts';
import { readRunCsv } from '../src/schema/runs.ts';
import { checkPoint, runFiles, trainPoint } from '../src/train/loop.ts';
import { computeFlops } from '../src/flops/flops.ts';
import { FakeTrainer, tinyDataset } from './train-loop-fixtures.ts';
import { REPO } from './helpers/cli.ts';

let ds: LoadedDataset;
beforeAll(async () => {
  ds = loadDataset(await tinyDataset(), 'tiny');
}, 60_000);

describe('a plan from 6N2 laws (fits/marin-dclm.json)', () => {
  const p = plan({ budgets: [1e10, 3e10], points: 4, seqLen: 32, vocab: 256, laws: join(REPO, 'fits/marin-dclm.json') });

  it('records its representation and spends each budget in it within 1%', () => {
    expect(p.representation).toBe('6N2');
    for (const pt of allPoints(p)) {
      expect(Math.abs(computeFlops(pt.shape, pt.tokens, '6N2') / pt.budget - 1)).toBeLessThan(0.01);
      expect(pt.flops).toBeCloseTo(computeFlops(pt.shape, pt.tokens, '6N2'), 0);
    }
  });

  it("passes the trainer's checks in its own representation (M × D misses the budget by far more than 1%)", () => {
    for (const pt of allPoints(p)) expect(() => checkPoint(pt, ds, '6N2')).not.toThrow();
    const offInM = allPoints(p).map((pt) => Math.abs(computeFlops(pt.shape, pt.tokens, 'M') / pt.budget - 1));
    expect(Math.max(...offInM)).toBeGreaterThan(0.05);
    expect(() => checkPoint(allPoints(p)[offInM.indexOf(Math.max(...offInM))], ds, 'M')).toThrow(/M × tokens .* from the budget/);
  });

  it('trains: every run CSV says 6N2 and its spent compute matches the budget within 1%', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scaling-rep-'));
    for (const pt of allPoints(p)) {
      const r = await trainPoint(pt, { runsDir: dir, dataset: ds, representation: p.representation, createTrainer: async (c) => new FakeTrainer(c) });
      expect(r.status).toBe('done');
      const last = readRunCsv(runFiles(dir, pt.id).csv).at(-1)!;
      expect(last.representation).toBe('6N2');
      expect(Math.abs(last.flops / pt.budget - 1)).toBeLessThan(0.01);
      expect(Math.abs(computeFlops(last, last.tokens, '6N2') / last.budget - 1)).toBeLessThan(0.01);
    }
  });
});
