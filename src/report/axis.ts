// The compute axis of every chart over C: the fitted range with a modest margin by default; targets drawn only when asked or
// within the extrapolation limit; targets asked for beyond it go to a separate narrow far-extrapolation panel.
import { EXTRAPOLATION_LIMIT, PAPER_BUDGETS, extrapolationFactor, fittedComputeRange } from '../laws/extrapolation.ts';
import type { ReportDataset, ReportInput, ReportTarget } from './types.ts';

/** Margin around the fitted budgets: a quarter decade on each side. */
export const AXIS_MARGIN_DECADES = 0.25;
/** Margin around far targets in their panel. */
const FAR_MARGIN_DECADES = 0.3;

/** A target on a chart: its extrapolation factor from the data, and the panel it is drawn in. */
export interface ShownTarget extends ReportTarget {
  factor: number;
  panel: 'near' | 'far';
}

export interface ComputeAxis {
  /** Domain of the main panel: the fitted compute with a margin (and the targets within the limit that are drawn). */
  near: [number, number];
  /** Domain of the far-extrapolation panel, when targets beyond the limit were asked for. */
  far?: [number, number];
  /** Union of the datasets' fitted compute ranges. */
  fitted: [number, number];
  /** Targets drawn, each with its factor. */
  shown: ShownTarget[];
  /** Targets left out (beyond the limit, not asked for), with their factor: captions say so. */
  hidden: ShownTarget[];
  limit: number;
}

const widen = (r: [number, number], decades: number): [number, number] => [r[0] / Math.pow(10, decades), r[1] * Math.pow(10, decades)];

/** The fitted compute range of each dataset (paper budgets for a published file without details). */
export function datasetRange(d: ReportDataset): [number, number] {
  return fittedComputeRange(d.laws) ?? PAPER_BUDGETS;
}

/** The compute axis for the given datasets (all of the input's when omitted); `extra` are compute values that must be visible (e.g. optima). */
export function computeAxis(input: ReportInput, datasets: ReportDataset[] = input.datasets, extra: number[] = []): ComputeAxis {
  const ranges = datasets.map(datasetRange);
  const fitted: [number, number] = ranges.length ? [Math.min(...ranges.map((r) => r[0]), ...extra), Math.max(...ranges.map((r) => r[1]), ...extra)] : PAPER_BUDGETS;
  const limit = input.maxExtrapolation ?? EXTRAPOLATION_LIMIT;
  const all = input.targets.map((t) => ({ ...t, factor: extrapolationFactor(t.compute, fitted) }));
  const within = all.filter((t) => t.factor <= limit);
  const beyond = all.filter((t) => t.factor > limit);
  const asked = input.showTargets === 'all';
  // The axis also shows every budget drawn (optima left out of the laws, near-optimal runs), the factor counts from the fitted ones.
  const observed = datasets.flatMap((d) => [...(d.laws.details?.optima ?? []).filter((o) => !o.dropped).map((o) => o.budget), ...(d.laws.details?.hyper?.nearOptimal ?? []).map((p) => p.budget)]).filter((c) => c > 0);
  let near = widen([Math.min(fitted[0], ...observed), Math.max(fitted[1], ...observed)], AXIS_MARGIN_DECADES);
  for (const t of within) near = [Math.min(near[0], t.compute / Math.pow(10, 0.15)), Math.max(near[1], t.compute * Math.pow(10, 0.15))];
  const shown: ShownTarget[] = within.map((t) => ({ ...t, panel: 'near' }));
  let far: [number, number] | undefined;
  if (asked && beyond.length) {
    far = widen([Math.min(...beyond.map((t) => t.compute)), Math.max(...beyond.map((t) => t.compute))], FAR_MARGIN_DECADES);
    shown.push(...beyond.map((t) => ({ ...t, panel: 'far' as const })));
  }
  return { near, far, fitted, shown, hidden: asked ? [] : beyond.map((t) => ({ ...t, panel: 'far' as const })), limit };
}

/** Caption text for targets left out: "DeepSeek 7B (×2.8e11) and … lie beyond ×100 of the fitted compute: `--targets 7b,67b` draws them." */
export function hiddenTargetsNote(axis: ComputeAxis, fmtFactor: (x: number) => string): string {
  if (axis.hidden.length === 0) return '';
  const names = axis.hidden.map((t) => `${t.label} (${fmtFactor(t.factor)})`).join(', ');
  const keys = axis.hidden.map((t) => t.key ?? t.label).join(',');
  return ` Not drawn: ${names}, more than ${fmtFactor(axis.limit)} beyond the fitted compute (\`--targets ${keys}\` draws them in a separate panel).`;
}
