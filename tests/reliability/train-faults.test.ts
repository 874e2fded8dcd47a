// Guarantees of `scaling train` under faults: a full disk stops training with one line naming the file (also from worker
// processes) and loses no row — the run resumes elsewhere to the same result; a diverged run is marked, left out of fits by
// name, and retrained once its LR is fixed; an edited point is never reported as done with its old result; a model the machine
// cannot hold is refused before it is built, in well under a second, with the estimate and the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { canMount, mountTmpfs, sandbox, tally } from './helpers.ts';
import { makePlan, makePoint, tinyDataset, tinyShape } from '../train-loop-fixtures.ts';
import { trainPlan } from '../../src/train/workers.ts';
import { readRunCsv } from '../../src/schema/runs.ts';
import { runFiles } from '../../src/train/loop.ts';
import { loadObservations } from '../../src/fit/input/load.ts';
import { InputError } from '../../src/util/errors.ts';
import { makeSchedule } from '../../src/plan/schedule.ts';

const counts = { crashes: 0, rejected: 0, rowsLost: 0, skipped: [] as string[] };
afterAll(() => tally(counts));

let dataDir = '';
beforeAll(async () => {
  dataDir = await tinyDataset();
}, 120_000);
const base = (runsDir: string) => ({ runsDir, dataDir, dataset: 'tiny', backend: 'wasm' as const, handleSignals: false });

describe('a full disk', () => {
  it('stops with one line naming the file (in-process and on workers), keeps every written row, and the run resumes to the same result', async () => {
    const point = makePoint({ id: 'full', steps: 40 });
    const plan = makePlan([point]);
    const ref = sandbox('full-ref');
    await trainPlan(plan, { ...base(ref), jobs: 1 });
    const refRows = readRunCsv(runFiles(ref, point.id).csv);
    if (!canMount()) {
      counts.skipped.push('disk full during training (needs root to mount a small tmpfs)');
      console.warn('reliability: SKIPPED disk-full training check: cannot mount a size-limited tmpfs here (not root)');
      return;
    }
    // The checkpoint of this model is ~60 KB: a 120 KB file system fills up after the first evaluations.
    for (const jobs of [1, 2]) {
      const m = mountTmpfs('120k');
      try {
        const err = await trainPlan(plan, { ...base(m.dir), jobs, checkpointEvery: 0 }).then(() => undefined, (e: unknown) => e);
        expect(err, `jobs ${jobs}`).toBeInstanceOf(InputError);
        const msg = (err as Error).message;
        expect(msg.split('\n')).toHaveLength(1);
        expect(msg).toMatch(new RegExp(`^${m.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\.)?full\\.(csv|ckpt|lock)[^:]*: cannot (write|create): no space left on the device \\(ENOSPC\\)`));
        // Every row written before the disk filled up is whole and is a row of the uninterrupted run.
        const csv = runFiles(m.dir, point.id).csv;
        const kept = existsSync(csv) ? readRunCsv(csv) : [];
        for (const r of kept) expect(r.val_loss).toBe(refRows.find((x) => x.step === r.step)!.val_loss);
        // Moved to a disk with room, the same command resumes and finishes identically.
        const roomy = sandbox('full-roomy');
        cpSync(m.dir, roomy, { recursive: true });
        await trainPlan(plan, { ...base(roomy), jobs: 1 });
        const done = readRunCsv(runFiles(roomy, point.id).csv);
        const lost = refRows.filter((r) => !done.some((d) => d.step === r.step)).length;
        counts.rowsLost += lost;
        expect(lost).toBe(0);
        expect(done.map((r) => r.val_loss)).toEqual(refRows.map((r) => r.val_loss));
        expect(readdirSync(roomy).filter((f) => f.endsWith('.tmp'))).toEqual([]);
        counts.crashes++;
      } finally {
        m.unmount();
      }
    }
  }, 240_000);
});

