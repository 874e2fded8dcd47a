// Chart 5, training curves: validation loss against tokens seen for every run, coloured by its budget, one panel per dataset of the run files.
import type { RunRow } from '../schema/runs.ts';
import type { ChartSpec, VlSpec } from './types.ts';
import { budgetColors, budgetLabel } from './chart-isoflop.ts';
import { assemble, logChannel, logDomain, lossTitle, PANEL } from './style.ts';

/** Our run CSVs report val_bpb (bits per byte); rows whose loss is not finite (diverged) are left out. */
export const CURVE_UNITS = 'bits-per-byte';

export function curvesChart(runs: RunRow[] | undefined): ChartSpec | undefined {
  const rows = (runs ?? []).filter((r) => r.tokens > 0 && Number.isFinite(r.val_bpb));
  if (rows.length === 0) return undefined;
  const datasets = [...new Set(rows.map((r) => r.dataset))].sort();
  const panels: VlSpec[] = datasets.map((name) => {
    const mine = rows.filter((r) => r.dataset === name);
    const budgets = [...new Set(mine.map((r) => r.budget))].sort((a, b) => a - b);
    const values = mine.map((r) => ({ run: r.run_id, budget: budgetLabel(r.budget), tokens: r.tokens, loss: r.val_bpb, status: r.status }));
    const ys = values.map((v) => v.loss);
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const pad = (hi - lo) * 0.05 || 0.05;
    return {
      title: { text: name, subtitle: `${new Set(mine.map((r) => r.run_id)).size} runs, ${budgets.length} budgets` },
      width: PANEL.width,
      height: PANEL.height,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8, clip: true },
      encoding: {
        x: logChannel('tokens', 'Tokens seen D', logDomain(values.map((v) => v.tokens), 0.05)),
        y: { field: 'loss', type: 'quantitative', title: lossTitle(CURVE_UNITS), scale: { zero: false, domain: [lo - pad, hi + pad] } },
        color: { field: 'budget', type: 'ordinal', title: 'Budget C (FLOPs)', scale: budgetColors(budgets.map(budgetLabel)) },
        detail: { field: 'run' },
        tooltip: [{ field: 'run' }, { field: 'tokens', format: '.3e' }, { field: 'loss', format: '.4f' }, { field: 'status' }],
      },
    };
  });
  return {
    id: 'curves',
    title: 'Training curves',
    caption: 'Validation loss (val_bpb) of every run against the tokens it has seen, one line per run, coloured by budget. Non-finite losses (diverged runs) are left out.',
    spec: assemble('Training curves: validation loss vs tokens', panels, { columns: 2, resolve: { scale: { color: 'independent' } } }),
  };
}
