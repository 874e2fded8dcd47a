// Library quick start, using only the public API (`import … from 'scaling'`): plan an IsoFLOP grid from the paper's laws, fit
// Marin's published IsoFLOP runs (a CSV from another trainer, through a column mapping), and write a report of the fit.
//   node --conditions=source bin/run-ts.js examples/quickstart.ts OUT_DIR     (from a checkout; or plain node after `npm run build`)
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { flops, plan, fit, report, writeLaws, PRESETS, allPoints } from 'scaling';

const out = process.argv[2] ?? 'out/quickstart';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

// 1. FLOPs accounting: M of DeepSeek LLM 7B (paper Table 3's 30×4096 shape has M = 45.1B FLOPs/token at l_seq 4096).
const m7b = flops(PRESETS['7b']);
console.log(`7B: M = ${(m7b.M / 1e9).toFixed(1)}B FLOPs/token, N1 = ${(m7b.N1 / 1e9).toFixed(2)}B, 6N1/M = ${m7b.sixN1OverM.toFixed(3)}`);

// 2. A byte-level IsoFLOP grid at CPU scale from the paper's Eq. 1 and Eq. 4.
const grid = plan({ budgets: '1e11:1e12:3', points: 5, seqLen: 128, vocab: 256 });
for (const p of allPoints(grid)) console.log(`plan ${p.id}: M ${p.M.toExponential(2)}, D ${p.tokens.toExponential(2)}, batch ${p.batchSeqs} seq, lr ${p.lr.toPrecision(3)}`);

// 3. Fit another group's runs: Marin's DCLM IsoFLOP sweep (W&B export columns), scale 6·N (all parameters).
const laws = fit([join(repo, 'tests/fixtures/public-runs/marin_202603_isoflop_dclm.csv')], {
  input: {
    columns: ['N=parameter_count', 'D=throughput/total_tokens', 'C=throughput/total_gflops*1e9', 'loss=eval/paloma/macro_loss'],
    filters: ['Name~^isoflop-'],
    budgetFrom: 'Name:^isoflop-([0-9.e+]+)-',
    budgetFactor: 3,
    representation: '6N2',
    dataset: 'marin-dclm',
  },
  fit: { name: 'marin-dclm', bootstrap: 200, predict: ['7b'] },
});
const a = laws.laws.scale!;
console.log(`marin-dclm: a = ${a.exponent.toFixed(3)}${a.ci ? ` [${a.ci.exponent[0].toFixed(3)}, ${a.ci.exponent[1].toFixed(3)}]` : ''}`);

// 4. Write the fit and its report (charts as SVG, one offline HTML page).
const fitsFile = join(out, 'marin-dclm.json');
writeLaws(fitsFile, laws);
const written = await report(join(out, 'report'), { fits: [fitsFile], title: 'Marin DCLM (quick start)' }, { png: false });
console.log(`report: ${written.dir}/index.html (${written.charts.length} charts)`);
