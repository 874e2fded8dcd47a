// Chart: training curves, validation loss against tokens seen for every run. An IsoFLOP study: one panel per dataset, coloured by
// budget. A hyperparameter study (several LRs for one shape at a budget): one panel per budget, colour by LR, dash by batch size.
import type { RunRow } from '../schema/runs.ts';
import { minOf, maxOf } from '../util/arrays.ts';
import type { ChartKind, ChartSpec, ReportInput, VlSpec } from './types.ts';
import { budgetColors, budgetLabel } from './chart-isoflop.ts';
import { assemble, DASHES, linearChannel, logChannel, logDomain, lossTitle, orderedColors, PANEL, tip } from './style.ts';
import { num, si } from '../util/format.ts';

/** Our run CSVs report val_bpb (bits per byte); rows whose loss is not finite (diverged) are left out. */
export const CURVE_UNITS = 'bits-per-byte';

/** True when a dataset's runs sweep hyperparameters: some budget has one model scale but several peak LRs or batch sizes. */
export function isHyperSweep(rows: RunRow[]): boolean {
  const budgets = new Set(rows.map((r) => r.budget));
  for (const b of budgets) {
    const mine = rows.filter((r) => r.budget === b);
    if (new Set(mine.map((r) => r.M)).size === 1 && (new Set(mine.map((r) => r.lr_max)).size > 1 || new Set(mine.map((r) => r.batch_tokens)).size > 1)) return true;
  }
  return false;
}

export function curvesChart(input: ReportInput | RunRow[] | undefined): ChartSpec | undefined {
  const runs = Array.isArray(input) ? input : input?.runs;
  const rows = (runs ?? []).filter((r) => r.tokens > 0 && Number.isFinite(r.val_bpb));
  if (rows.length === 0) return undefined;
  const datasets = [...new Set(rows.map((r) => r.dataset))].sort();
  // One loss range for every panel: datasets are compared by eye.
  const ys = rows.map((r) => r.val_bpb);
  const [yLo, yHi] = [minOf(ys), maxOf(ys)]; // loops: a report may draw 100,000s of rows
  const pad = (yHi - yLo) * 0.04 || 0.05;
  const y = linearChannel('loss', lossTitle(CURVE_UNITS), [yLo - pad, yHi + pad]);
  const panels: VlSpec[] = [];
  let sweep = false;
  for (const name of datasets) {
    const mine = rows.filter((r) => r.dataset === name);
    const budgets = [...new Set(mine.map((r) => r.budget))].sort((a, b) => a - b);
    if (isHyperSweep(mine)) {
      sweep = true;
      for (const b of budgets) {
        const at = mine.filter((r) => r.budget === b);
        const lrs = [...new Set(at.map((r) => r.lr_max))].sort((p, q) => p - q).map((v) => `η ${num(v)}`);
        const batches = [...new Set(at.map((r) => r.batch_tokens))].sort((p, q) => p - q).map((v) => `B ${si(v)}`);
        const values = at.map((r) => ({ run: r.run_id, tokens: r.tokens, loss: r.val_bpb, lr: `η ${num(r.lr_max)}`, batch: `B ${si(r.batch_tokens)}`, status: r.status }));
        panels.push({
          title: { text: `${name} · C = ${budgetLabel(b)} FLOPs`, subtitle: `${new Set(at.map((r) => r.run_id)).size} runs: ${lrs.length} learning rates × ${batches.length} batch sizes` },
          width: 240, height: 190,
          data: { values },
          mark: { type: 'line', strokeWidth: 1.4, clip: true },
          encoding: {
            x: logChannel('tokens', 'Tokens seen D', logDomain(values.map((v) => v.tokens), 0.04)),
            y,
            color: { field: 'lr', type: 'ordinal', title: 'Peak LR (colour)', sort: lrs, scale: orderedColors(lrs) },
            strokeDash: { field: 'batch', type: 'ordinal', title: 'Batch, tokens (dash)', sort: batches, scale: { domain: batches, range: batches.map((_, i) => DASHES[i % DASHES.length]) } },
            detail: { field: 'run' },
            tooltip: [tip('run', 'run'), tip('lr', 'peak LR'), tip('batch', 'batch (tokens)'), tip('tokens', 'tokens', '.3~s'), tip('loss', `loss (${CURVE_UNITS})`, '.4f'), tip('status', 'status')],
          },
        });
      }
      continue;
    }
    const labels = budgets.map(budgetLabel);
    const values = mine.map((r) => ({ run: r.run_id, budget: budgetLabel(r.budget), tokens: r.tokens, loss: r.val_bpb, status: r.status }));
    panels.push({
      title: { text: name, subtitle: `${new Set(mine.map((r) => r.run_id)).size} runs, ${budgets.length} budgets` },
      width: PANEL.width,
      height: PANEL.height,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.3, opacity: 0.85, clip: true },
      encoding: {
        x: logChannel('tokens', 'Tokens seen D', logDomain(values.map((v) => v.tokens), 0.05)),
        y,
        color: { field: 'budget', type: 'ordinal', title: 'Budget C (FLOPs)', sort: labels, scale: budgetColors(labels) },
        strokeDash: { field: 'budget', type: 'ordinal', title: 'Budget C (FLOPs)', sort: labels, scale: { domain: labels, range: labels.map((_, i) => DASHES[i % DASHES.length]) } },
        detail: { field: 'run' },
        tooltip: [tip('run', 'run'), tip('budget', 'C (FLOPs)'), tip('tokens', 'tokens', '.3~s'), tip('loss', `loss (${CURVE_UNITS})`, '.4f'), tip('status', 'status')],
      },
    });
  }
  return {
    id: 'curves',
    title: 'Training curves',
    caption: sweep
      ? 'Validation loss (val_bpb) of every run against the tokens it has seen, one panel per budget: colour = peak learning rate (dark = small), dash = batch size. All panels share the loss axis. Non-finite losses (diverged runs) are left out.'
      : 'Validation loss (val_bpb) of every run against the tokens it has seen, one line per run, colour and dash by budget. All panels share the loss axis. Non-finite losses (diverged runs) are left out.',
    spec: assemble('Training curves: validation loss vs tokens', panels, { columns: sweep ? 3 : 2, resolve: { scale: { color: 'independent', strokeDash: 'independent' } } }),
  };
}

export const curvesKind: ChartKind = { id: 'curves', build: (input) => curvesChart(input) };
