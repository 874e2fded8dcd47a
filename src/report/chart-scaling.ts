// Chart: optimal model and data scaling (paper Fig. 4b/c, Eq. 4): M_opt(C) and D_opt(C) per dataset, the budgets' optima, the
// fitted laws with their bands where meaningful, over the fitted compute (targets only when asked or near).
import type { LawsFile, Prediction } from '../schema/laws.ts';
import { extrapolationFactor, fittedComputeRange } from '../laws/extrapolation.ts';
import type { ChartKind, ChartSpec, ReportDataset, ReportInput } from './types.ts';
import { lawBand } from './bands.ts';
import { computeAxis, datasetRange, hiddenTargetsNote, type ShownTarget } from './axis.ts';
import { KIND_OPTIMUM, KIND_UNBRACKETED, lawPanel, type LawSeries } from './law-panel.ts';
import { lawSupport } from './support.ts';
import { assemble } from './style.ts';
import { factor } from '../util/format.ts';

/** Compute range of a file's used optima (the span its laws were fitted on). */
export const budgetRange = (laws: LawsFile): [number, number] | undefined => fittedComputeRange(laws);

/** A file's predictions at the drawn targets (matched by compute within 1% or by preset name), with their extrapolation factor. */
export function targetPredictions(laws: LawsFile, targets: ShownTarget[]): (Prediction & { target: string; factor: number })[] {
  const range = fittedComputeRange(laws);
  const out: (Prediction & { target: string; factor: number })[] = [];
  for (const p of laws.details?.predictions ?? []) {
    // The fit's own compute for a target may differ from the M-based rule (6N fits count C = 6N·D): match by name too.
    const t = targets.find((t) => Math.abs(p.compute / t.compute - 1) < 0.01 || (t.key !== undefined && t.key === p.label.toLowerCase()));
    if (!t) continue;
    out.push({ ...p, target: t.label, factor: range ? extrapolationFactor(p.compute, range) : NaN });
  }
  return out;
}

/** Representation(s) on the y axis: 'M' when all agree, otherwise said explicitly. */
export function scaleName(datasets: ReportDataset[]): string {
  const reps = [...new Set(datasets.map((d) => d.laws.representation))];
  return reps.length === 1 ? `${reps[0]}_opt` : `Optimal scale (${reps.join(' / ')}, per dataset)`;
}

/** Datasets with something to draw on the allocation panels: a scale/data law or an optimum that was not dropped. */
export function allocationDatasets(input: ReportInput): ReportDataset[] {
  return input.datasets.filter((d) => d.laws.laws.scale || d.laws.laws.data || (d.laws.details?.optima ?? []).some((o) => !o.dropped));
}

export function scalingSeries(ds: ReportDataset, key: 'scale' | 'data', shown: ShownTarget[]): LawSeries {
  const optima = (ds.laws.details?.optima ?? []).filter((o) => !o.dropped);
  const support = lawSupport(ds.laws.laws[key], ds.laws.details?.diagnostics);
  const preds = targetPredictions(ds.laws, shown);
  return {
    label: ds.label,
    law: support.drawn ? ds.laws.laws[key] : undefined,
    noLaw: support.short ?? support.reason,
    fitRange: budgetRange(ds.laws) ?? datasetRange(ds),
    points: optima.map((o) => {
      const y = key === 'scale' ? o.scaleOpt : o.dataOpt;
      const ci = o.ci?.scaleOpt;
      // D_opt = C / M_opt, so the interval of D follows from that of M.
      const iv = ci ? (key === 'scale' ? ci : ([o.budget / ci[1], o.budget / ci[0]] as [number, number])) : undefined;
      return { compute: o.budget, y, lo: iv?.[0], hi: iv?.[1], kind: o.bracketed ? KIND_OPTIMUM : KIND_UNBRACKETED, ...(o.excluded ? { note: 'not bracketed, not fitted' } : {}) };
    }),
    band: support.drawn ? (grid) => lawBand(ds.laws, key, grid, ds.file) : undefined,
    // A prediction is drawn only from a law that is drawn, and only when the fit does not mark it unsupported.
    predictions: preds.filter((p) => support.drawn && p.supported !== false && !p.shape).map((p) => ({
      label: p.target,
      compute: p.compute,
      y: key === 'scale' ? p.scale : p.tokens,
      lo: (key === 'scale' ? p.scaleInterval : p.tokensInterval)?.[0],
      hi: (key === 'scale' ? p.scaleInterval : p.tokensInterval)?.[1],
      factor: p.factor,
    })),
  };
}

