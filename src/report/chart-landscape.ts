// Chart: the loss landscape over batch size × learning rate (paper Fig. 2): per budget, every run as a cell coloured by how far
// its final loss is above the budget's best, the near-optimal region (within the fit's threshold, 0.25% in the paper) outlined,
// and the paper's Eq. 1 at that budget marked.
import { evalPowerLaw, type FitPoint } from '../schema/laws.ts';
import type { ChartKind, ChartSpec, ReportDataset, ReportInput, VlSpec } from './types.ts';
import { budgetLabel } from './chart-isoflop.ts';
import { referenceFor } from './chart-scaling.ts';
import { assemble, LOG_LABEL_EXPR, markLegend, tip } from './style.ts';
import { num, percent, si } from '../util/format.ts';

/** The paper's near-optimal threshold (Sec. 3.1): final loss within 0.25% of the budget's minimum. */
export const PAPER_THRESHOLD = 0.0025;
/** Colour range cap: cells more than this far above the best share the end colour (a diverged corner must not wash out the rest). */
export const EXCESS_CAP_PERCENT = 15;
export const NEAR_LEGEND = 'near-optimal region';
export const EQ1_LEGEND = 'paper Eq. 1 at this budget';

const CELL = { width: 230, height: 180 };

/** Edges of cells centred on sorted distinct values in log space: geometric midpoints, the ends half a step out. */
export function logCellEdges(values: number[]): Map<number, [number, number]> {
  const v = [...new Set(values)].sort((a, b) => a - b);
  const l = v.map(Math.log10);
  const edges = new Map<number, [number, number]>();
  v.forEach((x, i) => {
    const left = i > 0 ? (l[i - 1] + l[i]) / 2 : l[i] - (v.length > 1 ? (l[1] - l[0]) / 2 : 0.15);
    const right = i < v.length - 1 ? (l[i] + l[i + 1]) / 2 : l[i] + (v.length > 1 ? (l[i] - l[i - 1]) / 2 : 0.15);
    edges.set(x, [Math.pow(10, left), Math.pow(10, right)]);
  });
  return edges;
}

export interface LandscapeBudget {
  dataset: ReportDataset;
  budget: number;
  points: (FitPoint & { lr: number; batchTokens: number })[];
  best: FitPoint;
  threshold: number;
}

/** At most this many panels (a Step Law grid has hundreds of (N, D) groups): the first ones in budget order. */
export const MAX_LANDSCAPE_PANELS = 12;

/**
 * Budgets (and model scales within them) whose runs sweep both batch size and learning rate, at least two values of each for one
 * model: the landscapes Fig. 2 can draw. An IsoFLOP grid, where batch and LR follow each model's size, has none.
 */
export function landscapeBudgets(datasets: ReportDataset[]): LandscapeBudget[] {
  const out: LandscapeBudget[] = [];
  for (const d of datasets) {
    const swept = d.laws.details?.hyper?.swept;
    if (swept && !swept.lr && !swept.batch) continue;
    const pts = (d.laws.details?.points ?? []).filter((p): p is FitPoint & { lr: number; batchTokens: number } => Number.isFinite(p.loss) && (p.lr ?? 0) > 0 && (p.batchTokens ?? 0) > 0);
    const threshold = d.laws.details?.hyper?.threshold ?? PAPER_THRESHOLD;
    for (const budget of [...new Set(pts.map((p) => p.budget))].sort((a, b) => a - b)) {
      const atBudget = pts.filter((p) => p.budget === budget);
      for (const scale of [...new Set(atBudget.map((p) => p.scale))].sort((a, b) => a - b)) {
        const mine = atBudget.filter((p) => p.scale === scale);
        if (new Set(mine.map((p) => p.lr)).size < 2 || new Set(mine.map((p) => p.batchTokens)).size < 2) continue;
        const best = mine.reduce((a, b) => (b.loss < a.loss ? b : a));
        out.push({ dataset: d, budget, points: mine, best, threshold });
      }
    }
  }
  return out.slice(0, MAX_LANDSCAPE_PANELS);
}

