// Fitter benchmark (not a test): 1,000 synthetic runs over 8 budgets, the full fit with 1,000 bootstrap resamples; prints the time
// (target ≤ 5 s on one core) and a final JSON line. `npm run bench:fit [-- --resamples N --runs N --no-approach3]`.
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../src/fit/fit.ts';
import { isoflopRuns, lawWithExponent } from '../src/fit/synthetic.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const runs = arg('runs', 1000);
const resamples = arg('resamples', 1000);
const approach3 = !args.includes('--no-approach3');
const budgets = [1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20];
const law = lawWithExponent(0.5243);
const obs = isoflopRuns({
  law,
  budgets,
  pointsPerBudget: Math.round(runs / budgets.length),
  spanDecades: 1.6,
  shift: 0.2,
  noise: 0.003,
  seed: 7,
  hyper: { lrCurvature: 0.03, batchCurvature: 0.02, spread: 0.5 },
  reps: true,
});

const stages: Record<string, number> = {};
const stagesCpu: Record<string, number> = {};
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let last = performance.now();
let lastCpu = cpuNow();
const t0 = last;
const cpu0 = process.cpuUsage();
const laws = fitObservations(obs, { ...DEFAULT_FIT_OPTIONS, dataset: 'bench', name: 'bench', bootstrap: resamples, approach3, predict: ['7b', '67b', '1e21'] }, {
  progress: (stage, done, total) => {
    if (done === total) {
      const now = performance.now();
      const c = cpuNow();
      stages[stage] = (now - last) / 1000;
      stagesCpu[stage] = c - lastCpu;
      last = now;
      lastCpu = c;
    }
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const d = laws.details!;
console.log(`fit of ${obs.length} runs over ${budgets.length} budgets, ${resamples} bootstrap resamples${approach3 ? ', approach 3 on' : ''}: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU (target ≤ 5 s on one core; timings on a shared machine are noisy)`);
console.log(`  approach 3 full grid: ${(stages.approach3 ?? 0).toFixed(2)} s wall / ${(stagesCpu.approach3 ?? 0).toFixed(2)} s CPU; bootstrap: ${(stages.bootstrap ?? 0).toFixed(2)} s wall / ${(stagesCpu.bootstrap ?? 0).toFixed(2)} s CPU`);
console.log(`  a = ${laws.laws.scale?.exponent.toFixed(4)} ${JSON.stringify(laws.laws.scale?.ci?.exponent)} (truth ${(law.beta / (law.alpha + law.beta)).toFixed(4)})`);
console.log(`  approach 3: α = ${d.approach3?.alpha.toFixed(4)} β = ${d.approach3?.beta.toFixed(4)} E = ${d.approach3?.E.toFixed(4)} (truth ${law.alpha}, ${law.beta.toFixed(4)}, ${law.E})`);
console.log(JSON.stringify({ bench: 'fit', runs: obs.length, budgets: budgets.length, resamples, approach3, seconds: Number(seconds.toFixed(3)), cpuSeconds: Number(cpuSeconds.toFixed(3)), approach3CpuSeconds: Number((stagesCpu.approach3 ?? 0).toFixed(3)), bootstrapCpuSeconds: Number((stagesCpu.bootstrap ?? 0).toFixed(3)), a: laws.laws.scale?.exponent, aCi: laws.laws.scale?.ci?.exponent, warnings: d.warnings.length }));
