// Coverage of the bootstrap intervals (docs/fit-methods.md §8): over seeded repeats of synthetic data from known laws, how often the
// 95% interval contains the truth — approach 2's a on IsoFLOP grids (parabola and spline; cases and parametric schemes), approach 3's a and a predicted L(N, D) on
// a ladder with one run per budget (the pooled resampling), and the Eq. 1 exponents on LR × batch grids.
// `npm run bench:fit-coverage [-- --repeats 100 --resamples 200]`. Prints a table and a final JSON line.
import { DEFAULT_FIT_OPTIONS, fitObservations } from '../src/fit/fit.ts';
import { EQ1, chinchillaLoss, hyperGridRuns, isoflopRuns, ladderRuns, lawWithExponent, type ChinchillaLaw } from '../src/fit/synthetic.ts';
import type { Interval } from '../src/schema/laws.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const repeats = arg('repeats', 100);
const resamples = arg('resamples', 200);
const opts = { ...DEFAULT_FIT_OPTIONS, dataset: 'coverage', name: 'coverage', bootstrap: resamples };
const inside = (iv: Interval | undefined, x: number) => iv !== undefined && iv[0] <= x && x <= iv[1];

interface Row { case: string; quantity: string; truth: number; covered: number; repeats: number; medianWidth: number }
const rows: Row[] = [];
function tally(name: string, quantity: string, truth: number, ivs: (Interval | undefined)[]) {
  const widths = ivs.filter((iv): iv is Interval => !!iv).map((iv) => iv[1] - iv[0]).sort((a, b) => a - b);
  rows.push({ case: name, quantity, truth, covered: ivs.filter((iv) => inside(iv, truth)).length, repeats: ivs.length, medianWidth: widths[Math.floor(widths.length / 2)] ?? NaN });
}

const t0 = performance.now();
// 1. IsoFLOP grids: 8 budgets × 9 sizes over 1.6 decades, optimum shifted ±0.2 decades at random, 0.3% noise.
const law = lawWithExponent(0.5243);
const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
for (const method of ['parabola', 'spline'] as const) {
  for (const scheme of ['cases', 'parametric'] as const) {
    if (method === 'spline' && scheme === 'parametric') continue; // the parametric model is the parabola
    const ivs: (Interval | undefined)[] = [];
    for (let seed = 1; seed <= repeats; seed++) {
      const obs = isoflopRuns({ law, budgets: BUDGETS, pointsPerBudget: 9, spanDecades: 1.6, shift: 0.2, noise: 0.003, seed: 1000 + seed });
      ivs.push(fitObservations(obs, { ...opts, optimum: method, bootstrapScheme: scheme, approach3: false, seed }).laws.scale?.ci?.exponent);
    }
    tally(`IsoFLOP 8×9, 0.3% noise, ${method}, ${scheme}`, 'a', law.beta / (law.alpha + law.beta), ivs);
  }
}
// 1b. Micro-study-like grids: 4 or 5 budgets over 1.5 or 2 decades × 7 sizes over 1 decade, 1.5% noise (our measured seed σ ≈ 0.04–0.05 bpb
// on ≈ 2.7 bpb), both schemes.
for (const budgets of [[1e17, 3.16e17, 1e18, 3.16e18], [1e17, 3.16e17, 1e18, 3.16e18, 1e19]]) {
  for (const scheme of ['cases', 'parametric'] as const) {
    const ivs: (Interval | undefined)[] = [];
    for (let seed = 1; seed <= repeats; seed++) {
      const obs = isoflopRuns({ law, budgets, pointsPerBudget: 7, spanDecades: 1, shift: 0.15, noise: 0.015, seed: 5000 + seed });
      ivs.push(fitObservations(obs, { ...opts, bootstrapScheme: scheme, approach3: false, seed }).laws.scale?.ci?.exponent);
    }
    tally(`IsoFLOP ${budgets.length}×7, 1.5% noise, parabola, ${scheme}`, 'a', law.beta / (law.alpha + law.beta), ivs);
  }
}

// 2. A ladder, one run per budget: 5 sizes × 5 token multiples (OLMo-style), 0.3% noise; approach 3 in M.
const truth: ChinchillaLaw = { E: 1.8, A: 400, B: 400, alpha: 0.3, beta: 0.3 };
const target = { M: 6e10, D: 4e12 };
{
  const aIvs: (Interval | undefined)[] = [];
  const lIvs: (Interval | undefined)[] = [];
  for (let seed = 1; seed <= repeats; seed++) {
    const obs = ladderRuns({ law: truth, scales: [1e9, 2.2e9, 4.6e9, 1e10, 2.2e10], multiples: [0.5, 1, 2, 5, 10], tokensPerScale: 20 / 6, noise: 0.003, seed: 2000 + seed });
    const d = fitObservations(obs, { ...opts, seed, predict: [`M=${target.M},D=${target.D}`] }).details!;
    aIvs.push(d.approach3?.ci?.a);
    lIvs.push(d.predictions?.[0]?.approach3?.lossInterval);
  }
  tally('ladder 5×5, one run per budget, 0.3% noise', 'approach 3 a', truth.beta / (truth.alpha + truth.beta), aIvs);
  tally('ladder 5×5, one run per budget, 0.3% noise', `L(M=${target.M.toExponential(0)}, D=${target.D.toExponential(0)})`, chinchillaLoss(truth, target.M, target.D), lIvs);
}

// 3. LR × batch grids at 6 budgets (11 × 11, 0.1 decades apart), 0.1% noise: the Eq. 1 exponents.
{
  const p: (Interval | undefined)[] = [];
  const q: (Interval | undefined)[] = [];
  for (let seed = 1; seed <= repeats; seed++) {
    const obs = hyperGridRuns({ budgets: [1e17, 3e17, 1e18, 3e18, 1e19, 2e19], perAxis: 11, stepDecades: 0.1, bowl: { lrCurvature: 0.08, batchCurvature: 0.05 }, noise: 0.001, seed: 3000 + seed });
    const l = fitObservations(obs, { ...opts, approach3: false, seed }).laws;
    p.push(l.lr?.ci?.exponent);
    q.push(l.batch?.ci?.exponent);
  }
  tally('LR × batch grids 6 × 11×11, 0.1% noise', 'p (η_opt exponent)', EQ1.lr.p, p);
  tally('LR × batch grids 6 × 11×11, 0.1% noise', 'q (B_opt exponent)', EQ1.batch.q, q);
}
const seconds = (performance.now() - t0) / 1000;

console.log(`bootstrap coverage: ${repeats} seeded repeats per case, ${resamples} resamples, nominal 95%`);
for (const r of rows) console.log(`  ${r.case.padEnd(44)} ${r.quantity.padEnd(22)} truth ${r.truth.toPrecision(4).padStart(7)}  covered ${String(r.covered).padStart(3)}/${r.repeats} = ${((100 * r.covered) / r.repeats).toFixed(0).padStart(3)}%  median width ${r.medianWidth.toPrecision(3)}`);
console.log(`  ${seconds.toFixed(1)} s`);
console.log(JSON.stringify({ bench: 'fit-coverage', repeats, resamples, seconds: Number(seconds.toFixed(1)), rows }));
