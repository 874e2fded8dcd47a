// The readable report of a fit (what `scaling fit` prints): per-budget optima with their flags, laws with intervals and whether the
// data support them, approach 1/3, representations, hyperparameter laws, predictions (approach 2 and approach 3), backtests, and
// every named warning once, with what to do.
import type { BudgetOptimum, FitWarning, Interval, LawsFile, LossLaw, PowerLaw, Prediction } from '../schema/laws.ts';
import { sci, si, textTable } from '../util/format.ts';

export interface SummaryContext {
  /** Input notes (derivations, filters, budget rule) and input warnings, printed before the fit's own. */
  notes?: string[];
  warnings?: string[];
}

const f4 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(4));
const ci = (iv: Interval | undefined, fmt: (x: number) => string) => (iv ? `[${fmt(iv[0])}, ${fmt(iv[1])}]` : '');
const sig = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? sci(x, 3) : Number(x.toPrecision(4)).toString());
/** '  ⚠ not supported: too-few-budgets, wide-interval' for a law the data cannot support. */
const support = (l: { supported?: boolean; reasons?: string[] } | undefined) => (l?.supported === false ? `⚠ not supported: ${(l.reasons ?? []).join(', ')}` : '');

/** `k·C^e` with the exponent's and coefficient's intervals, and its support. */
export function formatPowerLaw(name: string, law: PowerLaw | undefined): string[] {
  if (!law) return [name, '—', '', '—', '', ''];
  const row = [
    name,
    f4(law.exponent),
    ci(law.ci?.exponent, f4),
    sig(law.coefficient),
    ci(law.ci?.coefficient, sig),
    law.r2 === undefined ? '' : law.r2.toFixed(4),
  ];
  if (law.supported === false) row.push(support(law));
  return row;
}

export function formatLossLaw(law: LossLaw): string {
  const core = law.form === 'power' ? `L(C) = ${sig(law.A)}·C^(−${f4(law.gamma)})` : `L(C) = ${sig(law.E)} + ${sig(law.A)}·C^(−${f4(law.gamma)})`;
  const cis = law.ci ? `   ${law.form === 'power' ? '' : `E ${ci(law.ci.E, sig)}  `}A ${ci(law.ci.A, sig)}  γ ${ci(law.ci.gamma, f4)}` : '';
  return core + cis + (law.supported === false ? `   ${support(law)}` : '');
}

/** The Step Law form (η in N and D, B in D) when the fitter gives its usual keys, with intervals when given; other keys as they are. */
export function formatStepLaw(st: Record<string, number>, cis: Record<string, Interval> = {}): string {
  const k = ['lrCoefficient', 'lrExponentN', 'lrExponentD'];
  if (!k.every((x) => Number.isFinite(st[x]))) return 'Step Law form: ' + Object.entries(st).map(([n, v]) => `${n} = ${sig(v)}`).join(', ');
  const r2 = (x: number | undefined) => (x === undefined ? '' : ` (R² ${x.toFixed(3)})`);
  const batch = Number.isFinite(st.batchExponentD) ? `    B_opt = ${sig(st.batchCoefficient)}·D^${f4(st.batchExponentD)}${r2(st.batchR2)}` : '    B_opt: — (no swept batch size)';
  const head = `Step Law form: η_opt = ${sig(st.lrCoefficient)}·N^${f4(st.lrExponentN)}·D^${f4(st.lrExponentD)}${r2(st.lrR2)}${batch}`;
  if (!cis.lrExponentN) return head;
  return `${head}\n  intervals: N exponent ${ci(cis.lrExponentN, f4)}, D exponent ${ci(cis.lrExponentD, f4)}${cis.batchExponentD ? `, batch D exponent ${ci(cis.batchExponentD, f4)}` : ''}`;
}

/** Names the scale of a representation for column headers: M_opt, or 6N1_opt. */
function scaleName(rep: string): string {
  return rep === 'M' ? 'M' : rep;
}

/** A budget's flags for the table: its warning codes, 'excluded' first when it is kept out of the laws. */
function flags(o: BudgetOptimum): string {
  // Files written before named warnings have no codes: their warnings as they are.
  if (!o.codes) return o.warnings.join('; ');
  return [o.dropped ? 'dropped' : o.excluded ? 'excluded' : '', ...o.codes].filter(Boolean).join(', ');
}

