// The generated words of the page: each dataset's fitted laws with intervals (one formatter for every number), its predictions
// with their extrapolation factor, its warnings once each, its provenance with relative paths, and a data-quality verdict.
import { isAbsolute, relative, sep } from 'node:path';
import type { LawsFile, PowerLaw, LossLaw, Prediction } from '../schema/laws.ts';
import { evalLossLaw } from '../schema/laws.ts';
import { EXTRAPOLATION_LIMIT, extrapolationFactor, fittedComputeRange } from '../laws/extrapolation.ts';
import type { ReportDataset, ReportInput } from './types.ts';
import { fitWarnings, warningText } from './warnings.ts';
import { lawSupport } from './support.ts';
import { storedBand } from './bands.ts';
import { compareExponents, type ExponentDifference } from '../fit/compare.ts';
import { factor, num, ranking, sci, timestamp, withInterval } from '../util/format.ts';

/** Plain-text facts; the page builder escapes every string. */
export interface DatasetSummary {
  label: string;
  dataset: string;
  file: string;
  sha256?: string;
  lawLines: string[];
  /** Predictions, each with its extrapolation factor; `far` when beyond the limit. */
  predictions: { text: string; far: boolean }[];
  warnings: string[];
  provenance: [string, string][];
}

/** An exponent's interval wider than this says nothing about it (the meaningful range of an exponent is about [0, 1]). */
export const EXPONENT_MAX_WIDTH = 1;

/**
 * A path for a shared page: relative to `base` (default the working directory) when inside it; an absolute path elsewhere
 * shows only its last two components, so no author's home directory leaks into a report.
 */
export function displayPath(p: string, base = process.cwd()): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(base, p);
  if (rel === '') return '.';
  if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  return `…/${p.split(sep).filter(Boolean).slice(-2).join('/')}`;
}

/** Every string in a JSON-like value that is an absolute path, shown with displayPath. */
function relativize(v: unknown, base?: string): unknown {
  if (typeof v === 'string') return isAbsolute(v) && v.length > 1 ? displayPath(v, base) : v;
  if (Array.isArray(v)) return v.map((x) => relativize(x, base));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, relativize(x, base)]));
  return v;
}

/** "M_opt = 2.53e-1 [unconstrained] · C^0.501 [0.165, 0.924] (R² 0.999)" */
export function powerLawText(name: string, law: PowerLaw): string {
  const k = withInterval(law.coefficient, law.ci?.coefficient, { kind: 'log' });
  const e = withInterval(law.exponent, law.ci?.exponent, { maxWidth: EXPONENT_MAX_WIDTH });
  return `${name} = ${k} · C^${e}${law.r2 !== undefined ? ` (R² ${num(law.r2, 3)})` : ''}`;
}

export function lossLawText(law: LossLaw): string {
  const E = law.form === 'power' ? '' : `${withInterval(law.E, law.ci?.E, { maxWidth: Math.max(law.E, 0.5) * 2 })} + `;
  return `L(C) = ${E}${withInterval(law.A, law.ci?.A, { kind: 'log' })} · C^(−${withInterval(law.gamma, law.ci?.gamma, { maxWidth: EXPONENT_MAX_WIDTH })})`;
}

/** The fitted laws of one file in words, with the confidence level; a law without support says so instead of its numbers alone. */
export function lawLines(laws: LawsFile): string[] {
  const lines: string[] = [];
  const L = laws.laws;
  const rep = laws.representation;
  const add = (what: string, law: PowerLaw | LossLaw | undefined, text: string) => {
    if (!law) return;
    const s = lawSupport(law, laws.details?.diagnostics);
    lines.push(s.drawn ? `${what}: ${text}` : `${what}: not drawn as a law (${s.reason}); the fit gives ${text}`);
  };
  if (L.scale) add('Optimal model scale', L.scale, `${powerLawText(`${rep}_opt`, L.scale)} FLOPs/token (a = ${num(L.scale.exponent)})`);
  if (L.data) add('Optimal data', L.data, `${powerLawText('D_opt', L.data)} tokens (b = ${num(L.data.exponent)})`);
  if (L.lr) add('Optimal learning rate', L.lr, powerLawText('η_opt', L.lr));
  if (L.batch) add('Optimal batch', L.batch, `${powerLawText('B_opt', L.batch)} tokens`);
  if (L.loss) add(`Loss of compute-optimal models (${laws.units.loss})`, L.loss, lossLawText(L.loss));
  const range = fittedComputeRange(laws);
  if (range) lines.push(`Fitted on budgets ${sci(range[0])} … ${sci(range[1])} FLOPs (${num(Math.log10(range[1] / range[0]), 2)} decades).`);
  if (lines.length && laws.ciLevel !== undefined) lines.push(`Intervals in brackets: ${Math.round(laws.ciLevel * 100)}% ${laws.details?.bootstrap ? `bootstrap (${laws.details.bootstrap.resamples} resamples, seed ${laws.details.bootstrap.seed})` : 'confidence'} intervals; "unconstrained" where an interval spans more than 3 decades (coefficients) or more than ${EXPONENT_MAX_WIDTH} (exponents).`);
  if (lines.length === 0) lines.push('No laws in this file.');
  return lines;
}

