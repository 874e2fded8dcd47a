// Regenerates the "Public runs" block of docs/fit.md: runs each documented `scaling fit` command line on tests/fixtures/public-runs
// (default 1,000 bootstrap resamples, seed 1) and writes the command and its real results (a, b with CIs, approach 3, hyperparameters).
// Usage: node bin/run-ts.js experiments/fit-public-docs.ts   (a few minutes on 2 cores)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src/util/atomic.ts';
import type { Interval, LawsFile } from '../src/schema/laws.ts';

const P = 'tests/fixtures/public-runs/';
const MARIN = (file: string, lrCol: string) =>
  `scaling fit ${P}${file} --col N=parameter_count --col D=throughput/total_tokens --col 'C=throughput/total_gflops*1e9' --col loss=eval/paloma/macro_loss --col lr=${lrCol} --col batch=trainer.train_batch_size --batch-unit sequences:4096 --filter 'Name~^isoflop-' --budget-from 'Name:^isoflop-([0-9.e+]+)-' --budget-factor 3 --representation 6N2 --dataset ${file.replace(/^marin_202603_isoflop_(\w+)\.csv$/, 'marin-$1')}`;

/** [title, what to know, command line]. */
export const PUBLIC_COMMANDS: [string, string, string][] = [
  ['Chinchilla, Epoch\'s figure extraction', 'N = all parameters, D = C/(6N); no budget column: C snapped within ±10%; Epoch\'s protocol drops the 5 highest-loss points.',
    `scaling fit ${P}epoch_chinchilla_svg_extracted_data.csv --col 'N=Model Size' --col 'C=Training FLOP' --col loss=loss --drop-highest-loss 5 --representation 6N2 --dataset massivetext-epoch`],
  ['Chinchilla IsoFLOP points (Open-Athena extract)', 'the long table holds several groups: filter one experiment; its nine budgets come from the budget column.',
    `scaling fit ${P}openathena_isoflops_extract.csv --col N=params --col D=tokens --col loss=loss --col budget=budget --col dataset=dataset --filter experiment=ml_scalefit__massivetext__chinchilla --representation 6N2`],
  ['Llama 3 (Fig. 2 digitised)', 'no N: N = C/(6D); loss in the figure\'s units.',
    `scaling fit ${P}llama3_isoflops_points.csv --col C=compute_budget --col D=training_tokens --col loss=validation_loss --col budget=compute_budget --representation 6N2 --loss-units 'Llama 3 Fig. 2 units' --dataset llama3`],
  ['Marin, Comma data', 'only `isoflop-*` rows are the IsoFLOP grid; the name\'s budget counts 2ND, so ×3; batch in sequences of 4096.', MARIN('marin_202603_isoflop_comma.csv', 'optimizer.learning_rate')],
  ['Marin, DCLM data', 'as above.', MARIN('marin_202603_isoflop_dclm.csv', 'optimizer.learning_rate')],
  ['Marin, Nemotron data', 'as above; the LR column is named `learning_rate` here and is empty (reported, no LR law).', MARIN('marin_202603_isoflop_nemotron.csv', 'learning_rate')],
  ['Porian et al. 2024', '15 settings in one file: filter one (`config_label`); budgets 1.25e16·2^k from the flops column; `--optimum spline` is the authors\' per-budget estimator (Akima argmin, edge minima dropped), which puts a inside their published interval for all 15 settings (tests/fit-published.test.ts).',
    `scaling fit ${P}porian2024_isoflop_points.csv --col N=n_params --col D=tokens --col C=flops --col budget=flops --col loss=loss --col dataset=dataset --filter 'config_label=Cosine decay' --optimum spline --representation 6N2`],
  ['CS336 synthetic IsoFLOP curves (JSON)', 'synthetic data: the fit should be near exact.',
    `scaling fit ${P}cs336_2024_isoflops_curves_synthetic.json --col N=parameters --col C=compute_budget --col budget=compute_budget --col loss=final_loss --representation 6N2 --dataset cs336-synthetic`],
  ['OLMo 2 ladder, final checkpoints', 'a ladder (sizes × token multiples), not an IsoFLOP grid: approach 2 has no budget with 3 sizes; approach 3 is the result. `--filter source_file~xC` keeps the 25 ladder runs (the 7B and 13B target runs are not training data); `--predict` gives approach 3\'s L(N, D) for both targets with intervals, and `L=` their released c4 losses, so the error is printed. LR and batch follow a size rule: no law.',
    `scaling fit ${P}olmo_ladder_final.csv --col N=n_params_nonembed --col D=tokens --col loss=c4_en_val_loss --col lr=lr_peak --col batch=batch_size_tokens --filter 'source_file~xC' --predict 'OLMo-2-7B:N=6887575552,D=3945065873408,L=2.4829183,OLMo-2-13B:N=13202396160,D=5000088518656,L=2.4375818' --holdout-largest 2 --representation 6N1 --dataset olmo2-c4`],
  ['OLMo 2 ladder, training curves', 'every evaluation of every ladder run: `--col run=source_file --curves` makes the last one the result and all of them the curve (approach 1); the target runs filtered out as above.',
    `scaling fit ${P}olmo_ladder_curves.csv --col N=n_params_nonembed --col D=tokens --col loss=c4_en_val_loss --col lr=lr_peak --col batch=batch_size_tokens --col run=source_file --curves --filter 'source_file~xC' --representation 6N1 --dataset olmo2-c4`],
  ['Misfitting (Hadas et al.)', '11 sizes × 3–4 peak LRs; the export repeats some runs exactly (`--dedupe`, reported).',
    `scaling fit ${P}misfitting_scaling_results_last_ckpt_only.csv --col N=N --col D=D --col loss=loss --col lr=peak_lr --dedupe --representation 6N2 --dataset misfitting-c4`],
  ['Step Law LR × batch grids', '17 (N, D) groups; four of them share C = 1.29e20 (an IsoFLOP set), so budgets are snapped within ±1%, and near-optimal runs are selected within each (N, D) group, as the authors do (automatic, noted); batch in sequences of 2048; Step Law form with intervals.',
    `scaling fit ${P}steplaw_dense_lr_bs_loss.csv --col N=N --col D=D --col 'loss=smooth loss' --col lr=lr --col batch=bs --batch-unit sequences:2048 --snap 0.01 --hyper-form steplaw --representation 6N1 --dataset steplaw`],
];