function optimaTable(optima: BudgetOptimum[], rep: string, lossUnits: string): string {
  const isN = rep !== 'M';
  const header = ['budget C', 'runs', 'used', `${scaleName(rep)}_opt`, ...(isN ? ['N_opt'] : []), 'D_opt', `L_opt (${lossUnits})`, `${scaleName(rep)}_opt CI`];
  const rows = optima.map((o) => [
    sci(o.budget),
    String(o.points),
    o.dropped ? 'dropped' : o.excluded ? `(${o.usedPoints})` : String(o.usedPoints),
    o.dropped ? '—' : si(o.scaleOpt),
    ...(isN ? [o.dropped ? '—' : si(o.scaleOpt / 6)] : []),
    o.dropped ? '—' : si(o.dataOpt),
    o.dropped ? '—' : o.lossOpt.toFixed(4),
    ci(o.ci?.scaleOpt, si),
  ]);
  // Flags can be long: keep them out of the padded columns; the warnings section explains each code once.
  const body = textTable(header, rows);
  return body.split('\n').map((l, i) => (i >= 2 && flags(optima[i - 2]) ? `${l}  ⚠ ${flags(optima[i - 2])}` : l)).join('\n');
}

function predictionsTable(preds: Prediction[], rep: string, lossUnits: string): string {
  const has3 = preds.some((p) => p.approach3);
  const hasObs = preds.some((p) => p.approach3?.observed !== undefined);
  const header = ['prediction', 'C', `${scaleName(rep)}`, 'D', 'loss (a2)', 'interval', ...(has3 ? ['L(N, D) (a3)', 'interval', 'N (a3)'] : []), ...(hasObs ? ['observed', 'error'] : []), 'batch (tokens)', 'LR'];
  const table = textTable(header, preds.map((p) => [
    p.label,
    sci(p.compute),
    si(p.scale) + (p.scaleInterval ? ` ${ci(p.scaleInterval, si)}` : ''),
    si(p.tokens) + (p.tokensInterval ? ` ${ci(p.tokensInterval, si)}` : ''),
    p.loss === undefined ? '—' : p.loss.toFixed(4),
    ci(p.lossInterval, (x) => x.toFixed(4)),
    ...(has3 ? [p.approach3 ? p.approach3.loss.toFixed(4) : '—', ci(p.approach3?.lossInterval, (x) => x.toFixed(4)), p.approach3 ? si(p.approach3.params) : ''] : []),
    ...(hasObs ? [p.approach3?.observed !== undefined ? p.approach3.observed.toFixed(4) : '', p.approach3?.error !== undefined ? `${(p.approach3.error * 100).toFixed(2)}%` : ''] : []),
    p.batchTokens === undefined ? '—' : si(p.batchTokens) + (p.batchInterval ? ` ${ci(p.batchInterval, si)}` : ''),
    p.lr === undefined ? '—' : sci(p.lr) + (p.lrInterval ? ` ${ci(p.lrInterval, (x) => sci(x))}` : ''),
  ]));
  const notes = preds.flatMap((p) => [
    ...(p.supported === false ? [`  ${p.label}: approach-2 reading not supported (${(p.reasons ?? []).join(', ')})`] : []),
    ...(p.approach3?.supported === false ? [`  ${p.label}: approach-3 reading not supported (${(p.approach3.reasons ?? []).join(', ')})`] : []),
  ]);
  return [table, `(losses in ${lossUnits})`, ...notes].join('\n');
}

/** One warning: '⚠ message [code]' and, indented, what to do. */
export function formatWarning(w: FitWarning): string {
  return `⚠ ${w.message} [${w.code}]${w.action ? `\n    → ${w.action}` : ''}`;
}

