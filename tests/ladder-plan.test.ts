// Ladder plans: the compute a 5-budget ladder spends against training every budget from scratch (by hand), the fixed-step warm-up
// rule and why a per-run share breaks branching, stage ratios (drop points) with the paper's default unchanged, and plan validation.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPlan } from '../src/export/export.ts';
import { loadLaws } from '../src/laws/load.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { findLadders, formatPlanCompute, makeLadderPlan, planCompute, trunkPoint } from '../src/plan/ladder.ts';
import { lrAt, makeSchedule, stageDrops } from '../src/plan/schedule.ts';
import { allPoints, validatePlan } from '../src/schema/plan.ts';
import { parseStages } from '../src/schema/settings.ts';
import { InputError } from '../src/util/errors.ts';
import type { ModelShape } from '../src/flops/shape.ts';
import { validateExperiment } from '../src/schema/experiment.ts';
import { runCli } from './helpers/cli.ts';
import { gridStages, ladderShape } from '../src/cli/plan-ladder.ts';

const { laws, path } = loadLaws();
const shape: ModelShape = { nLayer: 2, dModel: 32, nHeads: 4, nKvHeads: 4, dFf: 88, seqLen: 128, vocab: 256 };
const B = 8 * 128; // 8 sequences of 128 tokens
const five = () => makeLadderPlan(laws, path, { shape, tokens: [100, 200, 300, 400, 500].map((s) => s * B), batchTokens: B, lr: 0.01, seeds: [0], schedules: ['multistep'], stages: ['80/10/10'], warmup: 'auto' });

describe('a 5-budget ladder (80/10/10)', () => {
  it('trains the trunk to 0.8·D_5 and each branch only its last 20%: 700 of the 1500 steps from scratch, saving 8/15', () => {
    const plan = five();
    expect(plan.ladders).toHaveLength(1);
    const l = plan.ladders![0];
    expect(l.branches.map((b) => b.at)).toEqual([80, 160, 240, 320, 400]);
    expect(l.steps).toBe(400);
    const M = scaleCounts(shape).M;
    const c = planCompute(plan);
    // By hand: trunk 400 steps; branches 20 + 40 + 60 + 80 + 100 = 300 steps; from scratch 100 + 200 + 300 + 400 + 500 = 1500.
    expect(c.ladders[0].trunkFlops).toBe(400 * B * M);
    expect(c.ladders[0].branches.map((b) => b.ownTokens / B)).toEqual([20, 40, 60, 80, 100]);
    expect(c.spentFlops).toBe(700 * B * M);
    expect(c.scratchFlops).toBe(1500 * B * M);
    expect(c.saving).toBeCloseTo(8 / 15, 15);
    const text = formatPlanCompute(c);
    const e3 = (x: number) => x.toExponential(3).replace('e+', 'e');
    expect(text).toContain(`trunk 400 steps (${e3(400 * B)} tokens, ${e3(400 * B * M)} FLOPs) + 5 branches' stages 2–3 (${e3(300 * B)} tokens) = ${e3(700 * B * M)} FLOPs; from scratch ${e3(1500 * B * M)} FLOPs (46.7% of it)`);
    expect(text).toContain(`compute: ${e3(700 * B * M)} FLOPs with ladders vs ${e3(1500 * B * M)} FLOPs training every budget from scratch — saves 53.3%`);
  });

  it('gives every branch the trunk\'s LR at every step before its branch point (the trunk is a constant-LR run with the same warm-up)', () => {
    const plan = five();
    const l = plan.ladders![0];
    const t = trunkPoint(l, plan.representation);
    expect(t.steps).toBe(400);
    for (const b of l.branches) {
      const p = allPoints(plan).find((x) => x.id === b.id)!;
      for (let s = 0; s < b.at; s++) expect(lrAt(p.schedule, p.lr, s)).toBe(lrAt(t.schedule, t.lr, s));
      expect(lrAt(p.schedule, p.lr, b.at)).toBe(0.316 * 0.01); // and drops right after it
    }
  });
});

