// Measurement behind the default per-budget optimum (docs/fit-methods.md §1): parabola vertex vs Akima-spline argmin, on public
// IsoFLOP data against published values and on synthetic grids from known laws (bias and RMSE of a over seeded repeats).
// `npm run bench:fit-optimum [-- --repeats N]`. Prints tables and a final JSON line.
import { readFileSync } from 'node:fs';
import { approach2, type OptimumMethod } from '../src/fit/approach2.ts';
import { loadObservations, type InputOptions } from '../src/fit/input/load.ts';
import { isoflopRuns, type ChinchillaLaw } from '../src/fit/synthetic.ts';

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1] || 100) || 100;
const METHODS: OptimumMethod[] = ['parabola', 'spline'];
const FIX = 'tests/fixtures/public-runs/';

// ── Public data: Porian et al.'s 15 settings against their published 95% intervals, and a few references with a published a.
const porian = JSON.parse(readFileSync('tests/fixtures/porian2024-published-a.json', 'utf8')) as { settings: { label: string; a: number; ci: [number, number] }[] };
const porianCols = ['N=n_params', 'D=tokens', 'C=flops', 'budget=flops', 'loss=loss'];
const inside: Record<string, number> = { parabola: 0, spline: 0 };
const absErr: Record<string, number[]> = { parabola: [], spline: [] };
console.log("Porian et al. (2024): a per setting (published a and 95% interval as printed in the paper's table)");
for (const s of porian.settings) {
  const obs = loadObservations([`${FIX}porian2024_isoflop_points.csv`], { columns: porianCols, filters: [`config_label=${s.label}`], representation: '6N2' }).observations;
  const cells = METHODS.map((m) => {
    const a = approach2(obs, { window: 0, method: m }).scale!.exponent;
    const ok = a >= s.ci[0] && a <= s.ci[1];
    if (ok) inside[m]++;
    absErr[m].push(Math.abs(a - s.a));
    return `${m} ${a.toFixed(3)} ${ok ? 'in ' : 'OUT'}`;
  });
  console.log(`  ${s.label.slice(0, 58).padEnd(58)} ${s.a.toFixed(3)} [${s.ci.join(', ')}]  ${cells.join('  ')}`);
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
for (const m of METHODS) console.log(`  ${m}: ${inside[m]} of ${porian.settings.length} inside, mean |a − published| ${mean(absErr[m]).toFixed(4)}, max ${Math.max(...absErr[m]).toFixed(4)}`);

const refs: { name: string; file: string; input: InputOptions; published: number; source: string }[] = [
  { name: 'Chinchilla (Open-Athena extract)', file: 'openathena_isoflops_extract.csv', input: { columns: ['N=params', 'D=tokens', 'loss=loss', 'budget=budget'], filters: ['experiment=ml_scalefit__massivetext__chinchilla'], representation: '6N2' }, published: 0.49, source: 'Hoffmann et al. 2022, Table 2 (approach 2)' },
  { name: 'Chinchilla (Epoch extraction)', file: 'epoch_chinchilla_svg_extracted_data.csv', input: { columns: ['N=Model Size', 'C=Training FLOP', 'loss=loss'], dropHighestLoss: 5, representation: '6N2' }, published: 0.49, source: 'Hoffmann et al. 2022, Table 2 (approach 2)' },
  { name: 'Llama 3 (Fig. 2 digitised)', file: 'llama3_isoflops_points.csv', input: { columns: ['C=compute_budget', 'D=training_tokens', 'loss=validation_loss', 'budget=compute_budget'], representation: '6N2' }, published: 1 - 0.53, source: 'Dubey et al. 2024 §3.2.1: D_opt ∝ C^0.53' },
];
console.log('\nOther public IsoFLOP data (a, published reference)');
const publicRows: Record<string, unknown>[] = [];
for (const r of refs) {
  const obs = loadObservations([FIX + r.file], r.input).observations;
  const as = METHODS.map((m) => approach2(obs, { window: 0, method: m }).scale?.exponent ?? NaN);
  console.log(`  ${r.name.padEnd(34)} parabola ${as[0].toFixed(3)}  spline ${as[1].toFixed(3)}  published ${r.published.toFixed(2)} (${r.source})`);
  publicRows.push({ name: r.name, parabola: as[0], spline: as[1], published: r.published });
}

// ── Synthetic grids: L = E + A/M^α + B/D^β with multiplicative noise; a = β/(α+β) is the truth.
const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
const laws: { name: string; law: ChinchillaLaw }[] = [
  { name: 'symmetric α 0.34 β 0.28 (a 0.45)', law: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 } },
  { name: 'asymmetric α 0.20 β 0.60 (a 0.75)', law: { E: 1.8, A: 120, B: 4000, alpha: 0.2, beta: 0.6 } },
];
const grids = [
  { points: 5, span: 1.2, noise: 0.003 },
  { points: 9, span: 1.6, noise: 0.003 },
  { points: 9, span: 1.6, noise: 0.0003 },
  { points: 15, span: 2.4, noise: 0.001 },
];
console.log(`\nSynthetic IsoFLOP grids, ${BUDGETS.length} budgets, ${repeats} seeded repeats: bias and RMSE of a (×1000)`);
const synthRows: Record<string, unknown>[] = [];
for (const { name, law } of laws) {
  const truth = law.beta / (law.alpha + law.beta);
  for (const g of grids) {
    const stats = METHODS.map((m) => {
      const errs: number[] = [];
      for (let seed = 1; seed <= repeats; seed++) {
        const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: g.points, spanDecades: g.span, shift: 0.2, noise: g.noise, seed });
        const a = approach2(obs, { window: 0, method: m }).scale?.exponent;
        if (a !== undefined) errs.push(a - truth);
      }
      return { bias: mean(errs), rmse: Math.sqrt(mean(errs.map((e) => e * e))), n: errs.length };
    });
    const f = (x: number) => (1000 * x).toFixed(1).padStart(6);
    console.log(`  ${name.padEnd(34)} ${String(g.points).padStart(2)} pts ${g.span} dec noise ${(g.noise * 100).toFixed(2)}%  parabola bias ${f(stats[0].bias)} rmse ${f(stats[0].rmse)}   spline bias ${f(stats[1].bias)} rmse ${f(stats[1].rmse)}`);
    synthRows.push({ law: name, ...g, parabola: stats[0], spline: stats[1] });
  }
}
console.log(JSON.stringify({ bench: 'fit-optimum', repeats, porianInside: inside, porianMeanAbsErr: { parabola: mean(absErr.parabola), spline: mean(absErr.spline) }, public: publicRows, synthetic: synthRows }));
