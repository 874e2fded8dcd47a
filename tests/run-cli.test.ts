// `scaling run` front door: the paper's experiment plans and validates here (--plan-only); bad experiment files and a vocab the
// bundled data cannot train are refused with one line naming the file and field, exit 2, before any work starts.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { readPlan, allPoints } from '../src/schema/plan.ts';

describe('scaling run', () => {
  it('plans experiments/paper.json (8 budgets 1e17–3e20, 10 points, l_seq 4096) with --plan-only', () => {
    const out = mkdtempSync(join(tmpdir(), 'paper-'));
    const r = runCli(['run', 'experiments/paper.json', '--plan-only', '--out', out]);
    expect(r.code).toBe(0);
    const plan = readPlan(join(out, 'plans', 'curated.json'));
    // 8 log-spaced budgets from 1e17 to 3e20: 1e17·3000^(i/7), printed to 3 significant digits.
    expect(plan.budgets.map((b) => b.budget)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => Number((1e17 * 3000 ** (i / 7)).toPrecision(3))));
    expect(allPoints(plan)).toHaveLength(80);
    for (const p of allPoints(plan)) {
      expect(p.shape.seqLen).toBe(4096);
      expect(Math.abs(p.flops / p.budget - 1)).toBeLessThan(0.01);
    }
  });

  it('refuses to train a vocab-102400 experiment on the byte-level data, before preparing anything', () => {
    const out = mkdtempSync(join(tmpdir(), 'paper-'));
    const r = runCli(['run', 'experiments/paper.json', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('experiments/paper.json: vocab:');
    expect(readdirSync(out)).toEqual([]);
  });

  it.each([
    [{ schema: 'scaling.experiment', version: 1, datasets: ['web'] }, 'datasets[0]'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: { from: 1e12, to: 1e11, count: 3 } }, 'budgets.to'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], points: 2 }, 'points'],
    [{ schema: 'scaling.plan', version: 1 }, 'schema'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], warmup: 'ten' }, 'warmup'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], warmup: '150%' }, 'warmup'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], schedule: 'linear' }, 'schedule'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], train: { backend: 'gpu' } }, 'train.backend'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated', 'curated'], budgets: [1e11] }, 'datasets'],
    [{ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], fit: { predict: ['13b'] } }, 'fit.predict[0]'],
  ])('bad experiment %j → exit 2 naming %s', (exp, field) => {
    const dir = mkdtempSync(join(tmpdir(), 'exp-'));
    const file = join(dir, 'x.json');
    writeFileSync(file, JSON.stringify(exp));
    const r = runCli(['run', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`x.json: ${field}:`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses a bad experiment with --plan-only too (validation is in the schema, not the CLI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exp-'));
    const file = join(dir, 'x.json');
    writeFileSync(file, JSON.stringify({ schema: 'scaling.experiment', version: 1, datasets: ['curated'], budgets: [1e11], warmup: 'ten' }));
    const r = runCli(['run', file, '--plan-only', '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x\.json: warmup: expected 'auto'/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