describe('warm-up in a ladder', () => {
  it('is one step count for every rung: a share is taken of the shortest rung, since a share of each run would give each its own stage 1', () => {
    const plan = makeLadderPlan(laws, path, { shape, tokens: [100, 200, 300].map((s) => s * B), batchTokens: B, lr: 0.01, seeds: [0], schedules: ['multistep'], stages: ['80/10/10'], warmup: '10%' });
    expect(allPoints(plan).map((p) => p.schedule.warmupSteps)).toEqual([10, 10, 10]);
    expect(plan.ladders![0].warmupSteps).toBe(10);
    // The same points with 10% of each run (the rule for independent runs): warm-ups 10, 20, 30 → the LRs differ from step 10 on,
    // so no two of them share a stage 1 and no ladder exists.
    const perRun = allPoints(plan).map((p) => ({ ...p, schedule: makeSchedule('multistep', p.steps, '10%') }));
    expect(perRun.map((p) => p.schedule.warmupSteps)).toEqual([10, 20, 30]);
    expect(findLadders(perRun)).toEqual([]);
  });
});

describe('stage ratios', () => {
  it('drop the LR at round(A%·steps) and round((A+B)%·steps); 80/10/10 stays the paper\'s schedule exactly', () => {
    expect(stageDrops('70/15/15')).toEqual([0.7, 0.85]);
    expect(makeSchedule('multistep', 1000, 'auto', '70/15/15')).toMatchObject({ breakpoints: [700, 850], factors: [0.316, 0.1], stages: '70/15/15' });
    expect(makeSchedule('multistep', 1000, 'auto', '90/5/5').breakpoints).toEqual([900, 950]);
    // docs/train.md's example: 883 steps warm up for 44 and drop at 706 and 795 — with no new field, so plans and run keys are unchanged
    expect(makeSchedule('multistep', 883)).toEqual({ name: 'multistep', warmupSteps: 44, totalSteps: 883, breakpoints: [706, 795], factors: [0.316, 0.1] });
    expect(makeSchedule('multistep', 883, 'auto', '80/10/10')).toEqual(makeSchedule('multistep', 883));
  });
  it('are validated: three positive shares summing to 100', () => {
    expect(parseStages('70/15/15', {})).toBe('70/15/15');
    expect(() => parseStages('80/10', { field: '--stages' })).toThrow(/three positive percentages/);
    expect(() => parseStages('80/15/10', { field: '--stages' })).toThrow(/sum to 100%/);
  });
  it('of one seed share one trunk (stage 1 is all peak LR): it runs to the latest first drop, 0.9·D_k for 90/5/5', () => {
    const plan = makeLadderPlan(laws, path, { shape, tokens: [100, 200].map((s) => s * B), batchTokens: B, lr: 0.01, seeds: [0, 1], schedules: ['multistep', 'cosine'], stages: ['80/10/10', '70/15/15', '90/5/5'], warmup: 'auto' });
    expect(plan.ladders!.map((l) => [l.seed, l.steps, l.branches.length])).toEqual([[0, 180, 6], [1, 180, 6]]);
    expect(plan.ladders![0].branches.map((b) => b.at)).toEqual([70, 80, 90, 140, 160, 180]);
    // cosine rungs are planned from scratch beside them
    const c = planCompute(plan);
    expect(c.otherRuns).toBe(4);
    const M = scaleCounts(shape).M;
    // per seed: trunk 180 + branches (30+20+10)+(60+40+20) = 180 → 360; cosine 300; from scratch 3·300 + 300 = 1200
    expect(c.spentFlops).toBe(2 * (360 + 300) * B * M);
    expect(c.scratchFlops).toBe(2 * 1200 * B * M);
  });
});

