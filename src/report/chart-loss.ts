// Chart: loss against compute (paper Fig. 5): each budget's optimal loss, the fitted L(C) = E + A·C^(−γ) with its band where the
// band means something, over the fitted compute; predictions at targets only when those are drawn (far ones in their own panel).
import { evalLossLaw } from '../schema/laws.ts';
import type { ChartKind, ChartSpec, ReportDataset, ReportInput, VlSpec } from './types.ts';
import { meaningfulBand, storedBand } from './bands.ts';
import { computeAxis, hiddenTargetsNote } from './axis.ts';
import { budgetRange, targetPredictions } from './chart-scaling.ts';
import { KIND_OPTIMUM, KIND_UNBRACKETED, LEGEND_PREDICTION, SEGMENT_EXTRAPOLATED, SEGMENT_FIT, targetLayers, unbracketedLabels } from './law-panel.ts';
import { lawSupport } from './support.ts';
import { assemble, boundedDomain, linearChannel, logChannel, logspace, lossTitle, markLegend, PANEL, seriesScales, tip } from './style.ts';
import { factor } from '../util/format.ts';

/** Groups datasets by loss units: one panel per unit, so no axis mixes bits-per-byte with nats/token. */
export function byLossUnits(datasets: ReportDataset[]): Map<string, ReportDataset[]> {
  const m = new Map<string, ReportDataset[]>();
  for (const d of datasets) m.set(d.laws.units.loss, [...(m.get(d.laws.units.loss) ?? []), d]);
  return m;
}

/** A band is drawn where it is narrower than this share of the panel's loss range. */
export const LOSS_BAND_MAX_SHARE = 0.5;

