// The whole pipeline at toy size (experiments/smoke.json): data → plan → train (2 workers) → fit → report, interrupted once and resumed.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExperiment } from '../src/schema/experiment.ts';
import { runExperiment } from '../src/run/experiment.ts';
import { readPlan, allPoints } from '../src/schema/plan.ts';
import { readRunCsv, groupRuns } from '../src/schema/runs.ts';
import { readLaws } from '../src/schema/laws.ts';
import { REPO } from './helpers/cli.ts';

describe('scaling run experiments/smoke.json', () => {
  it('runs every stage, resumes after an interruption, and writes well-formed outputs', async () => {
    const file = join(REPO, 'experiments', 'smoke.json');
    const exp = readExperiment(file);
    const out = mkdtempSync(join(tmpdir(), 'smoke-'));
    const quiet = () => {};

    // First attempt: stop as soon as one run has finished (as Ctrl-C would).
    const stop = new AbortController();
    const timer = setInterval(() => {
      const dir = join(out, 'runs', 'curated');
      if (!existsSync(dir)) return;
      const finished = readdirSync(dir).filter((f) => f.endsWith('.csv')).some((f) => /,done,/.test(readFileSync(join(dir, f), 'utf8')));
      if (finished) stop.abort();
    }, 200);
    const first = await runExperiment(exp, file, { out, log: quiet, progress: false, stopSignal: stop.signal, jobs: 2 });
    clearInterval(timer);
    expect(first.interrupted).toBe(true);
    expect(first.report).toBeUndefined();

    // Second attempt: resumes (nothing already finished is trained again) and completes.
    const lines: string[] = [];
    const second = await runExperiment(exp, file, { out, log: (l) => lines.push(l), progress: false, jobs: 2 });
    expect(second.interrupted).toBe(false);
    const trained = second.datasets.flatMap((d) => d.train!.points);
    expect(trained.filter((p) => p.skipped).length).toBeGreaterThan(0); // the run finished before the stop is not trained again
    expect(trained.filter((p) => p.status === 'done').length).toBe(18);

    for (const ds of exp.datasets) {
      const plan = readPlan(join(out, 'plans', `${ds}.json`));
      const points = allPoints(plan);
      expect(points.length).toBe(9);
      const runsDir = join(out, 'runs', ds);
      for (const p of points) {
        const rows = readRunCsv(join(runsDir, `${p.id}.csv`));
        const run = groupRuns(rows).get(p.id)!;
        const last = run[run.length - 1];
        expect(last.status).toBe('done');
        expect(Math.abs(last.flops / p.budget - 1)).toBeLessThan(0.01);
        expect(last.val_loss).toBeLessThan(run[0].val_loss); // it learned
        expect(last.val_bpb).toBeCloseTo(last.val_loss / Math.LN2, 6);
      }
      const laws = readLaws(join(out, 'fits', `smoke-${ds}.json`));
      expect(laws.dataset).toBe(ds);
      expect(laws.details?.optima.length).toBe(3);
      expect(Number.isFinite(laws.laws.scale!.exponent)).toBe(true);
      expect(laws.laws.scale!.exponent + laws.laws.data!.exponent).toBeCloseTo(1, 6);
      expect(laws.provenance.inputs!.length).toBe(9);
    }
    // The closing lines give a_curated − a_noisy with the interval of the difference, from the two fits' bootstrap draws.
    const { formatRunSummary, runSummaryJson } = await import('../src/run/summary.ts');
    const { compareExponents } = await import('../src/fit/compare.ts');
    const [lc, ln] = ['curated', 'noisy'].map((ds) => readLaws(join(out, 'fits', `smoke-${ds}.json`)));
    const diff = compareExponents(lc, ln);
    expect(diff.difference).toBeCloseTo(lc.laws.scale!.exponent - ln.laws.scale!.exponent, 12);
    expect(diff.interval[0]).toBeLessThan(diff.interval[1]);
    expect(formatRunSummary(exp, second)).toContain('a(curated) − a(noisy) = ');
    expect(runSummaryJson(exp, second).difference).toMatchObject({ labels: ['smoke-curated', 'smoke-noisy'], interval: diff.interval, significant: diff.significant });
    const report = join(out, 'report');
    const html = readFileSync(join(report, 'index.html'), 'utf8');
    expect(html).toContain('smoke-curated');
    expect(html).toContain('smoke-noisy');
    for (const chart of ['isoflop', 'scaling', 'loss', 'curves', 'quality']) {
      expect(existsSync(join(report, `${chart}.png`)), chart).toBe(true);
      expect(existsSync(join(report, `${chart}.vl.json`)), chart).toBe(true);
    }
  }, 600_000);
});
