// trainPlan on worker processes: two concurrent invocations train every point exactly once (locks), a rerun skips finished runs,
// and --budget/--index select the right points.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectPoints, trainPlan } from '../src/train/workers.ts';
import { readRunCsv } from '../src/schema/runs.ts';
import { runFiles } from '../src/train/loop.ts';
import { makePlan, makePoint, tinyDataset, tinyShape } from './train-loop-fixtures.ts';

const points = [
  makePoint({ id: 'w-a', steps: 30, budget: undefined, index: 0 }),
  makePoint({ id: 'w-b', steps: 24, shape: tinyShape({ dModel: 8, nHeads: 1, nKvHeads: 1, dFf: 24 }), index: 1 }),
  makePoint({ id: 'w-c', steps: 20, shape: tinyShape({ nLayer: 2 }), index: 2 }),
];
const plan = makePlan(points);

describe('selectPoints', () => {
  it('selects a budget, a point on it, or the I-th point of the plan', () => {
    expect(selectPoints(plan, {}).map((p) => p.id)).toEqual(['w-a', 'w-b', 'w-c']);
    expect(selectPoints(plan, { budget: points[1].budget * (1 + 1e-9) }).map((p) => p.id)).toEqual(['w-b']);
    expect(selectPoints(plan, { budget: points[2].budget, index: 2 }).map((p) => p.id)).toEqual(['w-c']);
    expect(selectPoints(plan, { index: 1 }).map((p) => p.id)).toEqual(['w-b']);
    expect(() => selectPoints(plan, { budget: 123 })).toThrow(/--budget: no budget/);
    expect(() => selectPoints(plan, { index: 3 })).toThrow(/--index/);
  });
});

describe('trainPlan with worker processes', () => {
  it('two concurrent invocations with 2 workers each train every point exactly once; a rerun skips them all', async () => {
    const dataDir = await tinyDataset();
    const runsDir = mkdtempSync(join(tmpdir(), 'scaling-workers-'));
    const opts = { runsDir, dataDir, dataset: 'tiny', jobs: 2, backend: 'wasm' as const, handleSignals: false };
    const [a, b] = await Promise.all([trainPlan(plan, opts), trainPlan(plan, opts)]);
    const trained = [...a.points, ...b.points].filter((p) => p.status === 'done' && !p.skipped).map((p) => p.id).sort();
    expect(trained).toEqual(['w-a', 'w-b', 'w-c']);
    // everything the other invocation did not train, it found locked or already done
    for (const p of [...a.points, ...b.points]) expect(p.status === 'locked' || p.status === 'done').toBe(true);
    for (const p of points) {
      const rows = readRunCsv(runFiles(runsDir, p.id).csv);
      expect(rows.at(-1)!.status).toBe('done');
      expect(rows.at(-1)!.tokens).toBe(p.tokens);
      expect(rows.at(-1)!.val_loss).toBeLessThan(rows[0].val_loss);
    }
    const again = await trainPlan(plan, { ...opts, jobs: 1 });
    expect(again.points.map((p) => [p.id, p.status, p.skipped])).toEqual([['w-a', 'done', true], ['w-b', 'done', true], ['w-c', 'done', true]]);
  }, 90_000);
});
