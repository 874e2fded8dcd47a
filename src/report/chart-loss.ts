// Chart 3, loss against compute (paper Fig. 5): each budget's optimal loss, the fitted L(C) = E + A·C^(−γ) with its band, and predictions for the target models.
import { evalLossLaw } from '../schema/laws.ts';
import type { ChartSpec, ReportDataset, ReportInput, VlSpec } from './types.ts';
import { storedBand } from './bands.ts';
import { budgetRange, targetPredictions } from './chart-scaling.ts';
import { assemble, boundedDomain, colorScale, logChannel, logDomain, logspace, lossTitle, PANEL } from './style.ts';
import { SEGMENT_EXTRAPOLATED, SEGMENT_FIT } from './law-panel.ts';

/** Groups datasets by loss units: one panel per unit, so no axis mixes bits-per-byte with nats/token. */
export function byLossUnits(datasets: ReportDataset[]): Map<string, ReportDataset[]> {
  const m = new Map<string, ReportDataset[]>();
  for (const d of datasets) m.set(d.laws.units.loss, [...(m.get(d.laws.units.loss) ?? []), d]);
  return m;
}

function panel(units: string, ds: ReportDataset[], input: ReportInput, multi: boolean): VlSpec | undefined {
  const points: Record<string, unknown>[] = [];
  const lines: Record<string, unknown>[] = [];
  const bands: Record<string, unknown>[] = [];
  const preds: Record<string, unknown>[] = [];
  for (const d of ds) {
    for (const o of d.laws.details?.optima ?? []) {
      if (o.dropped) continue;
      points.push({ label: d.label, compute: o.budget, loss: o.lossOpt, lo: o.ci?.lossOpt?.[0], hi: o.ci?.lossOpt?.[1] });
    }
    for (const p of targetPredictions(d.laws, input.targets)) {
      if (p.loss === undefined) continue;
      preds.push({ label: d.label, target: p.target, compute: p.compute, loss: p.loss, lo: p.lossInterval?.[0], hi: p.lossInterval?.[1] });
    }
  }
  if (points.length === 0 && preds.length === 0) return undefined;
  const computes = [...points.map((p) => p.compute as number), ...input.targets.map((t) => t.compute)];
  const [cLo, cHi] = logDomain(computes, 0.15);
  const grid = logspace(cLo, cHi, 60);
  for (const d of ds) {
    const law = d.laws.laws.loss;
    if (!law) continue;
    const [fLo, fHi] = budgetRange(d.laws) ?? [cLo, cHi];
    for (const c of grid) lines.push({ label: d.label, compute: c, loss: evalLossLaw(law, c), segment: c >= fLo && c <= fHi ? SEGMENT_FIT : SEGMENT_EXTRAPOLATED, part: c < fLo ? 'below' : c > fHi ? 'above' : 'fit' });
    // Join the segments: repeat the fit's end points in the extrapolated parts.
    for (const [c, part] of [[fLo, 'below'], [fHi, 'above']] as const) lines.push({ label: d.label, compute: c, loss: evalLossLaw(law, c), segment: SEGMENT_EXTRAPOLATED, part });
    for (const b of storedBand(d.laws.details, 'loss', d.file) ?? []) bands.push({ label: d.label, compute: b.compute, lo: b.lo, hi: b.hi });
  }
  // Estimates and lines set the range; intervals widen it by a quarter of that span at most and are clipped beyond.
  const core = [...points.map((p) => p.loss as number), ...preds.map((p) => p.loss as number), ...lines.map((l) => l.loss as number)];
  const extra = [...points, ...preds].flatMap((p) => [p.lo, p.hi] as (number | undefined)[]).filter((v): v is number => v !== undefined);
  const [yLo, yHi] = boundedDomain(core, extra, { log: false, maxGrow: 0.25, pad: 0.04 });
  const x = logChannel('compute', 'Compute C (FLOPs)', [cLo, cHi]);
  const yScale = { zero: false, domain: [yLo, yHi] };
  const y = { field: 'loss', type: 'quantitative', title: lossTitle(units), scale: yScale };
  const color = { field: 'label', type: 'nominal', title: 'Dataset', scale: colorScale(ds.map((d) => d.label)) };
  const layers: VlSpec[] = [];
  if (bands.length) layers.push({ data: { values: bands }, mark: { type: 'area', opacity: 0.16, clip: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: lossTitle(units), scale: yScale }, y2: { field: 'hi' }, color } });
  if (input.targets.length) {
    const t = input.targets.map((tg) => ({ target: tg.label, compute: tg.compute }));
    layers.push({ data: { values: t }, mark: { type: 'rule', color: '#888888', strokeDash: [1, 3] }, encoding: { x } });
    layers.push({ data: { values: t }, mark: { type: 'text', color: '#444444', angle: 90, align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 10 }, encoding: { x, y: { value: 0 }, text: { field: 'target' } } });
  }
  if (lines.length) layers.push({ data: { values: lines }, mark: { type: 'line', strokeWidth: 1.8, clip: true }, encoding: { x, y, color, detail: { field: 'part' }, strokeDash: { field: 'segment', type: 'nominal', title: 'Line', scale: { domain: [SEGMENT_FIT, SEGMENT_EXTRAPOLATED], range: [[1, 0], [2, 3]] } } } });
  const bars = [...points, ...preds].filter((p) => p.lo !== undefined && p.hi !== undefined);
  if (bars.length) layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.5, clip: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: lossTitle(units), scale: yScale }, y2: { field: 'hi' }, color } });
  if (points.length) layers.push({ data: { values: points }, mark: { type: 'point', filled: true, size: 50, clip: true }, encoding: { x, y, color, tooltip: [{ field: 'label' }, { field: 'compute', format: '.3e' }, { field: 'loss', format: '.4f' }] } });
  if (preds.length) layers.push({ data: { values: preds }, mark: { type: 'point', shape: 'square', filled: false, strokeWidth: 2, size: 90, clip: true }, encoding: { x, y, color, tooltip: [{ field: 'label' }, { field: 'target' }, { field: 'loss', format: '.4f' }, { field: 'lo', format: '.4f' }, { field: 'hi', format: '.4f' }] } });
  return { ...(multi ? { title: `Loss in ${units}` } : {}), width: PANEL.width + 80, height: PANEL.height, layer: layers };
}

/** One panel per loss unit among the datasets (absent when no file has optima or loss predictions). */
export function lossChart(input: ReportInput): ChartSpec | undefined {
  const groups = byLossUnits(input.datasets);
  const panels = [...groups].map(([u, ds]) => panel(u, ds, input, groups.size > 1)).filter((p): p is VlSpec => p !== undefined);
  if (panels.length === 0) return undefined;
  return {
    id: 'loss',
    title: 'Loss vs compute',
    caption: `Optimal loss of each budget (the minimum of its IsoFLOP parabola) and the fitted L(C) = E + A·C^(−γ), dotted where extrapolated; open squares: predicted losses for ${input.targets.map((t) => t.label).join(' and ')} with intervals.${groups.size > 1 ? ' Files declare different loss units, so each unit has its own panel.' : ''}`,
    spec: assemble('Loss vs compute (compute-optimal models)', panels, { columns: 2, resolve: { scale: { color: 'independent' } } }),
  };
}
