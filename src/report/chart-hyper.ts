// Chart: hyperparameter laws (paper Fig. 3, Eq. 1): the near-optimal runs in grey (a shape per dataset), the fitted η_opt(C)
// and B_opt(C) with their bands, the paper's Eq. 1, and, when the targets are drawn, DeepSeek 7B/67B's batch and LR (Table 2).
import { PRESETS } from '../flops/presets.ts';
import type { PowerLaw } from '../schema/laws.ts';
import type { ChartKind, ChartSpec, ReportDataset, ReportInput } from './types.ts';
import { pivotBand, storedBand } from './bands.ts';
import { computeAxis, hiddenTargetsNote, type ShownTarget } from './axis.ts';
import { KIND_RUN, lawPanel, type LawSeries } from './law-panel.ts';
import { lawSupport } from './support.ts';
import { assemble } from './style.ts';
import { budgetRange, referenceFor, targetPredictions } from './chart-scaling.ts';
import { factor, percent } from '../util/format.ts';

type HyperKey = 'lr' | 'batch';

function nearOptimal(ds: ReportDataset, key: HyperKey): { compute: number; y: number; run: string }[] {
  return (ds.laws.details?.hyper?.nearOptimal ?? [])
    .map((p) => ({ compute: p.budget, y: (key === 'lr' ? p.lr : p.batchTokens) ?? NaN, run: p.runId }))
    .filter((p) => Number.isFinite(p.y) && p.y > 0);
}

/** The band of a hyperparameter law: the fit's own (details.bands.lr / .batch) if written, else pivoted at the near-optimal runs. */
function hyperBand(ds: ReportDataset, key: HyperKey, law: PowerLaw) {
  return (grid: number[]) => {
    const stored = storedBand(ds.laws.details, key, ds.file);
    if (stored) return stored;
    return pivotBand(law, nearOptimal(ds, key), grid, ds.laws.ciLevel ?? 0.95);
  };
}

function series(ds: ReportDataset, key: HyperKey, shown: ShownTarget[]): LawSeries {
  const law = ds.laws.laws[key];
  const support = lawSupport(law, ds.laws.details?.diagnostics);
  const points = nearOptimal(ds, key);
  const range = budgetRange(ds.laws) ?? (points.length ? [Math.min(...points.map((p) => p.compute)), Math.max(...points.map((p) => p.compute))] as [number, number] : undefined);
  return {
    label: ds.label,
    law: support.drawn ? law : undefined,
    noLaw: support.short ?? support.reason,
    fitRange: range,
    points: points.map((p) => ({ ...p, kind: KIND_RUN })),
    band: support.drawn && law ? hyperBand(ds, key, law) : undefined,
    // A prediction is drawn only from a law that is drawn, and only when the fit does not mark it unsupported.
    predictions: (support.drawn ? targetPredictions(ds.laws, shown) : [])
      .filter((p) => p.supported !== false && (key === 'lr' ? p.lr : p.batchTokens) !== undefined)
      .map((p) => {
        const iv = key === 'lr' ? p.lrInterval : p.batchInterval;
        return { label: p.target, compute: p.compute, y: (key === 'lr' ? p.lr : p.batchTokens)!, lo: iv?.[0], hi: iv?.[1], factor: p.factor };
      }),
  };
}

export const TABLE2_LEGEND = 'DeepSeek LLM as trained (Table 2)';

/** Table 2's batch (tokens) and peak LR of the drawn preset targets. */
export function table2Markers(shown: ShownTarget[], key: HyperKey): { label: string; compute: number; y: number }[] {
  return shown.filter((t) => t.key && PRESETS[t.key]).map((t) => {
    const p = PRESETS[t.key!];
    return { label: t.label, compute: t.compute, y: key === 'lr' ? p.lr : p.batchSeqs * p.seqLen };
  });
}

/** Datasets with a hyperparameter law in the file (drawn or not): the ones Fig. 3 is about. */
export function hyperDatasets(input: ReportInput): ReportDataset[] {
  return input.datasets.filter((d) => d.laws.laws.lr || d.laws.laws.batch);
}

export function hyperChart(input: ReportInput): ChartSpec | undefined {
  const ds = hyperDatasets(input);
  if (ds.length === 0) return undefined;
  const ref = referenceFor(input, ds);
  const axis = computeAxis(input, ds);
  const panels = [];
  const notes: string[] = [];
  for (const [key, title, yTitle] of [['lr', 'Optimal learning rate η_opt', 'Peak learning rate η'], ['batch', 'Optimal batch size B_opt', 'Batch size B (tokens)']] as const) {
    const withKey = ds.filter((d) => d.laws.laws[key]);
    if (withKey.length === 0) continue;
    const ss = withKey.map((d) => series(d, key, axis.shown));
    for (const s of ss) if (s.noLaw) notes.push(`${s.label} ${key === 'lr' ? 'η_opt' : 'B_opt'}: ${s.noLaw}`);
    const refLaw = ref?.laws.laws[key];
    panels.push(lawPanel({ title, yTitle, series: ss, labels: ds.map((d) => d.label), reference: refLaw ? { label: ref!.label, law: refLaw } : undefined, axis, greyPoints: true, markers: table2Markers(axis.shown, key), markerLegend: TABLE2_LEGEND }));
  }
  const threshold = ds.find((d) => d.laws.details?.hyper)?.laws.details?.hyper?.threshold;
  const table2 = axis.shown.some((t) => t.key && PRESETS[t.key]);
  return {
    id: 'hyper',
    title: 'Hyperparameter scaling laws (paper Fig. 3)',
    caption: `Grey markers (one shape per dataset): the near-optimal runs, whose final loss is within ${threshold !== undefined ? percent(threshold) : 'the fit\'s threshold'} of their budget's best (0.25% in the paper). Lines: the fitted η_opt = k·C^p and B_opt = k'·C^q in the dataset's colour and dash, faded outside the budgets they were fitted on; band: the law's confidence band (the fit's own when it wrote one, else the exponent's interval pivoted at the runs' centre, with the level there from the runs' scatter, Student t), drawn only where it spans less than two decades. ${ref ? 'Grey, long dashes: the paper\'s Eq. 1. ' : ''}${table2 ? 'Black crosses: the batch size and peak LR DeepSeek LLM 7B and 67B were trained with (Table 2). ' : ''}${hiddenTargetsNote(axis, factor)}${notes.length ? ` Not drawn as laws: ${notes.join('; ')}.` : ''}`,
    spec: assemble('Hyperparameter laws: η_opt(C) and B_opt(C) (paper Fig. 3)', panels, { columns: 2 }),
  };
}

export const hyperKind: ChartKind = { id: 'hyper', build: hyperChart };
