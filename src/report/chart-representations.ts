// Chart 7, model-scale representations (paper Sec. 3.2, Fig. 6): the same runs fitted with 6N1, 6N2 and M — exponents and loss-vs-compute curves side by side.
import { evalLossLaw } from '../schema/laws.ts';
import type { ChartSpec, ReportInput, VlSpec } from './types.ts';
import { exponentPanel, EXP_A, EXP_B, GROUP_OURS, type ExponentRow } from './chart-quality.ts';
import { assemble, colorScale, logChannel, logDomain, logspace, lossTitle, PANEL } from './style.ts';

/** Representation rows of every dataset that has them, labelled 'dataset · representation' when several datasets do. */
function entries(input: ReportInput) {
  const ds = input.datasets.filter((d) => (d.laws.details?.representations?.length ?? 0) > 0);
  return ds.flatMap((d) => d.laws.details!.representations!.map((r) => ({ label: ds.length > 1 ? `${d.label} · ${r.representation}` : r.representation, units: d.laws.units.loss, rep: r })));
}

export function representationsChart(input: ReportInput): ChartSpec | undefined {
  const es = entries(input);
  if (es.length === 0) return undefined;
  const rows: ExponentRow[] = es.flatMap((e) => [
    { source: e.label, group: GROUP_OURS, exponent: EXP_A, value: e.rep.scale.exponent, lo: e.rep.scale.ci?.exponent[0], hi: e.rep.scale.ci?.exponent[1] },
    { source: e.label, group: GROUP_OURS, exponent: EXP_B, value: e.rep.data.exponent, lo: e.rep.data.ci?.exponent[0], hi: e.rep.data.ci?.exponent[1] },
  ]);
  const panels: VlSpec[] = [exponentPanel(rows, 'Exponents by representation')];
  const withLoss = es.filter((e) => e.rep.loss);
  const units = [...new Set(withLoss.map((e) => e.units))];
  if (withLoss.length && units.length === 1) {
    const preds = withLoss.flatMap((e) => (e.rep.predictions ?? []).filter((p) => p.loss !== undefined).map((p) => ({ label: e.label, target: p.label, compute: p.compute, loss: p.loss!, lo: p.lossInterval?.[0], hi: p.lossInterval?.[1] })));
    const [cLo, cHi] = logDomain([...input.targets.map((t) => t.compute), ...input.datasets.flatMap((d) => (d.laws.details?.optima ?? []).map((o) => o.budget)), ...preds.map((p) => p.compute)], 0.15);
    const lines = withLoss.flatMap((e) => logspace(cLo, cHi, 60).map((c) => ({ label: e.label, compute: c, loss: evalLossLaw(e.rep.loss!, c) })));
    const ys = [...lines.map((l) => l.loss), ...preds.flatMap((p) => [p.loss, p.lo ?? p.loss, p.hi ?? p.loss])];
    const pad = (Math.max(...ys) - Math.min(...ys)) * 0.06 || 0.05;
    const x = logChannel('compute', 'Compute C (FLOPs, in each representation)', [cLo, cHi]);
    const yScale = { zero: false, domain: [Math.min(...ys) - pad, Math.max(...ys) + pad] };
    const y = { field: 'loss', type: 'quantitative', title: lossTitle(units[0]), scale: yScale };
    const color = { field: 'label', type: 'nominal', title: 'Representation', scale: colorScale(withLoss.map((e) => e.label)) };
    const layers: VlSpec[] = [{ data: { values: lines }, mark: { type: 'line', strokeWidth: 1.8, clip: true }, encoding: { x, y, color } }];
    const bars = preds.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (bars.length) layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.5, clip: true }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } });
    if (preds.length) layers.push({ data: { values: preds }, mark: { type: 'point', shape: 'square', filled: false, size: 80, strokeWidth: 2 }, encoding: { x, y, color, tooltip: [{ field: 'label' }, { field: 'target' }, { field: 'loss', format: '.4f' }] } });
    panels.push({ title: 'Loss vs compute by representation', width: PANEL.width, height: PANEL.height, layer: layers });
  }
  return {
    id: 'representations',
    title: 'Model-scale representations (6N1, 6N2, M)',
    caption: 'The same runs fitted with model scale counted as 6·N1 (non-embedding parameters), 6·N2 (all parameters) or M (non-embedding FLOPs/token incl. attention). The paper found M predicts large models best; 6N1 over-estimates and 6N2 under-estimates their performance.',
    spec: assemble('Representation comparison', panels, { columns: 2, resolve: { scale: { color: 'independent', shape: 'independent' } } }),
  };
}
