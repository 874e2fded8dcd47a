// Charts of the paper's Fig. 1 (docs/ladder.md): (a) multi-step vs cosine and (b) multi-step stage ratios — per shape, the final
// loss against training tokens (mean over seeds, bars from the lowest to the highest seed) and the validation curves of the longest run.
import type { RunRow } from '../schema/runs.ts';
import { rowStages, scheduleLabel, summarizeSchedules, MULTISTEP_LABEL, type PairedDifference, type ScheduleGroup } from '../fit/schedules.ts';
import { DEFAULT_STAGES } from '../schema/settings.ts';
import type { ChartKind, ChartSpec, ReportInput, VlSpec } from './types.ts';
import { CURVE_UNITS } from './chart-curves.ts';
import { assemble, linearChannel, logChannel, logDomain, lossTitle, PANEL, seriesScales, tip } from './style.ts';

type Which = 'schedules' | 'stages';

/** The series a figure compares: (a) the paper's multi-step and cosine; (b) the multi-step stage ratios. */
function inFigure(which: Which, g: Pick<ScheduleGroup, 'schedule' | 'stages'>): boolean {
  return which === 'schedules' ? (g.schedule === 'multistep' && g.stages === DEFAULT_STAGES) || g.schedule === 'cosine' : g.schedule === 'multistep';
}

const fmt = (x: number) => x.toFixed(3);
const tok = (x: number) => x.toExponential(2).replace('e+', 'e');

function diffText(d: PairedDifference): string {
  const s = d.diff;
  return `D = ${tok(d.tokens)}: ${s.mean >= 0 ? '+' : ''}${fmt(s.mean)}${s.sd !== null ? ` ± ${fmt(s.sd)}` : ''} (${s.n} seed${s.n > 1 ? 's' : ''})`;
}