describe('plan validation of ladders', () => {
  it('rejects a branch that would not equal its scratch run, naming the field', () => {
    const plan = five();
    const bad = JSON.parse(JSON.stringify(plan));
    bad.budgets[2].points[0].schedule.warmupSteps = 7;
    expect(() => validatePlan(bad, 'p.json')).toThrow(InputError);
    expect(() => validatePlan(bad, 'p.json')).toThrow(/ladders\[0\]\.branches\[2\]\.id: point '.*' cannot branch from trunk .*warm-up \(7 steps\) differs from the trunk's \(5\)/);
    const late = JSON.parse(JSON.stringify(plan));
    late.ladders[0].branches[0].at = 81;
    expect(() => validatePlan(late, 'p.json')).toThrow(/'at' must be its first breakpoint \(80\)/);
    const short = JSON.parse(JSON.stringify(plan));
    short.ladders[0].steps = 300;
    expect(() => validatePlan(short, 'p.json')).toThrow(/ladders\[0\]\.steps: the trunk must run to its last branch point \(400\)/);
  });
  it('keeps plans without ladders valid, and refuses rungs that round to the same steps or are too short', () => {
    const plan = five();
    const { ladders: _l, ...old } = plan;
    expect(validatePlan(old).ladders).toBeUndefined();
    expect(() => makeLadderPlan(laws, path, { shape, tokens: [100 * B, 100.2 * B], batchTokens: B, lr: 0.01, seeds: [0], schedules: ['multistep'], stages: ['80/10/10'], warmup: 'auto' })).toThrow(/same 100 steps/);
    expect(() => makeLadderPlan(laws, path, { shape, tokens: [3 * B, 100 * B], batchTokens: B, lr: 0.01, seeds: [0], schedules: ['multistep'], stages: ['80/10/10'], warmup: 'auto' })).toThrow(/too short/);
  });
});

describe('scaling plan --ladder and the ladder study', () => {
  it('prints the plan and the compute saving, and names the flag of bad input (exit 2)', () => {
    const ok = runCli(['plan', '--ladder', '1e5:5e5:5', '--model', 'n_layer=2,d_model=24,n_heads=3,d_ff=64', '--seq', '128', '--vocab', '256', '--batch-tokens', '1024']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ladder L2-d24-s0-trunk: trunk 390 steps .* 5 branches' stages 2–3/);
    expect(ok.stdout).toMatch(/FLOPs training every budget from scratch — saves 49\.4%/);
    // bad input: one line naming the flag (the CLI prints it and exits 2, as for every InputError)
    expect(() => ladderShape(undefined, 128, 256)).toThrow(/^--model: a ladder trains one shape/);
    expect(() => ladderShape('n_layer=2,d_model=25', 128, 256)).toThrow(/^--model: nHeads: head size 25 must be even for RoPE$/);
    expect(() => gridStages({ stages: '80/15/10' })).toThrow(/^--stages: the stages must sum to 100%/);
    expect(() => gridStages({ stages: '80/10/10,90/5/5' })).toThrow(/^--stages: a grid takes one stage ratio/);
  });
  it('validates a ladder experiment field by field before any work', () => {
    const base = { schema: 'scaling.experiment', version: 1, name: 'l', study: 'ladder', datasets: ['curated'], budgets: [1e10, 2e10] };
    const exp = validateExperiment({ ...base, seeds: 2, ladder: { model: 'n_layer=2,d_model=24', schedules: ['multistep', 'cosine'], stages: ['80/10/10', '90/5/5'] } }, 'e.json');
    expect(exp.ladder).toEqual({ model: 'n_layer=2,d_model=24', schedules: ['multistep', 'cosine'], stages: ['80/10/10', '90/5/5'] });
    expect(() => validateExperiment({ ...base, ladder: { model: 'n_layer=2,d_model=25' } }, 'e.json')).toThrow(/^e\.json: ladder\.model: nHeads/);
    expect(() => validateExperiment({ ...base, ladder: { stages: ['70/20/20'] } }, 'e.json')).toThrow(/^e\.json: ladder\.stages\[0\]: the stages must sum to 100%/);
    expect(() => validateExperiment({ ...base, study: 'isoflop', ladder: {} }, 'e.json')).toThrow(/^e\.json: ladder: only a study "ladder"/);
  });
});

describe('exports of a ladder plan', () => {
  it('carry the trunk and its branch points in export.json', async () => {
    const plan = five();
    const out = join(mkdtempSync(join(tmpdir(), 'scaling-ladder-export-')), 'hf');
    await exportPlan(plan, 'hf', out);
    const manifest = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8'));
    expect(manifest.points).toHaveLength(5);
    expect(manifest.ladders).toHaveLength(1);
    const l = manifest.ladders[0];
    expect(l).toMatchObject({ trunk: plan.ladders![0].id, steps: 400, warmupSteps: 5, lr: 0.01, batchTokens: B });
    expect(l.checkpoints.map((c: { step: number }) => c.step)).toEqual([80, 160, 240, 320, 400]);
    expect(l.checkpoints.flatMap((c: { branches: string[] }) => c.branches)).toEqual(plan.ladders![0].branches.map((b) => b.id));
  });
});
