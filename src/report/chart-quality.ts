// Chart 6, data-quality comparison (paper Table 4): the exponents a and b of every dataset with intervals beside the published values, and the M_opt(C) laws overlaid.
import { TABLE4 } from '../laws/table4.ts';
import type { ChartSpec, ReportInput, VlSpec } from './types.ts';
import { lawPanel } from './law-panel.ts';
import { assemble, PANEL } from './style.ts';
import { budgetRange, referenceFor, scaleName } from './chart-scaling.ts';

export const EXP_A = 'a (M_opt ∝ C^a)';
export const EXP_B = 'b (D_opt ∝ C^b)';
export const GROUP_PAPER = 'paper, Table 4';
export const GROUP_OURS = 'this report (fit)';

export interface ExponentRow {
  source: string;
  group: string;
  exponent: string;
  value: number;
  lo?: number;
  hi?: number;
}

/** Rows of the exponent dot plot: every dataset's a and b (with intervals), then Table 4. */
export function exponentRows(input: ReportInput): ExponentRow[] {
  const rows: ExponentRow[] = [];
  for (const d of input.datasets) {
    for (const [key, name] of [['scale', EXP_A], ['data', EXP_B]] as const) {
      const law = d.laws.laws[key];
      if (law) rows.push({ source: d.label, group: GROUP_OURS, exponent: name, value: law.exponent, lo: law.ci?.exponent[0], hi: law.ci?.exponent[1] });
    }
  }
  for (const t of TABLE4) {
    const source = t.label.startsWith('DeepSeek') ? t.label : `${t.label} (${t.data})`;
    rows.push({ source, group: GROUP_PAPER, exponent: EXP_A, value: t.a });
    rows.push({ source, group: GROUP_PAPER, exponent: EXP_B, value: t.b });
  }
  return rows;
}

/** A dot plot of exponents (a, b) with interval bars, one row per source. */
export function exponentPanel(rows: ExponentRow[], title: string): VlSpec {
  const order = [...new Set(rows.map((r) => r.source))];
  // Exponents live in [0, 1] for sane fits; intervals reaching beyond [−0.2, 1.2] are clipped (the summary gives their numbers).
  const vals = rows.flatMap((r) => [r.value, r.lo ?? r.value, r.hi ?? r.value]).map((v) => Math.min(1.2, Math.max(-0.2, v)));
  const lo = Math.floor((Math.min(...vals) - 0.05) * 10) / 10;
  const hi = Math.ceil((Math.max(...vals) + 0.05) * 10) / 10;
  const x = { field: 'value', type: 'quantitative', title: 'Exponent', scale: { domain: [lo, hi], zero: false } };
  const y = { field: 'source', type: 'nominal', title: null, sort: order, axis: { labelLimit: 320 } };
  const groups = [GROUP_OURS, GROUP_PAPER].filter((g) => rows.some((r) => r.group === g));
  const legend = { orient: 'bottom', direction: 'vertical' };
  const color = { field: 'exponent', type: 'nominal', title: 'Exponent', scale: { domain: [EXP_A, EXP_B], range: ['#1f77b4', '#ff7f0e'] }, legend };
  return {
    title,
    width: PANEL.width - 60,
    height: { step: 22 },
    layer: [
      { data: { values: [{ v: 0.5 }] }, mark: { type: 'rule', color: '#bbbbbb', strokeDash: [3, 3] }, encoding: { x: { field: 'v', type: 'quantitative', scale: x.scale } } },
      { data: { values: rows.filter((r) => r.lo !== undefined && r.hi !== undefined) }, mark: { type: 'rule', strokeWidth: 2, clip: true }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color } },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 70, opacity: 1, clip: true },
        encoding: { x, y, color, shape: { field: 'group', type: 'nominal', title: 'Source', scale: { domain: groups, range: groups.map((g) => (g === GROUP_OURS ? 'circle' : 'diamond')) }, legend }, tooltip: [{ field: 'source' }, { field: 'exponent' }, { field: 'value', format: '.3f' }, { field: 'lo', format: '.3f' }, { field: 'hi', format: '.3f' }] },
      },
    ],
  };
}

/** The comparison chart; absent when no file has an M_opt or D_opt law. */
export function qualityChart(input: ReportInput): ChartSpec | undefined {
  const ds = input.datasets.filter((d) => d.laws.laws.scale);
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
      targets: input.targets,
      legendOrient: 'bottom',
    }));
  }
  return {
    id: 'quality',
    title: 'Data quality: allocation exponents',
    caption: 'Left: the exponents a and b fitted for each dataset, with their intervals, next to the values in the paper\'s Table 4 (diamonds). The paper found that higher-quality data gives a larger a: more of any extra compute should go to the model. Right: the optimal-model-scale laws overlaid. Intervals running off the panel are clipped (the summary gives their numbers).',
    spec: assemble('Data quality: a and b per dataset vs the paper\'s Table 4', panels, { columns: 2, resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } } }),
  };
}
