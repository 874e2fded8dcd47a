// `scaling fit --plan PLAN.json results.csv --col id=… --col loss=…`: a W&B-style export whose run names carry the plan's ids is
// joined to the grid points, so shape, M, D and budget come from the plan exactly; losses from a known law give back its exponent.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLaws } from '../src/laws/load.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan } from '../src/plan/grid.ts';
import { allPoints, writePlan } from '../src/schema/plan.ts';
import { computeFlops } from '../src/flops/flops.ts';
import { loadObservations } from '../src/fit/input/load.ts';
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../src/fit/fit.ts';
import { chinchillaLoss, chinchillaOptimum } from '../src/fit/synthetic.ts';
import { matchPointId } from '../src/fit/input/plan-join.ts';
import { runCli } from './helpers/cli.ts';

const { laws, path } = loadLaws();

// A law in M (C = M·D) whose optimum is the paper's Eq. 4, M_opt = 0.1715·C^0.5243: α = 0.3, β = α·a/(1 − a), B from G = 0.1715.
const a = 0.5243, alpha = 0.3, beta = (alpha * a) / (1 - a), A = 400;
const law = { E: 1.8, A, alpha, beta, B: (alpha * A) / (beta * Math.pow(0.1715, alpha + beta)) };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'scaling-join-'));
  const plan = makePlan([1e18, 1e19, 1e20], laws, path, { ...DEFAULT_PLAN_OPTIONS, points: 9 });
  const planPath = join(dir, 'plan.json');
  writePlan(planPath, plan);
  const points = allPoints(plan);
  // W&B "export CSV": Name, State, Runtime, eval/loss, _step; names carry the id inside a longer name; one crashed run, one run of
  // another project, the rows shuffled.
  const rows = points.map((p, i) => [`isoflop/${p.id}`, i === 4 ? 'crashed' : 'finished', String(3600 + i), i === 4 ? '' : chinchillaLoss(law, p.M, p.tokens).toPrecision(10), String(p.steps)]);
  rows.push(['debug-run-7', 'finished', '12', '2.9', '100']);
  rows.reverse();
  const csv = ['Name,State,Runtime,eval/loss,_step', ...rows.map((r) => r.join(','))].join('\n') + '\n';
  const results = join(dir, 'wandb_export.csv');
  writeFileSync(results, csv);
  return { dir, plan, planPath, points, results };
}

describe('fit --plan: results joined to grid points by id', () => {
  const s = setup();

  it('every joined run has exactly its plan point\'s shape scale, tokens, budget, compute, LR and batch', () => {
    const loaded = loadObservations([s.results], { plan: s.planPath, columns: ['id=Name', 'loss=eval/loss'] });
    expect(loaded.format).toBe('plan');
    expect(loaded.observations).toHaveLength(s.points.length - 1);
    for (const o of loaded.observations) {
      const p = s.points.find((q) => q.id === o.runId)!;
      expect([o.scale, o.tokens, o.budget, o.lr, o.batchTokens]).toEqual([p.M, p.tokens, p.budget, p.lr, p.batchTokens]);
      expect(o.compute).toBe(computeFlops(p.shape, p.tokens, 'M'));
      expect(o.loss).toBeCloseTo(chinchillaLoss(law, p.M, p.tokens), 8);
    }
    expect(loaded.warnings.join('\n')).toMatch(/1 row\(s\) name no grid point of the plan, left out: debug-run-7/);
    expect(loaded.warnings.join('\n')).toMatch(/1 run\(s\) have no loss yet, excluded: C1.00e18-i04/);
    expect(loaded.excluded.running).toEqual([s.points[4].id]);
  });

  it("the fit recovers the law's exponent a = 0.5243 and its optima (noise-free, one family's real shapes)", () => {
    const loaded = loadObservations([s.results], { plan: s.planPath, columns: ['id=Name', 'loss=eval/loss'] });
    const fit = fitObservations(loaded.observations, { ...DEFAULT_FIT_OPTIONS, dataset: 'join', name: 'join', representation: 'M', lossUnits: 'nats/token', bootstrap: 0, approach3: false, predict: [] });
    expect(Math.abs(fit.laws.scale!.exponent - a)).toBeLessThan(0.005); // measured 0.5245
    for (const opt of fit.details!.optima) {
      const want = chinchillaOptimum(law, opt.budget).M;
      expect(opt.bracketed).toBe(true);
      expect(Math.abs(Math.log(opt.scaleOpt / want))).toBeLessThan(Math.log(1.25));
    }
  });

  it('ids match only at word boundaries; several ids in one name are ambiguous', () => {
    const ids = new Set(['C1.00e17-i03-L6-d224', 'C1.00e17-i04-L6-d2240']);
    const sorted = [...ids].sort((x, y) => y.length - x.length);
    expect(matchPointId('C1.00e17-i03-L6-d224', ids, sorted).id).toBe('C1.00e17-i03-L6-d224');
    expect(matchPointId('proj/C1.00e17-i03-L6-d224-seed0', ids, sorted).id).toBe('C1.00e17-i03-L6-d224');
    expect(matchPointId('C1.00e17-i03-L6-d2245', ids, sorted).id).toBeUndefined();
    expect(matchPointId('C1.00e17-i03-L6-d224+C1.00e17-i04-L6-d2240', ids, sorted).candidates).toHaveLength(2);
  });

  it('bad input: one line naming the flag or file:line:column', () => {
    const load = (files: string[], cols: string[], extra: object = {}) => () => loadObservations(files, { plan: s.planPath, columns: cols, ...extra });
    expect(load([s.results], ['loss=eval/loss'])).toThrow(/--col: --plan needs --col id=COLUMN/);
    expect(load([s.results], ['id=Name', 'loss=eval/loss', 'N=params'])).toThrow(/--col: with --plan only id, loss, dataset/);
    expect(load([s.results], ['id=Name', 'loss=eval/loss'], { snap: 0.1 })).toThrow(/--snap: does not apply with --plan/);
    expect(load([s.results], ['id=Runtime', 'loss=eval/loss'])).toThrow(/no row names a grid point/);
    const dup = join(s.dir, 'dup.csv');
    writeFileSync(dup, `Name,eval/loss\n${s.points[0].id},3.1\nrerun/${s.points[0].id},3.0\n`);
    expect(load([dup], ['id=Name', 'loss=eval/loss'])).toThrow(/dup\.csv:3.*Name.*already joined from dup\.csv line 2/);
  });

  it('CLI end to end (scaling fit --plan … --col id=… --col loss=…); a bad flag is one line, exit 2', () => {
    const ok = runCli(['fit', '--plan', s.planPath, s.results, '--col', 'id=Name', '--col', 'loss=eval/loss', '--filter', 'State=finished', '--bootstrap', '0', '--no-approach3']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/joined to grid points by 'Name'/);
    expect(ok.stdout).toMatch(/M_opt \(a\)\s+0\.52/);
    const bad = runCli(['fit', '--plan', s.planPath, s.results, '--col', 'loss=eval/loss']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--col/);
  });
});