describe('divergence and edited points', () => {
  it('a diverged run is marked and left out of fits by name; with its LR fixed it retrains (the old files kept as *.prev)', async () => {
    const runs = sandbox('diverge');
    const bad = makePoint({ id: 'div', steps: 30, lr: 1e6, schedule: 'constant' });
    const r1 = await trainPlan(makePlan([bad]), { ...base(runs), jobs: 1 });
    expect(r1.points[0].status).toBe('diverged');
    const loaded = (() => {
      try {
        return loadObservations([runFiles(runs, bad.id).csv], {});
      } catch (e) {
        return e as Error;
      }
    })();
    // The only run diverged: the fitter has nothing to fit, and says which run it left out.
    expect(loaded instanceof Error ? loaded.message : loaded.warnings.join(' ')).toMatch(/div|diverged/);
    // Rerunning the same plan skips it (diverged is final for the same settings)…
    const r2 = await trainPlan(makePlan([bad]), { ...base(runs), jobs: 1 });
    expect([r2.points[0].status, r2.points[0].skipped]).toEqual(['diverged', true]);
    // …but the plan with the LR fixed retrains it.
    const fixed = { ...bad, lr: 1e-2 };
    const r3 = await trainPlan(makePlan([fixed]), { ...base(runs), jobs: 1 });
    expect([r3.points[0].status, r3.points[0].skipped]).toEqual(['done', false]);
    expect(readRunCsv(runFiles(runs, bad.id).csv).at(-1)!.lr_max).toBe(1e-2);
    expect(readdirSync(runs).some((f) => /^div\.csv\..*\.prev$/.test(f))).toBe(true);
    counts.crashes++;
  }, 120_000);

  it('a finished point edited afterwards (LR × 4, or its warm-up) is refused naming the run file, line and field — never "done (skipped)"', async () => {
    const runs = sandbox('edited');
    const p = makePoint({ id: 'edit', steps: 20 });
    await trainPlan(makePlan([p]), { ...base(runs), jobs: 1 });
    const csv = runFiles(runs, p.id).csv;
    const lines = readRunCsv(csv).length + 1;
    for (const [edited, field] of [[{ ...p, lr: p.lr * 4 }, 'lr_max'], [{ ...p, schedule: { ...makeSchedule('multistep', p.steps, '3') } }, 'point_key']] as const) {
      const err = await trainPlan(makePlan([edited]), { ...base(runs), jobs: 1, planFile: 'plan.json' }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(new RegExp(`^${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lines}: ${field}: the plan's point edit changed since this run finished`));
      counts.rejected++;
    }
    expect(readRunCsv(csv).at(-1)!.status).toBe('done'); // the old result is kept, untouched
  }, 120_000);
});

describe('refusing what cannot run', () => {
  it('refuses an oversize point in well under a second with the estimate and the limit, before building anything', async () => {
    const huge = makePoint({ id: 'huge', steps: 1, shape: tinyShape({ nLayer: 80, dModel: 8192, nHeads: 64, nKvHeads: 64, dFf: 22016, seqLen: 32 }), batchSeqs: 64 });
    const runs = sandbox('huge');
    const t0 = performance.now();
    const err = await trainPlan(makePlan([huge]), { ...base(runs), jobs: 1, planFile: 'big-plan.json' }).then(() => undefined, (e: unknown) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^big-plan\.json: huge: needs an estimated [\d.]+ TiB \(6[\d.]+B parameters: weights .* \+ AdamW .* \+ gradients .* \+ activations .*\), more than the limit [\d.]+ GiB/);
    expect(ms).toBeLessThan(1000);
    expect(readdirSync(runs)).toEqual([]);
    // --max-memory below a tiny model's need refuses it too (the limit is the user's, not only the machine's).
    const tiny = makePoint({ id: 'tiny', steps: 5 });
    await expect(trainPlan(makePlan([tiny]), { ...base(runs), jobs: 1, maxMemory: 1e5 })).rejects.toThrow(/tiny: needs an estimated .* more than the limit --max-memory 97.7 KiB/);
    counts.rejected += 2;
    rmSync(runs, { recursive: true, force: true });
  });

  it('refuses a plan whose warm-up is longer than its run, naming the plan file and the point', async () => {
    const p = makePoint({ id: 'warm', steps: 10 });
    const bad = { ...p, schedule: { ...p.schedule, warmupSteps: 50 } };
    await expect(trainPlan(makePlan([bad]), { ...base(sandbox('warm')), jobs: 1, planFile: 'w.json' })).rejects.toThrow(/^w\.json: warm\.schedule\.warmupSteps: warm-up of 50 steps exceeds the run's 10 steps/);
    counts.rejected++;
  });
});
