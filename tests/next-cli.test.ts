// `scaling next` end to end on the committed micro study (fits/micro-curated.json, its runs read back from provenance.inputs):
// a plan file `scaling train` reads, new ids, the spend respected; bad flags and files are one line naming them, exit 2.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { readPlan, allPoints } from '../src/schema/plan.ts';
import { readLaws } from '../src/schema/laws.ts';

const fast = ['--simulations', '2', '--shortlist', '2', '--bootstrap', '30', '--max-runs', '2', '--quiet'];

describe('scaling next (CLI)', () => {
  it('proposes runs for the micro study and writes a plan scaling train reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'next-cli-'));
    const out = join(dir, 'next-plan.json');
    const r = runCli(['next', 'fits/micro-curated.json', '--spend', '3e11', '--out', out, ...fast], { timeoutMs: 180_000 });
    expect(r.stderr).not.toMatch(/Error|at .*\.ts:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/target a, spend 3\.00e11 FLOPs/);
    // The committed fit's own a and interval, as the fit prints them.
    const committed = readLaws('fits/micro-curated.json').laws.scale!;
    const f3 = (x: number) => x.toFixed(3);
    expect(r.stdout).toContain(`now (fits file, its own bootstrap): a = ${f3(committed.exponent)} [${f3(committed.ci!.exponent[0])}, ${f3(committed.ci!.exponent[1])}]`);
    expect(r.stdout).toMatch(/expected half-width of a: ±\d\.\d{3} → ±\d\.\d{3}/);
    const plan = readPlan(out);
    const pts = allPoints(plan);
    expect(pts.length).toBeGreaterThan(0);
    expect(pts.length).toBeLessThanOrEqual(2);
    expect(pts.reduce((s, p) => s + p.flops, 0)).toBeLessThanOrEqual(3e11);
    const fitted = new Set(readLaws('fits/micro-curated.json').details!.points.map((p) => p.runId));
    for (const p of pts) {
      expect(fitted.has(p.id)).toBe(false);
      expect(p.id).toMatch(/^curated-C/);
      expect(p.shape.seqLen).toBe(128); // continued from the runs' own rows
      expect(p.shape.vocab).toBe(256);
      const budgets = readLaws('fits/micro-curated.json').details!.optima.map((o) => o.budget);
      expect(budgets.some((b) => Math.abs(p.budget - b) < 1) || p.budget > Math.max(...budgets)).toBe(true);
    }
    expect(plan.laws.path).toBe('fits/micro-curated.json');
  }, 200_000);

  it.each([
    [['next', 'fits/micro-curated.json', '--spend', '0'], /^scaling: --spend: must be a finite number > 0/],
    [['next', 'fits/micro-curated.json', '--spend', '1e12', '--target', 'loss@9b'], /^scaling: --target: "loss@9b": cannot read '9b'/],
    [['next', 'fits/deepseek-llm.json', '--spend', '1e12'], /^scaling: fits\/deepseek-llm\.json: provenance\.inputs: the fit records no input files/],
  ])('%j → one line, exit 2', (args, message) => {
    const r = runCli(args as string[], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  }, 70_000);

  it('writes nothing when the output path is refused before any simulation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'next-cli-'));
    const r = runCli(['next', 'fits/micro-curated.json', '--spend', '1e12', '--out', dir, ...fast], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a directory/);
    expect(existsSync(join(dir, 'next-plan.json'))).toBe(false);
  }, 70_000);
});
