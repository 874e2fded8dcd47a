// Chart 4, hyperparameter laws (paper Fig. 3, Eq. 1): near-optimal runs in grey and the fitted η_opt(C) and B_opt(C) per dataset, the paper's laws dashed.
import type { ChartSpec, ReportDataset, ReportInput } from './types.ts';
import { lawPanel, type LawSeries } from './law-panel.ts';
import { assemble } from './style.ts';
import { budgetRange, referenceFor } from './chart-scaling.ts';

function series(ds: ReportDataset, key: 'lr' | 'batch'): LawSeries {
  const near = ds.laws.details?.hyper?.nearOptimal ?? [];
  return {
    label: ds.label,
    law: ds.laws.laws[key],
    fitRange: budgetRange(ds.laws),
    points: near
      .map((p) => ({ compute: p.budget, y: (key === 'lr' ? p.lr : p.batchTokens) ?? NaN, kind: 'run' }))
      .filter((p) => Number.isFinite(p.y) && p.y > 0),
  };
}

/** η_opt and B_opt panels for the files that have hyperparameter laws; undefined when none has. */
export function hyperChart(input: ReportInput): ChartSpec | undefined {
  const ds = input.datasets.filter((d) => d.laws.laws.lr || d.laws.laws.batch);
  if (ds.length === 0) return undefined;
  const ref = referenceFor(input, ds);
  const panels = [];
  if (ds.some((d) => d.laws.laws.lr)) {
    panels.push(lawPanel({ title: 'Optimal learning rate η_opt', yTitle: 'Peak learning rate η', series: ds.map((d) => series(d, 'lr')), reference: ref?.laws.laws.lr ? { label: ref.label, law: ref.laws.laws.lr } : undefined, targets: input.targets, greyPoints: true }));
  }
  if (ds.some((d) => d.laws.laws.batch)) {
    panels.push(lawPanel({ title: 'Optimal batch size B_opt', yTitle: 'Batch size B (tokens)', series: ds.map((d) => series(d, 'batch')), reference: ref?.laws.laws.batch ? { label: ref.label, law: ref.laws.laws.batch } : undefined, targets: input.targets, greyPoints: true }));
  }
  return {
    id: 'hyper',
    title: 'Hyperparameter scaling laws',
    caption: 'Grey: near-optimal runs (final loss within the fit\'s threshold of the budget\'s best, 0.25% in the paper). Lines: the fitted η_opt = k·C^p and B_opt = k\'·C^q, dotted where extrapolated; dashed grey: the paper\'s Eq. 1.',
    spec: assemble('Hyperparameter laws: η_opt(C) and B_opt(C)', panels, { columns: 2 }),
  };
}
