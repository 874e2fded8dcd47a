// `scaling next` benchmark (not a test): on runs simulated from a known Chinchilla law (a = 0.5) with 0.5% noise, starting from the
// same initial grid (3 budgets 1e18–1e19, 5 models each, planned with the paper's Eq. 4), how much compute does the adaptive loop
// (fit → next → train, src/next/adaptive.ts) need to bring a's fitted 95% half-width to the goal, against the uniform ladder (one
// more budget per round, half a decade up, the same 5-model grid)? Prints every repeat, the ratio of total FLOPs, and a JSON line.
//   npm run bench:next [-- --repeats 10 --goal 0.05 --noise 0.005 --factor 3 --simulations 6 --shortlist 4 --bootstrap 100 --smaller]
import { loadLaws } from '../src/laws/load.ts';
import { lawWithExponent } from '../src/fit/synthetic.ts';
import { initialPlan, runAdaptiveStudy, runUniform, type StrategyResult, type SyntheticStudy } from '../src/next/synthetic.ts';
import { parseNextTarget } from '../src/next/target.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const repeats = arg('repeats', 10);
const goal = arg('goal', 0.05);
const noise = arg('noise', 0.005);
const factor = arg('factor', 3);
const simulations = arg('simulations', 6);
const shortlist = arg('shortlist', 4);
const bootstrap = arg('bootstrap', 100);
const maxRounds = arg('max-rounds', 12);
const smaller = args.includes('--smaller');
const law = lawWithExponent(0.5);

const study = (seed: number): SyntheticStudy => ({
  law, noise, prior: loadLaws().laws, budgets: [1e18, 3.16e18, 1e19], plan: { points: 5, span: 3 }, fit: { bootstrap: 1000 },
  target: parseNextTarget('a', { field: 'target' }), goal, maxRounds, seed,
});
const truth = law.beta / (law.alpha + law.beta);
const covers = (r: StrategyResult) => !!r.interval && r.interval[0] <= truth && truth <= r.interval[1];
const fmt = (r: StrategyResult) =>
  `${r.reached ? 'reached' : 'NOT reached'} in ${r.rounds} rounds, ${r.runs} runs, ${r.totalFlops.toExponential(2)} FLOPs (±${r.halfWidths.map((h) => h.toFixed(3)).join(' → ±')}); ` +
  `a = ${r.value?.toFixed(3)} [${r.interval?.map((x) => x.toFixed(3)).join(', ')}]${covers(r) ? '' : ' (misses the truth 0.5)'}`;

const initial = initialPlan(study(1)).budgets.flatMap((b) => b.points).reduce((t, p) => t + p.flops, 0);
console.log(`law a = 0.5 (α = ${law.alpha}, β = ${law.beta}), noise ${(noise * 100).toFixed(2)}% per run, goal: a's 95% half-width ≤ ${goal}; initial grid ${initial.toExponential(2)} FLOPs`);
console.log(`adaptive: each round may spend ${factor}× the compute so far; ${simulations} simulations × ${shortlist} candidates per step, ${bootstrap} resamples per refit${smaller ? ', smaller budgets allowed' : ''}`);
const t0 = performance.now();
const rows: { seed: number; uniform: StrategyResult; adaptive: StrategyResult; ratio: number; seconds: number }[] = [];
for (let seed = 1; seed <= repeats; seed++) {
  const t = performance.now();
  const s = study(seed);
  const uniform = runUniform(s);
  const adaptive = await runAdaptiveStudy(s, { factor }, { simulations, finalSimulations: simulations, shortlist, bootstrap, smaller });
  const ratio = adaptive.totalFlops / uniform.totalFlops;
  const seconds = (performance.now() - t) / 1000;
  rows.push({ seed, uniform, adaptive, ratio, seconds });
  console.log(`seed ${seed}: uniform ${fmt(uniform)}`);
  console.log(`        adaptive ${fmt(adaptive)}`);
  console.log(`        compute ratio adaptive/uniform ${ratio.toFixed(3)} (${seconds.toFixed(0)} s)`);
}
const both = rows.filter((r) => r.uniform.reached && r.adaptive.reached);
const ratios = both.map((r) => r.ratio).sort((a, b) => a - b);
const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
const median = ratios.length ? ratios[Math.floor((ratios.length - 1) / 2)] : NaN;
const seconds = (performance.now() - t0) / 1000;
console.log(
  `${both.length} of ${repeats} repeats reached the goal with both strategies (uniform ${rows.filter((r) => r.uniform.reached).length}, adaptive ${rows.filter((r) => r.adaptive.reached).length}); ` +
    `total-compute ratio adaptive/uniform: geometric mean ${geo.toFixed(3)}, median ${median.toFixed(3)}, range ${ratios[0]?.toFixed(3)}–${ratios[ratios.length - 1]?.toFixed(3)}; adaptive used less in ${both.filter((r) => r.ratio < 1).length} of ${both.length}; ${seconds.toFixed(0)} s`,
);
const cal = rows.flatMap((r) => r.adaptive.calibration ?? []).filter((c) => Number.isFinite(c.realised));
const calRatio = cal.length ? Math.exp(cal.reduce((t, c) => t + Math.log(c.realised / c.expected), 0) / cal.length) : NaN;
console.log(`calibration: over ${cal.length} adaptive rounds the realised half-width was ${calRatio.toFixed(2)}× the proposal's expected one (geometric mean; ${cal.filter((c) => c.realised > c.expected).length} of ${cal.length} wider than expected)`);
console.log(`the final 95% interval of a covers the truth (0.5) in ${rows.filter((r) => covers(r.uniform)).length} of ${repeats} uniform and ${rows.filter((r) => covers(r.adaptive)).length} of ${repeats} adaptive studies`);
console.log(JSON.stringify({
  bench: 'next', repeats, goal, noise, factor, simulations, shortlist, bootstrap, smaller, seconds: Number(seconds.toFixed(1)),
  geometricMeanRatio: Number(geo.toFixed(4)), medianRatio: Number(median.toFixed(4)), ratios: rows.map((r) => Number(r.ratio.toFixed(4))),
  reached: { uniform: rows.filter((r) => r.uniform.reached).length, adaptive: rows.filter((r) => r.adaptive.reached).length },
  calibrationRatio: Number(calRatio.toFixed(3)),
  covers: { uniform: rows.filter((r) => covers(r.uniform)).length, adaptive: rows.filter((r) => covers(r.adaptive)).length },
  totals: rows.map((r) => ({ seed: r.seed, uniform: r.uniform.totalFlops, adaptive: r.adaptive.totalFlops, uniformRounds: r.uniform.rounds, adaptiveRounds: r.adaptive.rounds, uniformA: r.uniform.interval, adaptiveA: r.adaptive.interval })),
}));
