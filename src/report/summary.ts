// The generated words of the page: each dataset's fitted laws with intervals, its warnings and provenance, and a data-quality verdict across datasets.
import type { LawsFile, PowerLaw, LossLaw } from '../schema/laws.ts';
import { evalLossLaw, evalPowerLaw } from '../schema/laws.ts';
import type { ReportDataset, ReportInput } from './types.ts';
import { sci } from '../util/format.ts';

/** Plain-text facts; the page builder escapes every string. */
export interface DatasetSummary {
  label: string;
  dataset: string;
  file: string;
  sha256?: string;
  lawLines: string[];
  warnings: string[];
  provenance: [string, string][];
}

function iv(i: [number, number] | undefined, digits: number, fmt: (x: number, d: number) => string = (x, d) => x.toFixed(d)): string {
  return i ? ` [${fmt(i[0], digits)}, ${fmt(i[1], digits)}]` : '';
}

/** "M_opt = 0.1715 [0.12, 0.25] · C^0.5243 [0.51, 0.54]" */
export function powerLawText(name: string, law: PowerLaw): string {
  const k = sci(law.coefficient, 3) + iv(law.ci?.coefficient, 3, sci);
  const e = law.exponent.toFixed(4) + iv(law.ci?.exponent, 4);
  return `${name} = ${k} · C^${e}${law.r2 !== undefined ? ` (R² ${law.r2.toFixed(4)})` : ''}`;
}

export function lossLawText(law: LossLaw): string {
  const E = law.form === 'power' ? '' : `${law.E.toFixed(4)}${iv(law.ci?.E, 4)} + `;
  return `L(C) = ${E}${sci(law.A, 3)}${iv(law.ci?.A, 3, sci)} · C^(−${law.gamma.toFixed(4)}${iv(law.ci?.gamma, 4)})`;
}