/** Target models as built (a fit's shape predictions: their real scale and tokens), once per spot. */
export function builtModels(datasets: ReportDataset[], shown: ShownTarget[], key: 'scale' | 'data'): { label: string; compute: number; y: number }[] {
  const all = datasets.flatMap((d) => targetPredictions(d.laws, shown).filter((p) => p.shape).map((p) => ({ label: p.target, compute: p.compute, y: key === 'scale' ? p.scale : p.tokens })));
  return [...new Map(all.map((a) => [`${a.label}@${a.compute.toPrecision(4)}@${a.y.toPrecision(4)}`, a])).values()];
}

/** The reference laws, labelled with their representation when the datasets count model scale otherwise (paper: M). */
export function referenceFor(input: ReportInput, ds: ReportDataset[]): ReportInput['reference'] {
  const reps = new Set(ds.map((d) => d.laws.representation));
  const r = input.reference;
  // A report of the paper's own file needs no second copy of it as a reference.
  if (r && ds.some((d) => d.laws.name === r.laws.name && d.laws.provenance.source === r.laws.provenance.source)) return undefined;
  return r && (reps.size > 1 || !reps.has(r.laws.representation)) ? { ...r, label: `${r.label}, in ${r.laws.representation}` } : r;
}

export const BUILT_LEGEND = 'target model as built (its scale, 2T tokens)';

export function scalingChart(input: ReportInput): ChartSpec | undefined {
  const ds = allocationDatasets(input);
  if (ds.length === 0) return undefined;
  const name = scaleName(ds);
  const ref = referenceFor(input, ds);
  const axis = computeAxis(input, ds);
  const panel = (key: 'scale' | 'data', title: string, yTitle: string) => {
    const refLaw = ref?.laws.laws[key];
    return lawPanel({ title, yTitle, series: ds.map((d) => scalingSeries(d, key, axis.shown)), reference: refLaw ? { label: ref!.label, law: refLaw } : undefined, axis, markers: builtModels(ds, axis.shown, key), markerLegend: BUILT_LEGEND });
  };
  const noLaw = ds.flatMap((d) => (['scale', 'data'] as const).map((k) => [d, k, lawSupport(d.laws.laws[k], d.laws.details?.diagnostics).short] as const).filter(([, , r]) => r).map(([d, k, r]) => `${d.label} ${k === 'scale' ? name : 'D_opt'}: ${r}`));
  return {
    id: 'scaling',
    title: 'Optimal model and data scaling',
    caption: `Each budget's optimum (from its IsoFLOP curve; hollow and labelled when the minimum is not bracketed, "not fitted" when the fit left it out of the laws) with its interval, and the power laws ${name} = k·C^a, D_opt = k'·C^b fitted through them, each dataset with its own colour, dash and marker; the band is the law's ${input.datasets[0]?.laws.ciLevel ? `${Math.round(input.datasets[0].laws.ciLevel * 100)}% ` : ''}confidence band, drawn only where it spans less than two decades. The line is faded outside the budgets it was fitted on. ${ref ? `Grey, long dashes: the paper's Eq. 4 (${ref.label}). ` : ''}The x axis covers the fitted budgets with a quarter-decade margin.${hiddenTargetsNote(axis, factor)}${noLaw.length ? ` Not drawn as laws: ${noLaw.join('; ')}.` : ''}`,
    spec: assemble('Optimal model and data scaling (paper Fig. 4b, 4c)', [panel('scale', `Optimal model scale ${name}`, `${name} (FLOPs/token)`), panel('data', 'Optimal data D_opt', 'D_opt (tokens)')], { columns: 2 }),
  };
}

export const scalingKind: ChartKind = { id: 'scaling', build: scalingChart };
