// Chart: data-quality comparison (paper Table 4): the exponents a and b of every dataset with intervals beside the published
// values, each row tagged with the representation its model scale was counted in, and the M_opt(C) laws overlaid.
import { TABLE4 } from '../laws/table4.ts';
import type { ChartKind, ChartSpec, ReportInput, VlSpec } from './types.ts';
import { computeAxis } from './axis.ts';
import { lawPanel } from './law-panel.ts';
import { lawSupport } from './support.ts';
import { assemble, linearTicks, PAIR, PANEL, tip } from './style.ts';
import { budgetRange, referenceFor, scaleName } from './chart-scaling.ts';

export const EXP_A = 'a (M_opt ∝ C^a)';
export const EXP_B = 'b (D_opt ∝ C^b)';
export const GROUP_PAPER = 'paper, Table 4';
export const GROUP_OURS = 'this report (fit)';
/** Exponents live in [0, 1] for sane fits; intervals reaching beyond [−0.2, 1.2] are clipped (the summary gives their numbers). */
export const EXPONENT_CLIP: [number, number] = [-0.2, 1.2];

export interface ExponentRow {
  source: string;
  group: string;
  exponent: string;
  value: number;
  lo?: number;
  hi?: number;
  representation?: string;
  /** False when the fit marks the law unsupported: drawn hollow, its row says so. */
  supported?: boolean;
}

/** 'micro-curated [M]': a row label with the representation its model scale was counted in. */
export const tagged = (label: string, rep: string) => `${label} [${rep}]`;

/** Rows of the exponent dot plot: every dataset's a and b (with intervals), then Table 4, each tagged with its representation. */
export function exponentRows(input: ReportInput): ExponentRow[] {
  const rows: ExponentRow[] = [];
  for (const d of input.datasets) {
    for (const [key, name] of [['scale', EXP_A], ['data', EXP_B]] as const) {
      const law = d.laws.laws[key];
      if (!law) continue;
      // Unsupported exponents stay on the plot (their intervals are the evidence), hollow, with the row saying so.
      const supported = lawSupport(law, d.laws.details?.diagnostics).drawn;
      const source = tagged(d.label, d.laws.representation) + (lawSupport(d.laws.laws.scale, d.laws.details?.diagnostics).drawn || !d.laws.laws.scale ? '' : ' (not supported)');
      rows.push({ source, group: GROUP_OURS, exponent: name, value: law.exponent, lo: law.ci?.exponent[0], hi: law.ci?.exponent[1], representation: d.laws.representation, supported });
    }
  }
  for (const t of TABLE4) {
    const source = tagged(t.label.startsWith('DeepSeek') ? t.label : `${t.label} (${t.data})`, t.representation);
    rows.push({ source, group: GROUP_PAPER, exponent: EXP_A, value: t.a, representation: t.representation });
    rows.push({ source, group: GROUP_PAPER, exponent: EXP_B, value: t.b, representation: t.representation });
  }
  return rows;
}