/** One figure: for every dataset and shape whose runs have ≥ 2 of the figure's series, a final-loss panel and a curves panel. */
function scheduleFigure(which: Which, input: ReportInput): ChartSpec | undefined {
  const rows = (input.runs ?? []).filter((r) => Number.isFinite(r.val_bpb));
  if (rows.length === 0) return undefined;
  const summary = summarizeSchedules(rows);
  const panels: VlSpec[] = [];
  const notes: string[] = [];
  const keys = [...new Set(summary.groups.map((g) => `${g.dataset}\u0000${g.shape}`))];
  for (const key of keys) {
    const [dataset, shape] = key.split('\u0000');
    const groups = summary.groups.filter((g) => g.dataset === dataset && g.shape === shape && inFigure(which, g));
    const labels = [...new Set(groups.map((g) => g.label))];
    if (labels.length < 2) continue;
    const scales = seriesScales(labels);
    const finals = groups.map((g) => ({ series: g.label, tokens: g.tokens, mean: g.loss.mean, lo: g.loss.min, hi: g.loss.max, sd: g.loss.sd ?? 0, n: g.loss.n }));
    const perSeed = groups.flatMap((g) => g.runs.map((r) => ({ series: g.label, tokens: g.tokens, loss: r.loss, seed: r.seed, run: r.id })));
    const ys = [...finals.flatMap((f) => [f.lo, f.hi])];
    const pad = (Math.max(...ys) - Math.min(...ys)) * 0.08 || 0.02;
    const x = logChannel('tokens', 'Training tokens D', logDomain(finals.map((f) => f.tokens), 0.08));
    const y = linearChannel('mean', lossTitle(CURVE_UNITS), [Math.min(...ys) - pad, Math.max(...ys) + pad]);
    const color = { field: 'series', type: 'nominal', title: 'Schedule', sort: labels, scale: scales.color };
    panels.push({
      title: { text: `${dataset} · ${shape}: final loss`, subtitle: `mean of ${Math.max(...finals.map((f) => f.n))} seeds; bars lowest…highest` },
      width: PANEL.width,
      height: PANEL.height,
      layer: [
        { data: { values: finals }, mark: { type: 'rule', strokeWidth: 1.6 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
        {
          data: { values: finals }, mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x, y, color, strokeDash: { field: 'series', type: 'nominal', title: 'Schedule', sort: labels, scale: scales.dash } },
        },
        {
          data: { values: finals }, mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x, y, color, shape: { field: 'series', type: 'nominal', title: 'Schedule', sort: labels, scale: scales.shape },
            tooltip: [tip('series', 'schedule'), tip('tokens', 'tokens D', '.3~s'), tip('mean', `mean final loss (${CURVE_UNITS})`, '.4f'), tip('sd', 'sd over seeds', '.4f'), tip('n', 'seeds')],
          },
        },
        { data: { values: perSeed }, mark: { type: 'tick', thickness: 1, size: 8, opacity: 0.6 }, encoding: { x, y: { ...y, field: 'loss' }, color, tooltip: [tip('run', 'run'), tip('seed', 'seed'), tip('loss', `final loss (${CURVE_UNITS})`, '.4f')] } },
      ],
    });
    // The curves of the longest rung, every seed: the multi-step drops against cosine's smooth decay (Fig. 1's look).
    const longest = Math.max(...groups.map((g) => g.tokens));
    const ids = new Set(groups.filter((g) => g.tokens === longest).flatMap((g) => g.runs.map((r) => r.id)));
    const curve = rows
      .filter((r) => ids.has(r.run_id) && r.dataset === dataset && r.tokens > 0)
      .map((r: RunRow) => ({ run: r.run_id, seed: r.seed, series: scheduleLabel(r.schedule, rowStages(r)), tokens: r.tokens, loss: r.val_bpb, lr: r.lr }));
    const cy = curve.map((c) => c.loss);
    const tail = curve.filter((c) => c.tokens >= 0.3 * longest).map((c) => c.loss);
    const lo = Math.min(...cy);
    const hi = Math.max(...(tail.length ? tail : cy));
    const cpad = (hi - lo) * 0.08 || 0.02;
    panels.push({
      title: { text: `${shape}: validation loss, D = ${tok(longest)}`, subtitle: 'one line per seed; last point on all of val.bin' },
      width: PANEL.width,
      height: PANEL.height,
      data: { values: curve },
      mark: { type: 'line', strokeWidth: 1.3, opacity: 0.85, clip: true, point: { size: 14 } },
      encoding: {
        x: linearChannel('tokens', 'Tokens seen', [0, longest * 1.02], '.2~s'),
        y: linearChannel('loss', lossTitle(CURVE_UNITS), [lo - cpad, hi + cpad]),
        color,
        strokeDash: { field: 'series', type: 'nominal', title: 'Schedule', sort: labels, scale: scales.dash },
        detail: { field: 'run' },
        tooltip: [tip('run', 'run'), tip('tokens', 'tokens', '.3~s'), tip('loss', `loss (${CURVE_UNITS})`, '.4f'), tip('lr', 'LR', '.3~e')],
      },
    });
    const diffs = (which === 'schedules' ? summary.schedules : summary.stages).filter((d) => d.dataset === dataset && d.shape === shape);
    // Same-seed differences against the reference: the comparison the seed spread of the final losses would otherwise hide.
    if (diffs.length) {
      const dv = diffs.map((d) => ({ series: d.label, tokens: d.tokens, mean: d.diff.mean, lo: d.diff.min, hi: d.diff.max, sd: d.diff.sd ?? 0, n: d.diff.n, reference: d.reference }));
      const ds = diffs.flatMap((d) => d.perSeed.map((p) => ({ series: d.label, tokens: d.tokens, diff: p.diff, seed: p.seed })));
      const dys = [0, ...dv.flatMap((v) => [v.lo, v.hi])];
      const dpad = (Math.max(...dys) - Math.min(...dys)) * 0.1 || 0.01;
      const dy = linearChannel('mean', `Δ final loss (${CURVE_UNITS})`, [Math.min(...dys) - dpad, Math.max(...dys) + dpad]);
      panels.push({
        title: { text: `${shape}: Δ vs ${diffs[0].reference}`, subtitle: 'same seeds; bars lowest…highest; < 0: lower loss' },
        width: PANEL.width,
        height: PANEL.height,
        layer: [
          { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
          { data: { values: dv }, mark: { type: 'rule', strokeWidth: 1.6 }, encoding: { x, y: { ...dy, field: 'lo' }, y2: { field: 'hi' }, color } },
          { data: { values: dv }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: dy, color, strokeDash: { field: 'series', type: 'nominal', title: 'Schedule', sort: labels, scale: scales.dash } } },
          {
            data: { values: dv }, mark: { type: 'point', filled: true, size: 60 },
            encoding: { x, y: dy, color, shape: { field: 'series', type: 'nominal', title: 'Schedule', sort: labels, scale: scales.shape }, tooltip: [tip('series', 'schedule'), tip('reference', 'minus'), tip('tokens', 'tokens D', '.3~s'), tip('mean', `mean difference (${CURVE_UNITS})`, '.4f'), tip('sd', 'sd over seeds', '.4f'), tip('n', 'seeds')] },
          },
          { data: { values: ds }, mark: { type: 'tick', thickness: 1, size: 8, opacity: 0.6 }, encoding: { x, y: { ...dy, field: 'diff' }, color, tooltip: [tip('seed', 'seed'), tip('diff', `difference (${CURVE_UNITS})`, '.4f')] } },
        ],
      });
    }
    for (const label of [...new Set(diffs.map((d) => d.label))]) {
      const mine = diffs.filter((d) => d.label === label);
      notes.push(`${dataset} ${shape}, ${label} − ${mine[0].reference} at equal seeds (mean ± sd): ${mine.map(diffText).join('; ')}`);
    }
  }
  if (panels.length === 0) return undefined;
  const a = which === 'schedules';
  return {
    id: a ? 'schedules' : 'stages',
    title: a ? 'Fig. 1a: multi-step vs cosine schedule' : 'Fig. 1b: multi-step stage ratios',
    caption:
      (a
        ? `Paper §2.2, Fig. 1a: the same model trained for several token budgets with the multi-step schedule (${MULTISTEP_LABEL}: peak LR to 80% of the tokens, 31.6% to 90%, 10% after) and with cosine decay to 10%. `
        : 'Paper §2.2, Fig. 1b: multi-step schedules with different shares of the tokens at 100%, 31.6% and 10% of the peak LR (all branched from one trunk per seed). ') +
      `Left: final validation loss (${CURVE_UNITS}) per budget, mean over seeds with bars from the lowest to the highest seed and one tick per seed. Middle: validation curves of the longest runs. Right: the same-seed difference of final loss against the reference, which the seed spread of the left panel hides. ` +
      (notes.length ? `Differences of final loss in ${CURVE_UNITS} (negative: lower): ${notes.join('. ')}.` : ''),
    spec: assemble(a ? 'Multi-step vs cosine learning-rate schedule' : 'Multi-step stage ratios', panels, { columns: 3 }),
  };
}

export const schedulesKind: ChartKind = { id: 'schedules', build: (input) => scheduleFigure('schedules', input) };
export const stagesKind: ChartKind = { id: 'stages', build: (input) => scheduleFigure('stages', input) };