/** Splits a documented command into words ('…' and "…" quote). */
function words(line: string): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  let q: string | undefined;
  for (const ch of line) {
    if (q) { if (ch === q) q = undefined; else cur += ch; }
    else if (ch === "'" || ch === '"') { q = ch; cur ??= ''; }
    else if (/\s/.test(ch)) { if (cur !== undefined) out.push(cur); cur = undefined; }
    else cur = (cur ?? '') + ch;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));
const iv = (c: Interval | undefined) => (c ? ` [${f3(c[0])}, ${f3(c[1])}]` : '');

function summarise(l: LawsFile, seconds: number): string {
  const d = l.details!;
  const used = d.optima.filter((o) => !o.dropped && !o.excluded).length;
  const parts = [`${used} of ${d.optima.length} budgets in the laws`];
  const unsupported = (x: { supported?: boolean; reasons?: string[] } | undefined) => (x?.supported === false ? ` (not supported: ${(x.reasons ?? []).join(', ')})` : '');
  if (l.laws.scale) parts.push(`**a = ${f3(l.laws.scale.exponent)}**${iv(l.laws.scale.ci?.exponent)}, **b = ${f3(l.laws.data?.exponent)}**${iv(l.laws.data?.ci?.exponent)}${unsupported(l.laws.scale)}`);
  else parts.push('no allocation law (too few budgets with a resolved minimum)');
  if (d.approach3) parts.push(`approach 3: α = ${f3(d.approach3.alpha)}, β = ${f3(d.approach3.beta)}, E = ${f3(d.approach3.E)} → a = ${f3(d.approach3.a)}${iv(d.approach3.ci?.a)}${unsupported(d.approach3)}`);
  if (d.approach1) parts.push(`approach 1: a = ${f3(d.approach1.scale.exponent)}`);
  if (l.laws.lr) parts.push(`η_opt ∝ C^${f3(l.laws.lr.exponent)}${iv(l.laws.lr.ci?.exponent)}${unsupported(l.laws.lr)}`);
  if (l.laws.batch) parts.push(`B_opt ∝ C^${f3(l.laws.batch.exponent)}${iv(l.laws.batch.ci?.exponent)}${unsupported(l.laws.batch)}`);
  const st = d.hyper?.stepLaw;
  const sc = d.hyper?.stepLawCi ?? {};
  if (st) parts.push(`Step Law: η ∝ N^${f3(st.lrExponentN)}${iv(sc.lrExponentN)}·D^${f3(st.lrExponentD)}${iv(sc.lrExponentD)}, B ∝ D^${f3(st.batchExponentD)}${iv(sc.batchExponentD)}`);
  for (const p of d.predictions ?? []) {
    const a3 = p.approach3;
    if (a3?.observed !== undefined) parts.push(`${p.label}: L = ${a3.loss.toFixed(4)}${a3.lossInterval ? ` [${a3.lossInterval[0].toFixed(4)}, ${a3.lossInterval[1].toFixed(4)}]` : ''} vs released ${a3.observed.toFixed(4)} (error ${(100 * a3.error!).toFixed(2)}%)`);
  }
  const codes = (d.diagnostics ?? []).map((w) => w.code);
  parts.push(`${codes.length} named warnings${codes.length ? ` (${codes.join(', ')})` : ''}; ${seconds.toFixed(0)} s`);
  return parts.join('; ');
}

const blocks: string[] = [];
for (const [title, note, cmd] of PUBLIC_COMMANDS) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['bin/scaling.js', ...words(cmd).slice(1), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (Date.now() - t0) / 1000;
  const result = r.status === 0 ? summarise(JSON.parse(r.stdout) as LawsFile, seconds) : `FAILS (exit ${r.status}): ${(r.stderr.split('\n').find((l) => /Error|scaling:/.test(l)) ?? '').trim()}`;
  process.stderr.write(`${title}: ${result}\n`);
  blocks.push(`**${title}** — ${note}\n\n\`\`\`sh\n${cmd}\n\`\`\`\n\nResult: ${result}.\n`);
}
const doc = readFileSync('docs/fit.md', 'utf8');
const begin = '<!-- public-commands:begin -->';
const end = '<!-- public-commands:end -->';
const i = doc.indexOf(begin), j = doc.indexOf(end);
if (i < 0 || j < i) throw new Error('docs/fit.md: markers not found');
const stamp = `_Generated by \`node bin/run-ts.js experiments/fit-public-docs.ts\` on ${new Date().toISOString().slice(0, 10)}; times are wall-clock on a shared 2-core machine (noisy)._\n`;
writeFileAtomic('docs/fit.md', doc.slice(0, i + begin.length) + '\n' + stamp + '\n' + blocks.join('\n') + doc.slice(j));