/** One prediction in words with how far it reaches beyond the fitted budgets. */
export function predictionText(laws: LawsFile, p: Prediction, limit = EXTRAPOLATION_LIMIT): { text: string; far: boolean } {
  const rep = laws.representation;
  // A quantity read from a law the fit does not support says so.
  const from = (law: PowerLaw | LossLaw | undefined) => (law && !lawSupport(law, laws.details?.diagnostics).drawn ? ' (from an unsupported law)' : '');
  const L = laws.laws;
  const parts = [`${rep} ${withInterval(p.scale, p.scaleInterval, { kind: 'log' })}${p.shape ? '' : from(L.scale)}`, `D ${withInterval(p.tokens, p.tokensInterval, { kind: 'log', style: 'si' })} tokens${p.shape ? '' : from(L.data)}`];
  if (p.loss !== undefined) parts.push(`loss ${withInterval(p.loss, p.lossInterval, { maxWidth: Math.max(p.loss, 0.5) })} ${laws.units.loss}${from(L.loss)}`);
  if (p.lr !== undefined) parts.push(`η ${withInterval(p.lr, p.lrInterval, { kind: 'log' })}${from(L.lr)}`);
  if (p.batchTokens !== undefined) parts.push(`B ${withInterval(p.batchTokens, p.batchInterval, { kind: 'log', style: 'si' })} tokens${from(L.batch)}`);
  const range = fittedComputeRange(laws);
  const f = range ? extrapolationFactor(p.compute, range) : NaN;
  const far = Number.isFinite(f) && f > limit;
  const reach = Number.isFinite(f) ? (f <= 1 ? 'within the fitted budgets' : `${factor(f)} beyond the fitted budgets`) : 'fitted budgets unknown';
  const unsupported = p.supported === false ? ` — not supported by the fit${p.reasons?.length ? ` (${p.reasons.join(', ')})` : ''}` : '';
  const warn = unsupported + (far ? ` — far extrapolation (more than ${factor(limit)}): a number to check, not a result` : '');
  return { text: `Prediction ${p.label} (C = ${sci(p.compute)}, ${reach}): ${parts.join(', ')}${warn}`, far };
}

/** Warnings of the fit, once each (grouped over budgets), most important first, with what to do when the fitter said. */
export function warningLines(laws: LawsFile): string[] {
  return fitWarnings(laws).map(warningText);
}

export function summarize(ds: ReportDataset, input?: Pick<ReportInput, 'baseDir' | 'maxExtrapolation'>): DatasetSummary {
  const base = input?.baseDir;
  const p = ds.laws.provenance;
  const prov: [string, string][] = [['source', p.source], ['created', timestamp(p.created)], ['method', p.method]];
  if (p.tool) prov.push(['tool', p.tool]);
  for (const i of p.inputs ?? []) prov.push(['input', `${displayPath(i.file, base)} sha256 ${i.sha256}${i.rows !== undefined ? ` (${i.rows} rows)` : ''}`]);
  if (p.dataHash) prov.push(['data hash', p.dataHash]);
  if (p.seed !== undefined) prov.push(['seed', String(p.seed)]);
  if (p.options) prov.push(['options', JSON.stringify(relativize(p.options, base))]);
  if (p.notes) prov.push(['notes', p.notes]);
  return {
    label: ds.label,
    dataset: ds.laws.dataset,
    file: displayPath(ds.file, base),
    sha256: ds.sha256,
    lawLines: lawLines(ds.laws),
    predictions: (ds.laws.details?.predictions ?? []).map((q) => predictionText(ds.laws, q, input?.maxExtrapolation)),
    warnings: warningLines(ds.laws),
    provenance: prov,
  };
}

