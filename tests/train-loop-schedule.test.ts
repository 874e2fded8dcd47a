// LR schedule values at every breakpoint (warm-up, 80%, 90%) from src/plan/schedule.ts, and that the training loop applies exactly lrAt(step).
import { describe, expect, it } from 'vitest';
import { lrAt, makeSchedule, warmupSteps } from '../src/plan/schedule.ts';
import { evalSteps, trainPoint } from '../src/train/loop.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { FakeTrainer, makePoint, tinyDataset } from './train-loop-fixtures.ts';

describe('warm-up rule: min(2000, 5% of steps)', () => {
  it('scales with short runs and caps at the paper\'s 2000', () => {
    expect(warmupSteps(100)).toBe(5);
    expect(warmupSteps(883)).toBe(44); // round(44.15)
    expect(warmupSteps(40_000)).toBe(2000);
    expect(warmupSteps(1_000_000)).toBe(2000);
    expect(warmupSteps(20)).toBe(1);
    expect(warmupSteps(10)).toBe(1); // round(0.5) = 1
  });
});

describe('multistep schedule (paper §2.2: 100% → 31.6% at 80% of tokens → 10% at 90%)', () => {
  const steps = 1000;
  const s = makeSchedule('multistep', steps);
  const peak = 2e-3;
  it('has its breakpoints at 80% and 90% of the steps and 5% warm-up', () => {
    expect(s.warmupSteps).toBe(50);
    expect(s.breakpoints).toEqual([800, 900]);
  });
  it('warms up linearly: (step+1)/warmup × peak', () => {
    expect(lrAt(s, peak, 0)).toBeCloseTo(peak / 50, 15);
    expect(lrAt(s, peak, 24)).toBeCloseTo((peak * 25) / 50, 15);
    expect(lrAt(s, peak, 49)).toBeCloseTo(peak, 15);
  });
  it('holds the peak until the 80% step, then 0.316×, then 0.1× from the 90% step', () => {
    expect(lrAt(s, peak, 50)).toBe(peak);
    expect(lrAt(s, peak, 799)).toBe(peak);
    expect(lrAt(s, peak, 800)).toBeCloseTo(0.316 * peak, 15);
    expect(lrAt(s, peak, 899)).toBeCloseTo(0.316 * peak, 15);
    expect(lrAt(s, peak, 900)).toBeCloseTo(0.1 * peak, 15);
    expect(lrAt(s, peak, 999)).toBeCloseTo(0.1 * peak, 15);
  });
  it('cosine decays from the peak after warm-up to 10% at the end, 55% half-way', () => {
    const c = makeSchedule('cosine', 1000);
    expect(lrAt(c, 1, 50)).toBeCloseTo(1, 12);
    expect(lrAt(c, 1, 525)).toBeCloseTo(0.55, 12);
    expect(lrAt(c, 1, 1000)).toBeCloseTo(0.1, 12);
  });
});

describe('the loop applies the schedule', () => {
  it('passes lrAt(schedule, lr, step) to every optimizer step and evaluates at 10 evenly spaced steps', async () => {
    const ds = loadDataset(await tinyDataset(), 'tiny');
    const point = makePoint({ steps: 200, lr: 3e-3 });
    let fake: FakeTrainer | undefined;
    const r = await trainPoint(point, { runsDir: ds.dir + '/../runs-sched', dataset: ds, createTrainer: async (c) => (fake = new FakeTrainer(c)) });
    expect(r.status).toBe('done');
    expect(fake!.lrs).toHaveLength(200);
    fake!.lrs.forEach((lr, step) => expect(lr).toBe(lrAt(point.schedule, 3e-3, step)));
    // warm-up 10 steps (5% of 200), drops at steps 160 and 180
    expect(fake!.lrs[0]).toBeCloseTo(3e-4, 15);
    expect(fake!.lrs[159]).toBe(3e-3);
    expect(fake!.lrs[160]).toBeCloseTo(0.316 * 3e-3, 15);
    expect(fake!.lrs[180]).toBeCloseTo(3e-4, 15);
    expect(r.rows.map((x) => x.step)).toEqual([20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(evalSteps(7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(evalSteps(1234).at(-1)).toBe(1234);
  });
});
