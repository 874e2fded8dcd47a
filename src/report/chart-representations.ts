// Chart: model-scale representations (paper Sec. 3.2, Fig. 6): the same runs fitted with 6N1, 6N2 and M — exponents and
// loss-vs-compute curves side by side, over the fitted budgets (targets only when drawn).
import { evalLossLaw } from '../schema/laws.ts';
import type { ChartKind, ChartSpec, ReportInput, VlSpec } from './types.ts';
import { computeAxis } from './axis.ts';
import { exponentPanel, EXP_A, EXP_B, GROUP_OURS, tagged, type ExponentRow } from './chart-quality.ts';
import { targetLayers } from './law-panel.ts';
import { assemble, boundedDomain, linearChannel, logChannel, logspace, lossTitle, PANEL, seriesScales, tip } from './style.ts';

/** Representation rows of every dataset that has them, labelled 'dataset [representation]'. */
function entries(input: ReportInput) {
  const ds = input.datasets.filter((d) => (d.laws.details?.representations?.length ?? 0) > 0);
  return ds.flatMap((d) => d.laws.details!.representations!.map((r) => ({ label: tagged(d.label, r.representation), dataset: d, units: d.laws.units.loss, rep: r })));
}

export function representationsChart(input: ReportInput): ChartSpec | undefined {
  const es = entries(input).filter((e) => e.rep.scale && e.rep.data);
  if (es.length === 0) return undefined;
  const rows: ExponentRow[] = es.flatMap((e) => [
    { source: e.label, group: GROUP_OURS, exponent: EXP_A, value: e.rep.scale.exponent, lo: e.rep.scale.ci?.exponent[0], hi: e.rep.scale.ci?.exponent[1], representation: e.rep.representation },
    { source: e.label, group: GROUP_OURS, exponent: EXP_B, value: e.rep.data.exponent, lo: e.rep.data.ci?.exponent[0], hi: e.rep.data.ci?.exponent[1], representation: e.rep.representation },
  ]);
  const panels: VlSpec[] = [exponentPanel(rows, 'Exponents by representation')];
  const withLoss = es.filter((e) => e.rep.loss);
  const units = [...new Set(withLoss.map((e) => e.units))];
  const axis = computeAxis(input, [...new Set(es.map((e) => e.dataset))]);
  if (withLoss.length && units.length === 1) {
    // Only the main panel here: compute in each representation differs (C = scale·D), so far targets are left to the other charts.
    const d = axis.near;
    const shownHere = axis.shown.filter((t) => t.panel === 'near');
    const preds = withLoss.flatMap((e) => (e.rep.predictions ?? []).filter((p) => p.loss !== undefined && p.compute >= d[0] && p.compute <= d[1] && shownHere.some((t) => Math.abs(p.compute / t.compute - 1) < 0.05 || t.key === p.label.toLowerCase())).map((p) => ({ label: e.label, target: p.label, compute: p.compute, loss: p.loss!, lo: p.lossInterval?.[0], hi: p.lossInterval?.[1] })));
    const lines = withLoss.flatMap((e) => logspace(d[0], d[1], 60).map((c) => ({ label: e.label, compute: c, loss: evalLossLaw(e.rep.loss!, c) })));
    const optima = withLoss.flatMap((e) => e.rep.representation === e.dataset.laws.representation ? (e.dataset.laws.details?.optima ?? []).filter((o) => !o.dropped).map((o) => o.lossOpt) : []);
    const yDomain = boundedDomain([...lines.map((l) => l.loss), ...preds.map((p) => p.loss), ...optima], preds.flatMap((p) => [p.lo ?? p.loss, p.hi ?? p.loss]), { log: false, maxGrow: 0.25, pad: 0.05 });
    const x = logChannel('compute', 'Compute C (FLOPs, in each representation)', d);
    const y = linearChannel('loss', lossTitle(units[0]), yDomain);
    const scales = seriesScales(withLoss.map((e) => e.label));
    const color = { field: 'label', type: 'nominal', title: 'Fit [representation]', scale: scales.color };
    const layers: VlSpec[] = [...targetLayers(shownHere, x, d), { data: { values: lines }, mark: { type: 'line', strokeWidth: 2, clip: true }, encoding: { x, y, color, strokeDash: { field: 'label', type: 'nominal', title: 'Fit [representation]', scale: scales.dash }, tooltip: [tip('label', 'fit'), tip('compute', 'C (FLOPs)', '.3~e'), tip('loss', `loss (${units[0]})`, '.4f')] } }];
    const bars = preds.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (bars.length) layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.5, clip: true }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } });
    if (preds.length) layers.push({ data: { values: preds }, mark: { type: 'point', shape: 'square', filled: false, size: 80, strokeWidth: 2, clip: true }, encoding: { x, y, color, tooltip: [tip('label', 'fit'), tip('target', 'target'), tip('loss', `loss (${units[0]})`, '.4f')] } });
    panels.push({ title: 'Loss vs compute by representation', width: PANEL.width, height: PANEL.height, layer: layers });
  }
  return {
    id: 'representations',
    title: 'Model-scale representations (6N1, 6N2, M)',
    caption: 'The same runs fitted with model scale counted as 6·N1 (non-embedding parameters), 6·N2 (all parameters) or M (non-embedding FLOPs/token incl. attention); each row and line is tagged with its representation. The paper found M predicts large models best; 6N1 over-estimates and 6N2 under-estimates their performance. The loss panel covers the fitted budgets (compute counted in each representation).',
    spec: assemble('Representation comparison (paper Sec. 3.2)', panels, { columns: 2, resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } } }),
  };
}

export const representationsKind: ChartKind = { id: 'representations', build: representationsChart };
