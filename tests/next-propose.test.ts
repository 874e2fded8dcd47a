// `scaling next` on a synthetic grid from a known law (a = 0.5) whose smallest budget misses its optimum (every model too large):
// the proposal goes to that budget's open side, stays within the spend, narrows the interval in simulation, is deterministic, and
// its plan file is one `scaling train` accepts (schema, unique new ids, C = M·D within 1%, steps × batch = tokens).
import { describe, expect, it } from 'vitest';
import { loadLaws } from '../src/laws/load.ts';
import { makePlan, DEFAULT_PLAN_OPTIONS } from '../src/plan/grid.ts';
import { validatePlan, allPoints } from '../src/schema/plan.ts';
import { lawWithExponent, chinchillaOptimum } from '../src/fit/synthetic.ts';
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../src/fit/fit.ts';
import { simulateTraining } from '../src/next/synthetic.ts';
import { gridContext } from '../src/next/context.ts';
import { proposeNext, DEFAULT_NEXT_OPTIONS, type NextOptions } from '../src/next/propose.ts';
import { parseNextTarget } from '../src/next/target.ts';
import { InputError } from '../src/util/errors.ts';
import { mergePlans } from '../src/next/next.ts';

const law = lawWithExponent(0.5);
const prior = loadLaws().laws;
const o = { ...DEFAULT_PLAN_OPTIONS, points: 5, span: 3 };
// Budgets 3.16e18 and 1e19 planned with the paper's Eq. 4; 1e18 planned 10× too large (its whole grid above the true M_opt).
const shifted = { ...prior, laws: { ...prior.laws, scale: { ...prior.laws.scale!, coefficient: prior.laws.scale!.coefficient * 10 } } };
const points = [...allPoints(makePlan([1e18], shifted, 'shifted', { ...o, dataset: 'lo' })), ...allPoints(makePlan([3.16e18, 1e19], prior, 'prior', o))];
const obs = simulateTraining(points, law, 0.004, 3);
const laws = fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset: 'synthetic', name: 'synthetic', bootstrap: 400, approach3: false });
const settings: NextOptions = { ...DEFAULT_NEXT_OPTIONS, spend: 5e18, target: parseNextTarget('a', {}), simulations: 4, finalSimulations: 4, shortlist: 3, bootstrap: 100, maxRuns: 4 };
const input = { laws, lawsPath: 'synthetic.json', observations: obs, rows: new Map(), grid: gridContext(obs, new Map(), { like: makePlan([1e19], prior, 'p', o) }) };

describe('scaling next on a synthetic grid', () => {
  const p = proposeNext(input, settings);

  it('adds models below the unbracketed budget, within the spend, and expects a narrower interval', () => {
    const lo = obs.filter((x) => x.budget === 1e18);
    const smallest = Math.min(...lo.map((x) => x.scale));
    expect(smallest).toBeGreaterThan(chinchillaOptimum(law, 1e18).M); // the premise: the optimum lies below the grid
    expect(p.runs.length).toBeGreaterThan(0);
    expect(p.runs.some((r) => r.budget === 1e18 && r.kind === 'point' && r.scale < smallest)).toBe(true);
    expect(p.spent).toBeLessThanOrEqual(settings.spend);
    expect(p.spent).toBeCloseTo(p.runs.reduce((s, r) => s + r.flops, 0), 0);
    expect(p.after.halfWidth).toBeLessThan(p.before.halfWidth);
    expect(p.narrowing).toBeGreaterThan(0);
  });

  it('writes a plan scaling train accepts as is', () => {
    const plan = validatePlan(JSON.parse(JSON.stringify(p.plan)), 'next-plan.json');
    const pts = allPoints(plan);
    expect(pts.map((q) => q.id)).toEqual(p.runs.map((r) => r.id));
    const existing = new Set(obs.map((x) => x.runId));
    expect(pts.every((q) => !existing.has(q.id))).toBe(true);
    expect(new Set(pts.map((q) => q.id)).size).toBe(pts.length);
    for (const q of pts) {
      expect(Math.abs(q.flops - q.budget) / q.budget).toBeLessThanOrEqual(0.01);
      expect(q.steps * q.batchTokens).toBe(q.tokens);
      expect(q.schedule.totalSteps).toBe(q.steps);
      expect(q.M * q.tokens).toBeCloseTo(q.flops, -6);
    }
    expect(plan.laws.path).toBe('synthetic.json');
  });

  it('merges into the runs\' own plan with unique ids and indices', () => {
    const base = makePlan([3.16e18, 1e19], prior, 'prior', o);
    const q = proposeNext({ ...input, basePlan: base }, settings);
    const merged = mergePlans(base, q.plan!);
    expect(allPoints(merged)).toHaveLength(allPoints(base).length + q.runs.length);
    for (const b of merged.budgets) expect(new Set(b.points.map((x) => x.index)).size).toBe(b.points.length);
  });

  it('is deterministic for a seed', () => {
    const again = proposeNext(input, settings);
    expect(again.runs.map((r) => r.id)).toEqual(p.runs.map((r) => r.id));
    expect(again.after.halfWidth).toBe(p.after.halfWidth);
  });

  it('refuses a bad spend and a noise it cannot estimate, naming the flag', () => {
    expect(() => proposeNext(input, { ...settings, spend: -1 })).toThrow(/^--spend: must be a finite number of FLOPs > 0/);
    const three = simulateTraining(allPoints(makePlan([1e18, 1e19], prior, 'p', { ...o, points: 3 })), law, 0.004, 3);
    const l3 = fitObservations(three, { ...DEFAULT_FIT_OPTIONS, bootstrap: 50, approach3: false });
    const e = (() => {
      try {
        proposeNext({ ...input, laws: l3, observations: three }, settings);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/^--noise: cannot estimate the loss noise/);
    expect(proposeNext({ ...input, laws: l3, observations: three }, { ...settings, noise: 0.01, maxRuns: 1 }).noise.source).toBe('given');
  });
});