/** A dot plot of exponents (a, b) with interval bars, one row per source. */
export function exponentPanel(rows: ExponentRow[], title: string): VlSpec {
  const order = [...new Set(rows.map((r) => r.source))];
  const clip = (v: number) => Math.min(EXPONENT_CLIP[1], Math.max(EXPONENT_CLIP[0], v));
  const vals = rows.flatMap((r) => [r.value, r.lo ?? r.value, r.hi ?? r.value]).map(clip);
  const lo = Math.floor((Math.min(...vals) - 0.05) * 10) / 10;
  const hi = Math.ceil((Math.max(...vals) + 0.05) * 10) / 10;
  // Explicit ticks at a 0.1 or 0.2 step: the browser's font metrics differ from the headless renderer's, so labels are spaced, not left to overlap removal.
  const x = { field: 'value', type: 'quantitative', title: 'Exponent', scale: { domain: [lo, hi], zero: false, nice: false }, axis: { values: linearTicks(lo, hi, 8), format: '.1f', labelOverlap: 'greedy' } };
  const y = { field: 'source', type: 'nominal', title: null, sort: order, axis: { labelLimit: 340 } };
  const groups = [GROUP_OURS, GROUP_PAPER].filter((g) => rows.some((r) => r.group === g));
  const legend = { orient: 'bottom', direction: 'vertical' };
  const color = { field: 'exponent', type: 'nominal', title: 'Exponent', scale: { domain: [EXP_A, EXP_B], range: PAIR }, legend };
  const bars = rows.filter((r) => r.lo !== undefined && r.hi !== undefined).map((r) => ({ ...r, lo: clip(r.lo!), hi: clip(r.hi!), clipped: clip(r.lo!) !== r.lo || clip(r.hi!) !== r.hi }));
  return {
    title,
    width: PANEL.width - 40,
    height: { step: 12 },
    layer: [
      { data: { values: [{ v: 0.5 }] }, mark: { type: 'rule', color: '#bbbbbb', strokeDash: [3, 3] }, encoding: { x: { field: 'v', type: 'quantitative', scale: x.scale } } },
      { data: { values: bars }, mark: { type: 'rule', strokeWidth: 2, clip: true }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color, yOffset: { field: 'exponent', type: 'nominal', scale: { domain: [EXP_A, EXP_B], paddingOuter: 0.6 } } } },
      {
        data: { values: rows },
        mark: { type: 'point', filled: false, size: 70, opacity: 1, strokeWidth: 1.8, clip: true },
        encoding: {
          x, y, color,
          // Outline in the exponent's colour (color → stroke for an unfilled mark), filled unless unsupported.
          fill: { condition: { test: 'datum.supported === false', value: 'white' }, ...color, legend: null },
          yOffset: { field: 'exponent', type: 'nominal', scale: { domain: [EXP_A, EXP_B], paddingOuter: 0.6 } },
          shape: { field: 'group', type: 'nominal', title: 'Source', scale: { domain: groups, range: groups.map((g) => (g === GROUP_OURS ? 'circle' : 'diamond')) }, legend },
          tooltip: [tip('source', 'source [representation]'), tip('exponent', 'exponent'), tip('value', 'value', '.3f'), tip('lo', 'interval low', '.3f'), tip('hi', 'interval high', '.3f')],
        },
      },
    ],
  };
}

/** The comparison chart; absent when no file has a drawable M_opt or D_opt law. */
export function qualityChart(input: ReportInput): ChartSpec | undefined {
  const ds = input.datasets.filter((d) => d.laws.laws.scale && lawSupport(d.laws.laws.scale, d.laws.details?.diagnostics).drawn);
  if (!input.datasets.some((d) => d.laws.laws.scale || d.laws.laws.data)) return undefined;
  const panels: VlSpec[] = [exponentPanel(exponentRows(input), 'Allocation exponents vs the paper\'s Table 4')];
  if (ds.length) {
    const ref = referenceFor(input, ds);
    const name = scaleName(ds);
    panels.push(lawPanel({
      title: `${name}(C) of every dataset`,
      yTitle: `${name} (FLOPs/token)`,
      series: ds.map((d) => ({ label: d.label, law: d.laws.laws.scale, fitRange: budgetRange(d.laws), points: [] })),
      reference: ref?.laws.laws.scale ? { label: ref.label, law: ref.laws.laws.scale } : undefined,
      axis: computeAxis(input, ds),
      legendOrient: 'bottom',
    }));
  }
  return {
    id: 'quality',
    title: 'Data quality: allocation exponents',
    caption: 'Left: the exponents a and b fitted for each dataset, with their intervals (hollow, and the row marked "not supported", when the fit says its data cannot support the law), next to the values of the paper\'s Table 4 (diamonds); every row says in brackets how its model scale was counted (M: non-embedding FLOPs/token, the paper\'s; 6N1: non-embedding parameters, Kaplan\'s; 6N2: all parameters, Chinchilla\'s), since exponents in different representations are not strictly comparable. The paper found that higher-quality data gives a larger a: more of any extra compute should go to the model. Intervals running off the panel are clipped (the summary gives their numbers). Right: the optimal-model-scale laws overlaid over their fitted budgets.',
    spec: assemble('Data quality: a and b per dataset vs the paper\'s Table 4', panels, { columns: 2, resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent', opacity: 'independent' } } }),
  };
}

export const qualityKind: ChartKind = { id: 'quality', build: qualityChart };