function panel(b: LandscapeBudget, input: ReportInput, cap: number): VlSpec {
  const units = b.dataset.laws.units.loss;
  const bx = logCellEdges(b.points.map((p) => p.batchTokens));
  const ly = logCellEdges(b.points.map((p) => p.lr));
  const near = (p: FitPoint) => p.loss <= b.best.loss * (1 + b.threshold) * (1 + 1e-12);
  const cells = b.points.map((p) => ({
    run: p.runId, batch: p.batchTokens, lr: p.lr, loss: p.loss, excess: 100 * (p.loss / b.best.loss - 1),
    b0: bx.get(p.batchTokens)![0], b1: bx.get(p.batchTokens)![1], l0: ly.get(p.lr)![0], l1: ly.get(p.lr)![1],
    near: near(p), text: num(p.loss, 4),
  }));
  const xDomain: [number, number] = [Math.min(...cells.map((c) => c.b0)), Math.max(...cells.map((c) => c.b1))];
  const yDomain: [number, number] = [Math.min(...cells.map((c) => c.l0)), Math.max(...cells.map((c) => c.l1))];
  const batches = [...bx.keys()];
  const lrs = [...ly.keys()];
  const x = { field: 'b0', type: 'quantitative', title: 'Batch size B (tokens)', scale: { type: 'log', domain: xDomain, nice: false }, axis: { values: batches, labelExpr: "replace(format(datum.value, '.3~s'), 'k', 'K')", grid: false, labelOverlap: 'greedy' } };
  const y = { field: 'l0', type: 'quantitative', title: 'Peak learning rate η', scale: { type: 'log', domain: yDomain, nice: false }, axis: { values: lrs, labelExpr: LOG_LABEL_EXPR, grid: false } };
  const rect = { x, x2: { field: 'b1' }, y, y2: { field: 'l1' } };
  const layers: VlSpec[] = [
    {
      data: { values: cells },
      mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
      encoding: {
        ...rect,
        fill: { field: 'excess', type: 'quantitative', title: 'Loss above the budget\'s best (%)', scale: { scheme: 'viridis', domain: [0, cap], clamp: true }, legend: { gradientLength: 140, titleLimit: 320 } },
        tooltip: [tip('run', 'run'), tip('batch', 'batch (tokens)', ',.0f'), tip('lr', 'peak LR', '.3~e'), tip('loss', `loss (${units})`, '.4f'), tip('excess', 'above best (%)', '.2f')],
      },
    },
    {
      data: { values: cells.filter((c) => c.near) },
      mark: { type: 'rect', filled: false, strokeWidth: 2.5, stroke: 'black' },
      encoding: { ...rect, stroke: { datum: NEAR_LEGEND, type: 'nominal', title: `Within ${percent(b.threshold)} of the best`, scale: { domain: [NEAR_LEGEND], range: ['#000000'] }, legend: { symbolType: 'square', symbolFillColor: 'transparent', symbolStrokeWidth: 2.5, titleLimit: 320 } } },
    },
  ];
  if (cells.length <= 36) {
    layers.push({
      data: { values: cells.map((c) => ({ ...c, bm: Math.sqrt(c.b0 * c.b1), lm: Math.sqrt(c.l0 * c.l1) })) },
      // Above the cell's centre: the centre is where the paper's Eq. 1 cross lands on a grid built around it.
      mark: { type: 'text', fontSize: 10, baseline: 'bottom', dy: -3 },
      encoding: { x: { ...x, field: 'bm' }, y: { ...y, field: 'lm' }, text: { field: 'text' }, color: { condition: { test: `datum.excess > ${cap * 0.6}`, value: '#111111' }, value: '#ffffff' } },
    });
  }
  // The paper's Eq. 1 (B_opt, η_opt) at this budget, when it lies on the panel.
  const ref = referenceFor(input, [b.dataset]);
  const lr = ref?.laws.laws.lr;
  const batch = ref?.laws.laws.batch;
  if (lr && batch) {
    const e = { batch: evalPowerLaw(batch, b.budget), lr: evalPowerLaw(lr, b.budget) };
    if (e.batch >= xDomain[0] && e.batch <= xDomain[1] && e.lr >= yDomain[0] && e.lr <= yDomain[1]) {
      layers.push({
        data: { values: [{ b0: e.batch, l0: e.lr }] },
        mark: { type: 'point', shape: 'cross', filled: true, color: '#ffffff', stroke: '#000000', strokeWidth: 1, size: 80 },
        encoding: { x, y, size: markLegend('size', EQ1_LEGEND, 'Reference'), tooltip: [tip('b0', 'Eq. 1 B_opt (tokens)', ',.0f'), tip('l0', 'Eq. 1 η_opt', '.3~e')] },
      });
    }
  }
  const k = cells.filter((c) => c.near).length;
  return {
    title: { text: `${b.dataset.label} · C = ${budgetLabel(b.budget)} FLOPs`, subtitle: [`best ${num(b.best.loss, 4)} ${units}`, `at B = ${si(b.best.batchTokens!)}, η = ${num(b.best.lr!)}`, `${k} of ${cells.length} runs within ${percent(b.threshold)}`] },
    width: CELL.width,
    height: CELL.height,
    layer: layers,
  };
}

export function landscapeChart(input: ReportInput): ChartSpec | undefined {
  const budgets = landscapeBudgets(input.datasets);
  if (budgets.length === 0) return undefined;
  const maxExcess = Math.max(...budgets.flatMap((b) => b.points.map((p) => 100 * (p.loss / b.best.loss - 1))));
  const cap = Math.max(1, Math.min(EXCESS_CAP_PERCENT, Math.ceil(maxExcess)));
  const perDataset = Math.max(...input.datasets.map((d) => budgets.filter((b) => b.dataset === d).length));
  return {
    id: 'landscape',
    title: 'Loss landscape over batch size and learning rate (paper Fig. 2)',
    caption: `Each cell is one run of the budget: its batch size (x) and peak learning rate (y), coloured by how much its final loss lies above the budget's best (capped at ${cap}%), with the loss written in it. Black outlines: the near-optimal region, runs within the fit's threshold of the best (the runs the η_opt and B_opt laws are fitted through; 0.25% in the paper). White cross: the paper's Eq. 1 batch size and learning rate at that budget. A wide outlined region means the optimum is flat: many batch/LR pairs are as good.`,
    spec: assemble('Loss landscape over batch size × learning rate, per budget (paper Fig. 2)', budgets.map((b) => panel(b, input, cap)), { columns: Math.min(3, perDataset) }),
  };
}

export const landscapeKind: ChartKind = { id: 'landscape', build: landscapeChart };