function panel(units: string, ds: ReportDataset[], input: ReportInput, multi: boolean): VlSpec | undefined {
  const axis = computeAxis(input, ds);
  const optima = ds.flatMap((d) => (d.laws.details?.optima ?? []).filter((o) => !o.dropped).map((o) => ({ label: d.label, compute: o.budget, loss: o.lossOpt, lo: o.ci?.lossOpt?.[0], hi: o.ci?.lossOpt?.[1], kind: o.bracketed ? KIND_OPTIMUM : KIND_UNBRACKETED, ...(o.excluded ? { note: 'not bracketed, not fitted' } : {}) })));
  const preds = ds.flatMap((d) => targetPredictions(d.laws, axis.shown).filter((p) => p.loss !== undefined && p.supported !== false && lawSupport(d.laws.laws.loss, d.laws.details?.diagnostics).drawn).map((p) => ({ label: d.label, target: p.target, compute: p.compute, loss: p.loss!, lo: p.lossInterval?.[0], hi: p.lossInterval?.[1], factor: p.factor })));
  const drawn = ds.filter((d) => lawSupport(d.laws.laws.loss).drawn && d.laws.laws.loss);
  if (optima.length === 0 && drawn.length === 0) return undefined;
  const domains: { d: [number, number]; far: boolean }[] = [{ d: axis.near, far: false }, ...(axis.far ? [{ d: axis.far, far: true }] : [])];
  const inside = (c: number, d: [number, number]) => c >= d[0] * (1 - 1e-9) && c <= d[1] * (1 + 1e-9);
  const perPanel = domains.map(({ d, far }) => {
    const lines: Record<string, unknown>[] = [];
    const bands: { label: string; compute: number; lo: number; hi: number }[] = [];
    for (const ds1 of drawn) {
      const law = ds1.laws.laws.loss!;
      const [fLo, fHi] = budgetRange(ds1.laws) ?? d;
      const grid = logspace(d[0], d[1], 60);
      for (const c of grid) lines.push({ label: ds1.label, compute: c, loss: evalLossLaw(law, c), segment: !far && c >= fLo && c <= fHi ? SEGMENT_FIT : SEGMENT_EXTRAPOLATED, part: far ? 'far' : c < fLo ? 'below' : c > fHi ? 'above' : 'fit' });
      // Join the segments: the fit's end points also start the extrapolated parts.
      if (!far) for (const [c, part] of [[fLo, 'below'], [fHi, 'above'], [fLo, 'fit'], [fHi, 'fit']] as const) if (inside(c, d)) lines.push({ label: ds1.label, compute: c, loss: evalLossLaw(law, c), segment: part === 'fit' ? SEGMENT_FIT : SEGMENT_EXTRAPOLATED, part });
      for (const b of storedBand(ds1.laws.details, 'loss', ds1.file) ?? []) if (inside(b.compute, d)) bands.push({ label: ds1.label, ...b });
    }
    return { d, far, lines, bands, points: optima.filter((p) => inside(p.compute, d)), preds: preds.filter((p) => inside(p.compute, d)), targets: axis.shown.filter((t) => (t.panel === 'far') === far) };
  });
  // Estimates and lines set the range; intervals widen it by a quarter of that span at most and are clipped beyond.
  const core = perPanel.flatMap((p) => [...p.points.map((q) => q.loss), ...p.preds.map((q) => q.loss), ...p.lines.map((l) => l.loss as number)]);
  const extra = perPanel.flatMap((p) => [...p.points, ...p.preds].flatMap((q) => [q.lo, q.hi]).filter((v): v is number => v !== undefined));
  const yDomain = boundedDomain(core, extra, { log: false, maxGrow: 0.25, pad: 0.05 });
  const maxWidth = LOSS_BAND_MAX_SHARE * (yDomain[1] - yDomain[0]);
  const scales = seriesScales(ds.map((d) => d.label));
  const views = perPanel.map((p) => {
    const x = logChannel('compute', p.far ? 'C (FLOPs), far' : 'Compute C (FLOPs)', p.d);
    const yBase = linearChannel('loss', lossTitle(units), yDomain);
    const y = p.far ? { ...yBase, axis: { ...(yBase.axis as object), labels: false, ticks: false, title: null } } : yBase;
    const yLo = { ...y, field: 'lo' };
    const color = { field: 'label', type: 'nominal', title: 'Dataset', scale: scales.color, legend: {} };
    const layers: VlSpec[] = [];
    const bands = meaningfulBand(p.bands, { log: false, maxWidth });
    if (bands.length) layers.push({ data: { values: bands }, mark: { type: 'area', opacity: 0.15, clip: true }, encoding: { x, y: yLo, y2: { field: 'hi' }, color } });
    layers.push(...targetLayers(p.targets, x, p.d));
    if (p.lines.length) {
      layers.push({ data: { values: p.lines }, mark: { type: 'line', strokeWidth: 2, clip: true }, encoding: { x, y, color, strokeDash: { field: 'label', type: 'nominal', title: 'Dataset', scale: scales.dash }, detail: { field: 'part' }, opacity: { field: 'segment', type: 'ordinal', title: 'Line', scale: { domain: [SEGMENT_FIT, SEGMENT_EXTRAPOLATED], range: [1, 0.45] }, legend: { symbolType: 'stroke' } } } });
    }
    const bars = [...p.points, ...p.preds].filter((q) => q.lo !== undefined && q.hi !== undefined);
    if (bars.length) layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.5, clip: true }, encoding: { x, y: yLo, y2: { field: 'hi' }, color } });
    if (p.points.length) {
      layers.push({
        data: { values: p.points },
        mark: { type: 'point', filled: true, size: 60, strokeWidth: 1.6, opacity: 1, clip: true },
        encoding: { x, y, color, stroke: color, shape: { field: 'label', type: 'nominal', title: 'Dataset', scale: scales.shape }, fillOpacity: { condition: { test: `datum.kind === ${JSON.stringify(KIND_UNBRACKETED)}`, value: 0 }, value: 0.9 }, tooltip: [tip('label', 'dataset'), tip('compute', 'C (FLOPs)', '.3~e'), tip('loss', `loss (${units})`, '.4f'), tip('lo', 'interval low', '.4f'), tip('hi', 'interval high', '.4f')] },
      });
    }
    const unbracketed = p.points.filter((q) => q.kind === KIND_UNBRACKETED);
    if (unbracketed.length) layers.push(unbracketedLabels(unbracketed, x, y));
    if (p.preds.length) {
      layers.push({
        data: { values: p.preds },
        mark: { type: 'point', shape: 'square', filled: false, strokeWidth: 2, clip: true },
        encoding: { x, y, color, size: markLegend('size', LEGEND_PREDICTION, 'Predictions'), tooltip: [tip('label', 'dataset'), tip('target', 'target'), tip('loss', `loss (${units})`, '.4f'), tip('lo', 'interval low', '.4f'), tip('hi', 'interval high', '.4f'), tip('factor', '× beyond fitted compute', '.2~e')] },
      });
    }
    const farTitle = p.far ? { title: { text: 'far extrapolation', fontSize: 11, subtitle: p.targets.map((t) => `${t.label} ${factor(t.factor)}`), subtitleFontSize: 10 } } : {};
    return { ...farTitle, width: p.far ? 150 : PANEL.width + 40, height: PANEL.height, layer: layers };
  });
  const title = multi ? { title: `Loss in ${units}` } : {};
  if (views.length === 1) return { ...views[0], ...title };
  return { ...title, hconcat: views, spacing: 14, resolve: { scale: { y: 'shared' } } };
}

export function lossChart(input: ReportInput): ChartSpec | undefined {
  const groups = byLossUnits(input.datasets);
  const panels = [...groups].map(([u, ds]) => panel(u, ds, input, groups.size > 1)).filter((p): p is VlSpec => p !== undefined);
  if (panels.length === 0) return undefined;
  const axis = computeAxis(input);
  const noLaw = input.datasets.map((d) => [d, lawSupport(d.laws.laws.loss, d.laws.details?.diagnostics).short] as const).filter(([, r]) => r).map(([d, r]) => `${d.label}: ${r}`);
  return {
    id: 'loss',
    title: 'Loss vs compute',
    caption: `Optimal loss of each budget (the minimum of its IsoFLOP parabola, with its interval; hollow when not bracketed) and the fitted L(C) = E + A·C^(−γ), faded outside the fitted budgets; the band (when the fit wrote one) is drawn only where it is narrower than half the panel's loss range. Open squares: the fit's predicted losses at the drawn targets, with intervals.${groups.size > 1 ? ' Files declare different loss units, so each unit has its own panel.' : ''}${hiddenTargetsNote(axis, factor)}${noLaw.length ? ` Not drawn as laws: ${noLaw.join('; ')}.` : ''}`,
    spec: assemble('Loss vs compute (compute-optimal models, paper Fig. 5)', panels, { columns: 2, resolve: { scale: { color: 'independent', stroke: 'independent', strokeDash: 'independent', shape: 'independent' } } }),
  };
}

export const lossKind: ChartKind = { id: 'loss', build: lossChart };
