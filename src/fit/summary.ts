// The readable report of a fit (what `scaling fit` prints): per-budget optima, laws with CIs, approach 1/3, representations, hyperparameter laws, predictions, backtest.
import type { BudgetOptimum, Interval, LawsFile, LossLaw, PowerLaw, Prediction } from '../schema/laws.ts';
import { sci, si, textTable } from '../util/format.ts';

export interface SummaryContext {
  /** Input notes (derivations, filters, budget rule) and input warnings, printed before the fit's own. */
  notes?: string[];
  warnings?: string[];
}

const f4 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(4));
const ci = (iv: Interval | undefined, fmt: (x: number) => string) => (iv ? `[${fmt(iv[0])}, ${fmt(iv[1])}]` : '');
const sig = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? sci(x, 3) : Number(x.toPrecision(4)).toString());

/** `k·C^e` with the exponent's and coefficient's intervals. */
export function formatPowerLaw(name: string, law: PowerLaw | undefined): string[] {
  if (!law) return [name, '—', '', '—', '', ''];
  return [
    name,
    f4(law.exponent),
    ci(law.ci?.exponent, f4),
    sig(law.coefficient),
    ci(law.ci?.coefficient, sig),
    law.r2 === undefined ? '' : law.r2.toFixed(4),
  ];
}

export function formatLossLaw(law: LossLaw): string {
  const core = law.form === 'power' ? `L(C) = ${sig(law.A)}·C^(−${f4(law.gamma)})` : `L(C) = ${sig(law.E)} + ${sig(law.A)}·C^(−${f4(law.gamma)})`;
  const cis = law.ci ? `   ${law.form === 'power' ? '' : `E ${ci(law.ci.E, sig)}  `}A ${ci(law.ci.A, sig)}  γ ${ci(law.ci.gamma, f4)}` : '';
  return core + cis;
}

/** The Step Law form (η in N and D, B in D) when the fitter gives its usual keys; any other keys are listed as they are. */
export function formatStepLaw(st: Record<string, number>): string {
  const k = ['lrCoefficient', 'lrExponentN', 'lrExponentD', 'batchCoefficient', 'batchExponentD'];
  if (!k.every((x) => Number.isFinite(st[x]))) return 'Step Law form: ' + Object.entries(st).map(([n, v]) => `${n} = ${sig(v)}`).join(', ');
  const r2 = (x: number | undefined) => (x === undefined ? '' : ` (R² ${x.toFixed(3)})`);
  return `Step Law form: η_opt = ${sig(st.lrCoefficient)}·N^${f4(st.lrExponentN)}·D^${f4(st.lrExponentD)}${r2(st.lrR2)}    B_opt = ${sig(st.batchCoefficient)}·D^${f4(st.batchExponentD)}${r2(st.batchR2)}`;
}

/** Names the scale of a representation for column headers: M_opt, or 6N1_opt. */
function scaleName(rep: string): string {
  return rep === 'M' ? 'M' : rep;
}

function optimaTable(optima: BudgetOptimum[], rep: string, lossUnits: string): string {
  const isN = rep !== 'M';
  const header = ['budget C', 'runs', 'used', `${scaleName(rep)}_opt`, ...(isN ? ['N_opt'] : []), 'D_opt', `L_opt (${lossUnits})`, `${scaleName(rep)}_opt CI`, 'warnings'];
  const rows = optima.map((o) => [
    sci(o.budget),
    String(o.points),
    o.dropped ? 'dropped' : String(o.usedPoints),
    o.dropped ? '—' : si(o.scaleOpt),
    ...(isN ? [o.dropped ? '—' : si(o.scaleOpt / 6)] : []),
    o.dropped ? '—' : si(o.dataOpt),
    o.dropped ? '—' : o.lossOpt.toFixed(4),
    ci(o.ci?.scaleOpt, si),
    o.warnings.join('; '),
  ]);
  // Warnings can be long: keep them out of the padded columns by printing the table without them, then list them.
  const body = textTable(header.slice(0, -1), rows.map((r) => r.slice(0, -1)));
  const lines = body.split('\n').map((l, i) => (i >= 2 && rows[i - 2][rows[i - 2].length - 1] ? `${l}  ⚠ ${rows[i - 2][rows[i - 2].length - 1]}` : l));
  return lines.join('\n');
}

function predictionsTable(preds: Prediction[], rep: string): string {
  const header = ['prediction', 'C', `${scaleName(rep)}`, 'D', 'loss', 'loss interval', 'batch (tokens)', 'LR'];
  return textTable(header, preds.map((p) => [
    p.label,
    sci(p.compute),
    si(p.scale) + (p.scaleInterval ? ` ${ci(p.scaleInterval, si)}` : ''),
    si(p.tokens) + (p.tokensInterval ? ` ${ci(p.tokensInterval, si)}` : ''),
    p.loss === undefined ? '—' : p.loss.toFixed(4),
    ci(p.lossInterval, (x) => x.toFixed(4)),
    p.batchTokens === undefined ? '—' : si(p.batchTokens) + (p.batchInterval ? ` ${ci(p.batchInterval, si)}` : ''),
    p.lr === undefined ? '—' : sci(p.lr) + (p.lrInterval ? ` ${ci(p.lrInterval, (x) => sci(x))}` : ''),
  ]));
}

