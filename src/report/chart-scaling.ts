// Chart 2, optimal model and data scaling (paper Fig. 4b/c, Eq. 4): M_opt(C) and D_opt(C) per dataset, fitted laws with bands, extrapolated to the target models.
import type { LawsFile, Prediction } from '../schema/laws.ts';
import type { ChartSpec, ReportDataset, ReportInput, ReportTarget } from './types.ts';
import { lawBand } from './bands.ts';
import { lawPanel, type LawSeries } from './law-panel.ts';
import { assemble } from './style.ts';

/** Compute range of a file's optima (the span its laws were fitted on). */
export function budgetRange(laws: LawsFile): [number, number] | undefined {
  const b = (laws.details?.optima ?? []).filter((o) => !o.dropped).map((o) => o.budget);
  return b.length ? [Math.min(...b), Math.max(...b)] : undefined;
}

/** A file's predictions at (within 1% of) the targets' compute. */
export function targetPredictions(laws: LawsFile, targets: ReportTarget[]): (Prediction & { target: string })[] {
  const out: (Prediction & { target: string })[] = [];
  for (const p of laws.details?.predictions ?? []) {
    // The fit's own compute for a target may differ from the M-based rule (6N fits count C = 6N·D): match by name too.
    const t = targets.find((t) => Math.abs(p.compute / t.compute - 1) < 0.01 || (t.key !== undefined && t.key === p.label.toLowerCase()));
    out.push({ ...p, target: t ? t.label : p.label });
  }
  return out;
}

/** Representation(s) on the y axis: 'M' when all agree, otherwise said explicitly. */
export function scaleName(datasets: ReportDataset[]): string {
  const reps = [...new Set(datasets.map((d) => d.laws.representation))];
  return reps.length === 1 ? `${reps[0]}_opt` : `Optimal scale (${reps.join(' / ')}, per dataset)`;
}

export function scalingSeries(ds: ReportDataset, key: 'scale' | 'data', targets: ReportTarget[]): LawSeries {
  const optima = (ds.laws.details?.optima ?? []).filter((o) => !o.dropped);
  return {
    label: ds.label,
    law: ds.laws.laws[key],
    fitRange: budgetRange(ds.laws),
    points: optima.map((o) => {
      const y = key === 'scale' ? o.scaleOpt : o.dataOpt;
      const ci = o.ci?.scaleOpt;
      // D_opt = C / M_opt, so the interval of D follows from that of M.
      const iv = ci ? (key === 'scale' ? ci : ([o.budget / ci[1], o.budget / ci[0]] as [number, number])) : undefined;
      return { compute: o.budget, y, lo: iv?.[0], hi: iv?.[1], kind: o.bracketed ? 'budget optimum' : 'optimum, not bracketed' };
    }),
    band: (grid) => lawBand(ds.laws, key, grid, ds.file),
    actual: targetPredictions(ds.laws, targets).filter((p) => p.shape).map((p) => ({ label: p.target, compute: p.compute, y: key === 'scale' ? p.scale : p.tokens })),
    predictions: targetPredictions(ds.laws, targets).filter((p) => !p.shape).map((p) => ({
      label: p.target,
      compute: p.compute,
      y: key === 'scale' ? p.scale : p.tokens,
      lo: (key === 'scale' ? p.scaleInterval : p.tokensInterval)?.[0],
      hi: (key === 'scale' ? p.scaleInterval : p.tokensInterval)?.[1],
    })),
  };
}

/** The reference laws, labelled with their representation when the datasets count model scale otherwise (paper: M). */
export function referenceFor(input: ReportInput, ds: ReportDataset[]): ReportInput['reference'] {
  const reps = new Set(ds.map((d) => d.laws.representation));
  const r = input.reference;
  // A report of the paper's own file needs no second copy of it as a reference.
  if (r && ds.some((d) => d.laws.name === r.laws.name && d.laws.provenance.source === r.laws.provenance.source)) return undefined;
  return r && (reps.size > 1 || !reps.has(r.laws.representation)) ? { ...r, label: `${r.label}, in ${r.laws.representation}` } : r;
}

/** M_opt and D_opt panels side by side (absent when no file has either law or optima). */
export function scalingChart(input: ReportInput): ChartSpec | undefined {
  const ds = input.datasets.filter((d) => d.laws.laws.scale || d.laws.laws.data || d.laws.details?.optima.length);
  if (ds.length === 0) return undefined;
  const name = scaleName(ds);
  const ref = referenceFor(input, ds);
  const panels = [
    lawPanel({ title: `Optimal model scale ${name}`, yTitle: `${name} (FLOPs/token)`, series: ds.map((d) => scalingSeries(d, 'scale', input.targets)), reference: ref?.laws.laws.scale ? { label: ref.label, law: ref.laws.laws.scale } : undefined, targets: input.targets }),
    lawPanel({ title: 'Optimal data D_opt', yTitle: 'D_opt (tokens)', series: ds.map((d) => scalingSeries(d, 'data', input.targets)), reference: ref?.laws.laws.data ? { label: ref.label, law: ref.laws.laws.data } : undefined, targets: input.targets }),
  ];
  return {
    id: 'scaling',
    title: 'Optimal model and data scaling',
    caption: `Each budget's optimum (from its IsoFLOP parabola) and the power laws M_opt = k·C^a, D_opt = k'·C^b fitted through them, with their confidence bands; solid over the fitted budgets, dotted where extrapolated to ${input.targets.map((t) => t.label).join(' and ')}. Dashed grey: the paper's Eq. 4${ref ? '' : ' (not loaded)'}. Black crosses: the target models as built (their real scale and 2T tokens, at C = scale·D in each fit's representation, so 6N fits sit slightly off the M-based rule); open squares: a fit's predictions at other budgets, with intervals. Intervals and bands running off the panel are clipped.`,
    spec: assemble('Optimal model and data scaling', panels, { columns: 2 }),
  };
}