/** The fitted laws of one file in words, with the confidence level. */
export function lawLines(laws: LawsFile): string[] {
  const lines: string[] = [];
  const L = laws.laws;
  const rep = laws.representation;
  if (L.scale) lines.push(`Optimal model scale: ${powerLawText(`${rep}_opt`, L.scale)} FLOPs/token (a = ${L.scale.exponent.toFixed(3)})`);
  if (L.data) lines.push(`Optimal data: ${powerLawText('D_opt', L.data)} tokens (b = ${L.data.exponent.toFixed(3)})`);
  if (L.scale && L.data) {
    const c = 1e21;
    lines.push(`At C = 1e21 FLOPs: ${rep}_opt = ${sci(evalPowerLaw(L.scale, c))}, D_opt = ${sci(evalPowerLaw(L.data, c))} tokens (product ${sci(evalPowerLaw(L.scale, c) * evalPowerLaw(L.data, c))}).`);
  }
  if (L.lr) lines.push(`Optimal learning rate: ${powerLawText('η_opt', L.lr)}`);
  if (L.batch) lines.push(`Optimal batch: ${powerLawText('B_opt', L.batch)} tokens`);
  if (L.loss) lines.push(`Loss of compute-optimal models (${laws.units.loss}): ${lossLawText(L.loss)}`);
  for (const p of laws.details?.predictions ?? []) {
    const parts = [`${rep} ${sci(p.scale)}${iv(p.scaleInterval, 2, sci)}`, `D ${sci(p.tokens)}${iv(p.tokensInterval, 2, sci)}`];
    if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}${iv(p.lossInterval, 4)} ${laws.units.loss}`);
    if (p.lr !== undefined) parts.push(`η ${sci(p.lr)}${iv(p.lrInterval, 2, sci)}`);
    if (p.batchTokens !== undefined) parts.push(`B ${sci(p.batchTokens)}${iv(p.batchInterval, 2, sci)} tokens`);
    lines.push(`Prediction ${p.label} (C = ${sci(p.compute)}): ${parts.join(', ')}`);
  }
  if (lines.length && laws.ciLevel !== undefined) lines.push(`Intervals in brackets: ${(laws.ciLevel * 100).toFixed(0)}% ${laws.details?.bootstrap ? `bootstrap (${laws.details.bootstrap.resamples} resamples, seed ${laws.details.bootstrap.seed})` : 'confidence'} intervals.`);
  if (lines.length === 0) lines.push('No laws in this file.');
  return lines;
}

/** Warnings of the fit: global ones and each budget's (unbracketed minima, dropped budgets). */
export function warningLines(laws: LawsFile): string[] {
  const w = [...(laws.details?.warnings ?? [])];
  // Per-budget warnings are often repeated in the global list (with a 'budget …:' prefix): add only the new ones, prefixed.
  for (const o of laws.details?.optima ?? []) {
    for (const m of o.warnings) if (!w.some((g) => g.includes(m))) w.push(m.startsWith('budget') ? m : `budget ${sci(o.budget)}: ${m}`);
  }
  return w;
}

export function summarize(ds: ReportDataset): DatasetSummary {
  const p = ds.laws.provenance;
  const prov: [string, string][] = [['source', p.source], ['created', p.created], ['method', p.method]];
  if (p.tool) prov.push(['tool', p.tool]);
  for (const i of p.inputs ?? []) prov.push(['input', `${i.file} sha256 ${i.sha256}${i.rows !== undefined ? ` (${i.rows} rows)` : ''}`]);
  if (p.dataHash) prov.push(['data hash', p.dataHash]);
  if (p.seed !== undefined) prov.push(['seed', String(p.seed)]);
  if (p.options) prov.push(['options', JSON.stringify(p.options)]);
  if (p.notes) prov.push(['notes', p.notes]);
  return { label: ds.label, dataset: ds.laws.dataset, file: ds.file, sha256: ds.sha256, lawLines: lawLines(ds.laws), warnings: warningLines(ds.laws), provenance: prov };
}

/** Datasets ordered by the model-scaling exponent a, in words: the paper's reading of Table 4 (better data → larger a), said only as strongly as the intervals allow. */
export function qualityVerdict(input: ReportInput): string | undefined {
  const withA = input.datasets.filter((d) => d.laws.laws.scale).sort((x, y) => y.laws.laws.scale!.exponent - x.laws.laws.scale!.exponent);
  if (withA.length < 2) return undefined;
  const parts = withA.map((d) => `${d.label} (a = ${d.laws.laws.scale!.exponent.toFixed(3)}${iv(d.laws.laws.scale!.ci?.exponent, 3)})`);
  const [top, next] = withA;
  const ti = top.laws.laws.scale!.ci?.exponent;
  const ni = next.laws.laws.scale!.ci?.exponent;
  const separated = ti && ni ? ti[0] > ni[1] : undefined;
  const reading =
    separated === undefined
      ? 'The files carry no intervals, so the ordering is untested.'
      : separated
        ? `The intervals of ${top.label} and ${next.label} do not overlap: by the paper's reading (higher-quality data → larger a), ${top.label} behaves like the highest-quality data here, and extra compute on it should go more to model size.`
        : `The intervals of ${top.label} and ${next.label} overlap, so these fits do not resolve which of them scales better; the paper's reading (higher-quality data → larger a) cannot be applied with confidence.`;
  const reps = [...new Set(withA.map((d) => d.laws.representation))];
  const repNote = reps.length === 1 && reps[0] === 'M' ? '' : ` (model scale counted as ${reps.join('/')}; Table 4's DeepSeek rows use M, Kaplan N1, Chinchilla N2)`;
  return [`By model-scaling exponent a${repNote}: ${parts.join(' > ')}.`, reading, lossComparison(input)].filter(Boolean).join(' ');
}

/** Fitted optimal loss of every dataset at the largest budget they all reach, when they share loss units. */
export function lossComparison(input: ReportInput): string | undefined {
  const ds = input.datasets.filter((d) => d.laws.laws.loss && d.laws.details?.optima.length);
  if (ds.length < 2 || new Set(ds.map((d) => d.laws.units.loss)).size !== 1) return undefined;
  const c = Math.min(...ds.map((d) => Math.max(...d.laws.details!.optima.map((o) => o.budget))));
  const rows = ds.map((d) => ({ label: d.label, loss: evalLossLaw(d.laws.laws.loss!, c) })).sort((x, y) => x.loss - y.loss);
  return `Fitted optimal loss at C = ${sci(c)}: ${rows.map((r) => `${r.label} ${r.loss.toFixed(3)}`).join(' < ')} ${ds[0].laws.units.loss} (lower loss is not the same thing as a larger a).`;
}