/** The whole report as text. */
export function formatFitSummary(laws: LawsFile, ctx: SummaryContext = {}): string {
  const d = laws.details;
  const rep = laws.representation;
  const units = laws.units.loss;
  const out: string[] = [];
  const section = (title: string) => out.push('', `== ${title}`);
  out.push(`fit '${laws.name}' — dataset ${laws.dataset}, scale ${rep} (FLOPs/token; C = ${rep === 'M' ? 'M' : '6N'}·D), loss in ${units}`);
  if (laws.ciLevel !== undefined && d?.bootstrap) out.push(`intervals: ${Math.round(laws.ciLevel * 100)}% bootstrap percentile, ${d.bootstrap.resamples} resamples, seed ${d.bootstrap.seed}`);
  for (const n of ctx.notes ?? []) out.push(`  · ${n}`);

  if (d?.optima?.length) {
    const used = d.optima.filter((o) => !o.dropped).length;
    section(`IsoFLOP optima (approach 2, parabola in log ${scaleName(rep)}): ${used} of ${d.optima.length} budgets used`);
    out.push(optimaTable(d.optima, rep, units));
  }

  section('Compute-optimal allocation and hyperparameter laws (y = k·C^e)');
  const lawRows = [formatPowerLaw(`${scaleName(rep)}_opt (a)`, laws.laws.scale), formatPowerLaw('D_opt (b)', laws.laws.data)];
  if (laws.laws.lr) lawRows.push(formatPowerLaw('η_opt (p)', laws.laws.lr));
  if (laws.laws.batch) lawRows.push(formatPowerLaw('B_opt tokens (q)', laws.laws.batch));
  out.push(textTable(['law', 'exponent', 'CI', 'k', 'k CI', 'R² (log)'], lawRows));
  if (laws.laws.loss) out.push(`loss through the optima: ${formatLossLaw(laws.laws.loss)}`);
  const lossPower = (d as Record<string, unknown> | undefined)?.lossPower as LossLaw | undefined;
  if (lossPower) out.push(`pure power law:          ${formatLossLaw(lossPower)}`);

  if (d?.hyper) {
    section(`Hyperparameter laws (near-optimal: loss ≤ (1 + ${d.hyper.threshold}) × budget minimum, ${d.hyper.nearOptimal.length} runs; form ${d.hyper.form})`);
    if (!laws.laws.lr && !laws.laws.batch) out.push('no LR or batch laws (the data has no learning rates / batch sizes, or too few near-optimal runs)');
    else out.push(`η_opt = ${laws.laws.lr ? `${sig(laws.laws.lr.coefficient)}·C^${f4(laws.laws.lr.exponent)}` : '—'}    B_opt = ${laws.laws.batch ? `${sig(laws.laws.batch.coefficient)}·C^${f4(laws.laws.batch.exponent)}` : '—'}`);
    if (d.hyper.stepLaw) out.push(formatStepLaw(d.hyper.stepLaw));
  }

  if (d?.approach3) {
    const a = d.approach3;
    section(`Approach 3: L(${a.scaleVariable}, D) = E + A/${a.scaleVariable}^α + B/D^β (Huber δ = 1e-3 on log residuals, BFGS from a grid of starts)`);
    const c = a.ci ?? {};
    out.push(textTable(['E', 'A', 'B', 'α', 'β', 'a = β/(α+β)', 'b = α/(α+β)'], [
      [sig(a.E), sig(a.A), sig(a.B), f4(a.alpha), f4(a.beta), f4(a.a), f4(a.b)],
      ...(Object.keys(c).length ? [[ci(c.E, sig), ci(c.A, sig), ci(c.B, sig), ci(c.alpha, f4), ci(c.beta, f4), ci(c.a, f4), ci(c.b, f4)]] : []),
    ]));
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
    section('Window stability (approach 2 refitted with other windows)');
    out.push(textTable(['window', 'a', 'b'], d.windowStability.map((w) => [w.window === 0 ? 'auto' : String(w.window), f4(w.a), f4(w.b)])));
  }

  if (d?.predictions?.length) {
    section('Predictions');
    out.push(predictionsTable(d.predictions, rep));
  }

  if (d?.backtest) {
    section(`Backtest: fitted without the ${d.backtest.heldOut.length} largest budget(s)`);
    out.push(textTable(['budget', 'L_opt pred', 'L_opt true', 'loss err', `${scaleName(rep)}_opt pred`, `${scaleName(rep)}_opt true`, 'scale err'], d.backtest.rows.map((r) => [
      sci(r.budget), r.lossPred.toFixed(4), r.lossTrue.toFixed(4), `${(r.lossErr * 100).toFixed(2)}%`, si(r.scalePred), si(r.scaleTrue), `${(r.scaleErr * 100).toFixed(1)}%`,
    ])));
  }

  // Per-budget warnings are already printed beside their budget in the optima table: list the rest here.
  const inTable = new Set((d?.optima ?? []).flatMap((o) => o.warnings.map((w) => `budget ${sci(o.budget)}: ${w}`)));
  const fitWarnings = d?.warnings ?? [];
  const rest = fitWarnings.filter((w) => !inTable.has(w));
  const warnings = [...(ctx.warnings ?? []), ...rest];
  const shown = fitWarnings.length - rest.length;
  if (warnings.length || shown) {
    const perBudget = `${shown} per-budget warning${shown === 1 ? '' : 's'} in the optima table`;
    section(warnings.length ? `Warnings (${warnings.length}${shown ? `; ${perBudget}` : ''})` : `Warnings: ${perBudget}`);
    for (const w of warnings) out.push(`⚠ ${w}`);
  }
  return out.join('\n') + '\n';
}
