// The committed Fig. 1 micro results (experiments/fig1-micro.json, docs/ladder.md) reproduce: the schedule summary recomputed from
// the committed run CSVs is the committed one, the plan's ladder compute is what the README states, and every stage ratio of a seed
// really shares its trunk (identical rows before the earliest drop) while cosine, trained from scratch, does not.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeSchedules, type ScheduleSummary } from '../src/fit/schedules.ts';
import { planCompute } from '../src/plan/ladder.ts';
import { allPoints, readPlan } from '../src/schema/plan.ts';
import { groupRuns, readRunCsv } from '../src/schema/runs.ts';
import { REPO } from './helpers/cli.ts';

const DIR = join(REPO, 'results', 'fig1-micro');
const runsDir = join(DIR, 'runs', 'curated');
const csvs = () => readdirSync(runsDir).filter((f) => f.endsWith('.csv')).sort().map((f) => join(runsDir, f));
const rows = () => csvs().flatMap((f) => readRunCsv(f));

describe('committed Fig. 1 micro results', () => {
  it('summary-curated.json is what summarizing the committed run CSVs gives', () => {
    const committed = JSON.parse(readFileSync(join(DIR, 'summary-curated.json'), 'utf8')) as ScheduleSummary;
    expect(JSON.parse(JSON.stringify(summarizeSchedules(rows())))).toEqual(committed);
    // 4 budgets × (3 stage ratios + cosine), 3 seeds each, all finished
    expect(committed.groups).toHaveLength(16);
    expect(committed.groups.every((g) => g.loss.n === 3)).toBe(true);
    expect(committed.schedules).toHaveLength(4);
    expect(committed.stages).toHaveLength(8);
  });

  it('has the plan\'s 48 runs, and its ladders spend 48.0% less compute than training every run from scratch', () => {
    const plan = readPlan(join(DIR, 'plan-curated.json'));
    expect(csvs().map((f) => f.split('/').pop()!.replace(/\.csv$/, ''))).toEqual(allPoints(plan).map((p) => p.id).sort());
    const c = planCompute(plan);
    expect(c.ladders).toHaveLength(3);
    // per seed: trunk 0.9·D_4 (the 90/5/5 drop) + each ratio's own tail; cosine from scratch; see docs/ladder.md
    expect(c.spentFlops / c.scratchFlops).toBeCloseTo(0.52, 2);
    expect(Number((c.saving * 100).toFixed(1))).toBe(48.0);
  });

  it('gives the stage ratios of one seed identical rows up to the earliest drop (one trunk), unlike cosine', () => {
    const plan = readPlan(join(DIR, 'plan-curated.json'));
    const runs = groupRuns(rows());
    for (const l of plan.ladders!) {
      const branches = l.branches.map((b) => ({ ...b, point: allPoints(plan).find((p) => p.id === b.id)! }));
      for (const tokens of new Set(branches.map((b) => b.point.tokens))) {
        const same = branches.filter((b) => b.point.tokens === tokens);
        expect(same).toHaveLength(3);
        const first = Math.min(...same.map((b) => b.at));
        const prefix = (id: string) => runs.get(id)!.filter((r) => r.step <= first).map((r) => [r.step, r.val_loss, r.train_loss]);
        const ref = prefix(same[0].id);
        expect(ref.length).toBeGreaterThan(0);
        for (const b of same) expect(prefix(b.id)).toEqual(ref);
        const cosine = allPoints(plan).find((p) => p.schedule.name === 'cosine' && p.seed === l.seed && p.tokens === tokens)!;
        expect(prefix(cosine.id)).not.toEqual(ref);
      }
    }
  });

  it('comes with its report: the Fig. 1a and 1b charts', () => {
    for (const f of ['index.html', 'schedules.png', 'schedules.vl.json', 'stages.png', 'stages.vl.json']) expect(existsSync(join(REPO, 'reports', 'fig1-micro', f)), f).toBe(true);
  });
});