/** Datasets ordered by the model-scaling exponent a, in words: the paper's reading of Table 4 (better data → larger a), said only as strongly as the intervals allow. */
export function qualityVerdict(input: ReportInput): string | undefined {
  const withA = input.datasets.filter((d) => d.laws.laws.scale && lawSupport(d.laws.laws.scale).drawn).sort((x, y) => y.laws.laws.scale!.exponent - x.laws.laws.scale!.exponent);
  if (withA.length < 2) {
    const unsupported = input.datasets.filter((d) => d.laws.laws.scale && !lawSupport(d.laws.laws.scale, d.laws.details?.diagnostics).drawn);
    const withLaw = input.datasets.filter((d) => d.laws.laws.scale);
    const diff = withLaw.length >= 2 ? exponentDifference(withLaw[0].laws, withLaw[1].laws, withLaw[0].label, withLaw[1].label) : undefined;
    const diffText = diff ? ` Their difference: ${diff.text}; it ${diff.result.significant ? 'excludes' : 'includes'} 0${diff.result.significant ? ', but an ordering of laws the data cannot pin down is not drawn' : ''}.` : '';
    return input.datasets.length >= 2 && unsupported.length
      ? `No data-quality ordering: the fits of ${unsupported.map((d) => d.label).join(', ')} do not support their allocation law (see their warnings), so their exponents a (${unsupported.map((d) => `${d.label} ${withInterval(d.laws.laws.scale!.exponent, d.laws.laws.scale!.ci?.exponent, { maxWidth: EXPONENT_MAX_WIDTH })}`).join(', ')}) are shown for the record only.${diffText}`
      : undefined;
  }
  const items = withA.map((d) => ({ text: `${d.label} (a = ${withInterval(d.laws.laws.scale!.exponent, d.laws.laws.scale!.ci?.exponent, { maxWidth: EXPONENT_MAX_WIDTH })})`, value: d.laws.laws.scale!.exponent, interval: d.laws.laws.scale!.ci?.exponent }));
  const [top, next] = withA;
  const ti = top.laws.laws.scale!.ci?.exponent;
  const ni = next.laws.laws.scale!.ci?.exponent;
  // The difference's own interval (from both fits' bootstrap draws) when the files keep them; else whether the two intervals overlap.
  const diff = exponentDifference(top.laws, next.laws, top.label, next.label);
  const separated = diff ? diff.result.significant : ti && ni ? ti[0] > ni[1] : undefined;
  const evidence = diff ? `${diff.text}, which ${diff.result.significant ? 'excludes' : 'includes'} 0` : `the intervals of ${top.label} and ${next.label} ${separated ? 'do not overlap' : 'overlap (≈)'}`;
  const reading =
    separated === undefined
      ? 'The files carry no intervals, so the ordering is untested.'
      : separated
        ? `${capitalize(evidence)}: by the paper's reading (higher-quality data → larger a), ${top.label} behaves like the highest-quality data here, and extra compute on it should go more to model size.`
        : `${capitalize(evidence)}, so these fits do not resolve which of them scales better; the paper's reading (higher-quality data → larger a) cannot be applied with confidence.`;
  const reps = [...new Set(withA.map((d) => d.laws.representation))];
  const repNote = reps.length === 1 && reps[0] === 'M' ? '' : ` (model scale counted as ${reps.join('/')}; Table 4's DeepSeek rows use M, Kaplan 6N1, Chinchilla 6N2)`;
  return [`By model-scaling exponent a${repNote}: ${ranking(items)}.`, reading, lossComparison(input)].filter(Boolean).join(' ');
}

const capitalize = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** a_A − a_B with its interval from the two fits' bootstrap draws, in words; undefined when either file keeps no draws. */
export function exponentDifference(A: LawsFile, B: LawsFile, labelA = A.dataset, labelB = B.dataset): { text: string; result: ExponentDifference } | undefined {
  if (!A.details?.bootstrap?.draws?.a || !B.details?.bootstrap?.draws?.a) return undefined;
  try {
    const r = compareExponents(A, B, 'a');
    return { result: r, text: `a(${labelA}) − a(${labelB}) = ${withInterval(r.difference, r.interval, { maxWidth: EXPONENT_MAX_WIDTH })} (${Math.round(r.level * 100)}% interval over ${r.draws} paired bootstrap draws; ${Math.round(r.shareGreater * 100)}% of them > 0)` };
  } catch {
    return undefined;
  }
}

/** Fitted optimal loss of every dataset at the largest budget they all reach (with the fit's band there, when written), when they share loss units. */
export function lossComparison(input: ReportInput): string | undefined {
  const ds = input.datasets.filter((d) => d.laws.laws.loss && lawSupport(d.laws.laws.loss).drawn && d.laws.details?.optima.some((o) => !o.dropped));
  if (ds.length < 2 || new Set(ds.map((d) => d.laws.units.loss)).size !== 1) return undefined;
  const c = Math.min(...ds.map((d) => Math.max(...d.laws.details!.optima.filter((o) => !o.dropped).map((o) => o.budget))));
  const items = ds.map((d) => {
    const loss = evalLossLaw(d.laws.laws.loss!, c);
    const band = storedBand(d.laws.details, 'loss', d.file);
    const at = band?.reduce((best, b) => (Math.abs(Math.log(b.compute / c)) < Math.abs(Math.log(best.compute / c)) ? b : best));
    const interval = at && Math.abs(Math.log10(at.compute / c)) < 0.05 ? ([at.lo, at.hi] as [number, number]) : undefined;
    // Lower loss first: rank by −loss.
    return { text: `${d.label} ${withInterval(loss, interval)}`, value: -loss, interval: interval ? ([-interval[1], -interval[0]] as [number, number]) : undefined };
  });
  const hasIv = items.every((i) => i.interval);
  return `Fitted optimal loss at C = ${sci(c)}: ${ranking(items).replace(/ > /g, ' < ')} ${ds[0].laws.units.loss}${hasIv ? '' : ' (no intervals at this budget: the ordering is untested)'} (lower loss is not the same thing as a larger a).`;
}
