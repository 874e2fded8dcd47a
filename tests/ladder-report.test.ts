// Schedule summaries and the Fig. 1 charts from hand-made run rows: seed means, sample sd and same-seed differences by hand; the
// charts render (vega-lite → SVG) with one series per schedule, and are absent for runs that compare nothing.
import { describe, expect, it } from 'vitest';
import { formatScheduleSummary, summarizeSchedules } from '../src/fit/schedules.ts';
import { schedulesKind, stagesKind } from '../src/report/chart-schedules.ts';
import { renderSvg } from '../src/report/render.ts';
import type { RunRow } from '../src/schema/runs.ts';
import type { ReportInput } from '../src/report/types.ts';

/** A finished run's rows: a curve ending at `final` bits per byte. */
function run(schedule: RunRow['schedule'], stages: string, tokens: number, seed: number, final: number): (RunRow & { file: string })[] {
  const id = `L2-d24-D${tokens}-${schedule}${stages.replace(/\//g, '-')}-s${seed}`;
  return [0.5, 1].map((f) => ({
    run_id: id, dataset: 'curated', budget: tokens * 1e5, n_layer: 2, d_model: 24, n_heads: 3, n_kv_heads: 3, d_ff: 64, seq_len: 128, vocab: 256,
    M: 1e5, N1: 1, N2: 1, batch_tokens: 1664, lr_max: 0.01, schedule, step: f * 100, tokens: f * tokens, flops: f * tokens * 1e5, lr: 0.001,
    train_loss: 2, val_loss: (final + (1 - f)) * Math.LN2, val_bpb: final + (1 - f), elapsed_s: 1, status: f === 1 ? 'done' : 'running', seed,
    val_hash: 'h', representation: 'M', stages, file: `${id}.csv`,
  }));
}

// multi-step 80/10/10 ends at 2.50/2.54 (seeds 0/1), cosine at 2.53/2.55, 90/5/5 at 2.49/2.52, at D = 1e6; one cosine seed at 2e6.
const rows = [
  ...run('multistep', '80/10/10', 1e6, 0, 2.5), ...run('multistep', '80/10/10', 1e6, 1, 2.54),
  ...run('cosine', '', 1e6, 0, 2.53), ...run('cosine', '', 1e6, 1, 2.55),
  ...run('multistep', '90/5/5', 1e6, 0, 2.49), ...run('multistep', '90/5/5', 1e6, 1, 2.52),
  ...run('multistep', '80/10/10', 2e6, 0, 2.4), ...run('cosine', '', 2e6, 0, 2.41),
];

describe('summarizeSchedules', () => {
  it('gives per group the seed mean, sample sd and range, and same-seed differences', () => {
    const s = summarizeSchedules(rows);
    expect(s.groups.map((g) => [g.label, g.tokens, g.loss.n])).toEqual([
      ['multi-step 80/10/10', 1e6, 2], ['multi-step 80/10/10', 2e6, 1], ['multi-step 90/5/5', 1e6, 2], ['cosine', 1e6, 2], ['cosine', 2e6, 1],
    ]);
    const ms = s.groups[0].loss;
    expect(ms.mean).toBeCloseTo(2.52, 12);
    expect(ms.sd).toBeCloseTo(0.04 / Math.SQRT2, 12); // two values 0.04 apart: sd = 0.04/√2
    expect([ms.min, ms.max]).toEqual([2.5, 2.54]);
    expect(s.groups[1].loss.sd).toBeNull(); // one seed: no spread, never a made-up one
    // multi-step − cosine at equal seeds: −0.03 and −0.01 → mean −0.02, sd 0.02/√2
    const d = s.schedules.find((x) => x.tokens === 1e6)!;
    expect(d.perSeed.map((p) => p.seed)).toEqual([0, 1]);
    expect(d.diff.mean).toBeCloseTo(-0.02, 12);
    expect(d.diff.sd).toBeCloseTo(0.02 / Math.SQRT2, 12);
    // 90/5/5 − 80/10/10: −0.01, −0.02
    expect(s.stages[0].diff.mean).toBeCloseTo(-0.015, 12);
    expect(formatScheduleSummary(s).some((l) => l.includes('multi-step 80/10/10 − cosine: -0.0200 ± 0.0141 (sd of 2 seeds'))).toBe(true);
  });
  it('treats multistep rows without a stages column (older files) as 80/10/10', () => {
    const old = run('multistep', '', 1e6, 0, 2.5);
    expect(summarizeSchedules(old).groups[0].label).toBe('multi-step 80/10/10');
  });
});

describe('Fig. 1 charts', () => {
  const input = (r: typeof rows): ReportInput => ({ title: 't', datasets: [], runs: r, targets: [] });
  it('render both figures with one series per schedule', async () => {
    const a = schedulesKind.build(input(rows))!;
    const b = stagesKind.build(input(rows))!;
    expect(a.id).toBe('schedules');
    expect(b.id).toBe('stages');
    expect(a.caption).toContain('multi-step 80/10/10 − cosine at equal seeds (mean ± sd): D = 1.00e6: -0.020 ± 0.014 (2 seeds); D = 2.00e6: -0.010 (1 seed)');
    const svg = await renderSvg(a.spec);
    expect(svg).toContain('multi-step 80/10/10');
    expect(svg).toContain('cosine');
    expect(svg).not.toContain('90/5/5');
    expect(await renderSvg(b.spec)).toContain('90/5/5');
  }, 30_000);
  it('are absent when the runs compare no schedules (an IsoFLOP study) or no stage ratios', () => {
    const isoflop = rows.filter((r) => r.schedule === 'multistep' && r.stages === '80/10/10');
    expect(schedulesKind.build(input(isoflop))).toBeUndefined();
    expect(stagesKind.build(input(isoflop))).toBeUndefined();
    expect(stagesKind.build(input(rows.filter((r) => r.stages !== '90/5/5')))).toBeUndefined();
  });
});