/** The whole report as text. */
export function formatFitSummary(laws: LawsFile, ctx: SummaryContext = {}): string {
  const d = laws.details;
  const rep = laws.representation;
  const units = laws.units.loss;
  const out: string[] = [];
  const section = (title: string) => out.push('', `== ${title}`);
  out.push(`fit '${laws.name}' — dataset ${laws.dataset}, scale ${rep} (FLOPs/token; C = ${rep === 'M' ? 'M' : '6N'}·D), loss in ${units}`);
  if (laws.ciLevel !== undefined && d?.bootstrap) out.push(`intervals: ${Math.round(laws.ciLevel * 100)}% bootstrap percentile, ${d.bootstrap.resamples} resamples, seed ${d.bootstrap.seed}${d.bootstrap.pooledSingletons ? ` (runs of ${d.bootstrap.pooledSingletons} single-run budgets resampled as one pool)` : ''}`);
  for (const n of ctx.notes ?? []) out.push(`  · ${n}`);

  if (d?.optima?.length) {
    const inLaws = d.optima.filter((o) => !o.dropped && !o.excluded).length;
    const method = d.optima.find((o) => o.method)?.method;
    const how = method === 'spline' ? `Akima-spline argmin in log ${scaleName(rep)}` : `parabola in log ${scaleName(rep)}`;
    section(`IsoFLOP optima (approach 2, ${how}): ${inLaws} of ${d.optima.length} budgets used`);
    out.push(optimaTable(d.optima, rep, units));
  }
  const noise = d?.noise as NonNullable<typeof d>['noise'];
  if (noise) {
    section('Noise budget (seed replicas vs the IsoFLOP parabolas)');
    const f = (x?: number) => (x === undefined ? '—' : x.toPrecision(2));
    out.push(`seed σ ${f(noise.seedSd)} (${noise.groups} points with replicas, ${noise.seedDof} dof) · residual σ ${f(noise.residualSd)} (${noise.residualDof} dof) · grid σ ${f(noise.gridSd)} — ${noise.verdict}`);
  }

  section('Compute-optimal allocation and hyperparameter laws (y = k·C^e)');
  const lawRows = [formatPowerLaw(`${scaleName(rep)}_opt (a)`, laws.laws.scale), formatPowerLaw('D_opt (b)', laws.laws.data)];
  if (laws.laws.lr) lawRows.push(formatPowerLaw('η_opt (p)', laws.laws.lr));
  if (laws.laws.batch) lawRows.push(formatPowerLaw('B_opt tokens (q)', laws.laws.batch));
  const wide = lawRows.some((r) => r.length > 6);
  out.push(textTable(['law', 'exponent', 'CI', 'k', 'k CI', 'R² (log)', ...(wide ? [''] : [])], lawRows.map((r) => (wide && r.length === 6 ? [...r, ''] : r))));
  if (laws.laws.loss) out.push(`loss through the optima: ${formatLossLaw(laws.laws.loss)}`);
  const lossPower = d?.lossPower;
  if (lossPower) out.push(`pure power law:          ${formatLossLaw(lossPower)}`);

  if (d?.hyper) {
    section(`Hyperparameter laws (near-optimal: loss ≤ (1 + ${d.hyper.threshold}) × the ${d.hyper.perGroup ? 'budget’s or (N, D) group’s' : 'budget'} minimum, ${d.hyper.nearOptimal.length} runs; form ${d.hyper.form})`);
    if (!laws.laws.lr && !laws.laws.batch) out.push('no LR or batch laws (see the warnings: not swept, no learning rates / batch sizes, or too few near-optimal runs)');
    else out.push(`η_opt = ${laws.laws.lr ? `${sig(laws.laws.lr.coefficient)}·C^${f4(laws.laws.lr.exponent)}` : '—'}    B_opt = ${laws.laws.batch ? `${sig(laws.laws.batch.coefficient)}·C^${f4(laws.laws.batch.exponent)}` : '—'}`);
    if (d.hyper.stepLaw) out.push(formatStepLaw(d.hyper.stepLaw, d.hyper.stepLawCi) + (d.hyper.stepLawSupported === false ? `\n  ⚠ not supported: ${(d.hyper.stepLawReasons ?? []).join(', ')}` : ''));
  }

  if (d?.approach3) {
    const a = d.approach3;
    section(`Approach 3: L(${a.scaleVariable}, D) = E + A/${a.scaleVariable}^α + B/D^β (Huber δ = 1e-3 on log residuals, BFGS from a grid of starts)`);
    const c = a.ci ?? {};
    out.push(textTable(['E', 'A', 'B', 'α', 'β', 'a = β/(α+β)', 'b = α/(α+β)'], [
      [sig(a.E), sig(a.A), sig(a.B), f4(a.alpha), f4(a.beta), f4(a.a), f4(a.b)],
      ...(Object.keys(c).length ? [[ci(c.E, sig), ci(c.A, sig), ci(c.B, sig), ci(c.alpha, f4), ci(c.beta, f4), ci(c.a, f4), ci(c.b, f4)]] : []),
    ]));
    if (a.supported === false) out.push(support(a));
  }

  if (d?.approach1) {
    section(`Approach 1 (lowest loss at each compute along the training curves, ${d.approach1.envelope.length} envelope points)`);
    out.push(textTable(['law', 'exponent', 'CI', 'k', 'k CI', 'R² (log)'], [formatPowerLaw(`${scaleName(rep)}_opt (a)`, d.approach1.scale), formatPowerLaw('D_opt (b)', d.approach1.data)]));
  }

  if (d?.representations?.length) {
    section('Representation comparison (paper App. A.2: C = scale·D for each scale)');
    out.push(textTable(['representation', 'a', 'a CI', 'b', 'b CI', 'loss law'], d.representations.map((r) => [
      r.representation, f4(r.scale.exponent), ci(r.scale.ci?.exponent, f4), f4(r.data.exponent), ci(r.data.ci?.exponent, f4), r.loss ? formatLossLaw(r.loss) : '—',
    ])));
  }

  if (d?.windowStability?.length) {
    section('Optimum stability (approach 2 refitted with other parabola windows, and with the other optimum method)');
    out.push(textTable(['optimum', 'a', 'b'], d.windowStability.map((w) => [w.method === 'spline' ? 'spline' : w.window === 0 ? 'parabola, auto window' : `parabola, window ${w.window}`, f4(w.a), f4(w.b)])));
  }

  if (d?.predictions?.length) {
    section('Predictions');
    out.push(predictionsTable(d.predictions, rep, units));
  }

  if (d?.backtest) {
    const bt = d.backtest;
    const pct = (x: number, digits: number, iv?: [number, number]) => `${(x * 100).toFixed(digits)}%${iv ? ` [${(iv[0] * 100).toFixed(digits)}, ${(iv[1] * 100).toFixed(digits)}]` : ''}`;
    section(`Backtest: fitted without the ${bt.heldOut.length} largest budget(s)`);
    if (bt.rows.length) {
      out.push(textTable(['budget', 'L_opt pred', 'L_opt true', 'loss err', `${scaleName(rep)}_opt pred`, `${scaleName(rep)}_opt true`, 'scale err'], bt.rows.map((r) => [
        sci(r.budget), r.lossPred.toFixed(4), r.lossTrue.toFixed(4), pct(r.lossErr, 2, r.lossErrInterval), si(r.scalePred), si(r.scaleTrue), pct(r.scaleErr, 1, r.scaleErrInterval),
      ])));
      if (bt.rows.some((r) => r.lossErrInterval || r.scaleErrInterval)) out.push('errors with bootstrap intervals: each resample refits on the other budgets and predicts the held-out budgets\' resampled optima');
    }
    if (bt.approach3?.length) {
      // One row per held-out budget (details.backtest.approach3 has every run).
      const byBudget = new Map<number, typeof bt.approach3>();
      for (const r of bt.approach3) byBudget.set(r.budget, [...(byBudget.get(r.budget) ?? []), r]);
      out.push("approach 3 refitted on the other budgets' runs, predicting each held-out run's L(N, D):");
      out.push(textTable(['budget', 'runs', d.approach3?.scaleVariable ?? 'N', 'D', 'mean error', 'mean |error|', 'max |error|'], [...byBudget].map(([b, rs]) => [
        sci(b), String(rs.length),
        rs.length === 1 ? si(rs[0].params) : `${si(Math.min(...rs.map((r) => r.params)))}–${si(Math.max(...rs.map((r) => r.params)))}`,
        rs.length === 1 ? si(rs[0].tokens) : `${si(Math.min(...rs.map((r) => r.tokens)))}–${si(Math.max(...rs.map((r) => r.tokens)))}`,
        `${((100 * rs.reduce((s, r) => s + r.lossErr, 0)) / rs.length).toFixed(2)}%`,
        `${((100 * rs.reduce((s, r) => s + Math.abs(r.lossErr), 0)) / rs.length).toFixed(2)}%`,
        `${(100 * Math.max(...rs.map((r) => Math.abs(r.lossErr)))).toFixed(2)}%`,
      ])));
    }
  }

  // Every named warning once (files written before named warnings carry plain lines).
  const input = ctx.warnings ?? [];
  const diag = d?.diagnostics;
  if (diag) {
    if (input.length || diag.length) section(`Warnings (${input.length + diag.length})`);
    for (const w of input) out.push(`⚠ ${w}`);
    for (const w of diag) out.push(formatWarning(w));
  } else {
    const inTable = new Set((d?.optima ?? []).flatMap((o) => o.warnings.map((w) => `budget ${sci(o.budget)}: ${w}`)));
    const fitWarnings = d?.warnings ?? [];
    const rest = fitWarnings.filter((w) => !inTable.has(w));
    const warnings = [...input, ...rest];
    const shown = fitWarnings.length - rest.length;
    if (warnings.length || shown) {
      const perBudget = `${shown} per-budget warning${shown === 1 ? '' : 's'} in the optima table`;
      section(warnings.length ? `Warnings (${warnings.length}${shown ? `; ${perBudget}` : ''})` : `Warnings: ${perBudget}`);
      for (const w of warnings) out.push(`⚠ ${w}`);
    }
  }
  return out.join('\n') + '\n';
}
