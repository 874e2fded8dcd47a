// Benchmark: `scaling fit` on a large mapped CSV (default ≈ 50 MB of runs, generated here from a known law; not committed).
// Run: node bin/run-ts.js bench/fit-large.ts [MEGABYTES] [--bootstrap=100] [--keep]. Prints rows, file size, load and fit time, peak RSS, and the
// fitted exponent a next to the one the data were drawn from (a check that the big input was read whole, not only survived).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObservations } from '../src/fit/input/load.ts';
import { fitObservations, DEFAULT_FIT_OPTIONS } from '../src/fit/fit.ts';

const targetMb = Number(process.argv[2] ?? 50);
const keep = process.argv.includes('--keep');
const bootstrapArg = process.argv.find((a) => a.startsWith('--bootstrap='));
const bootstrap = bootstrapArg ? Number(bootstrapArg.split('=')[1]) : 100;

// Synthetic IsoFLOP grids from a Chinchilla-form loss L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, approach 3's form):
// with α = β the compute-optimal N_opt ∝ C^0.5. Each budget gets many allocations (every row its own N), 15 positions × seeds.
const E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.34;
const loss = (N: number, D: number) => E + A / N ** alpha + B / D ** beta;
const budgets = [1e18, 3e18, 1e19, 3e19, 1e20, 3e20, 1e21];

const dir = mkdtempSync(join(tmpdir(), 'scaling-fit-large-'));
const file = join(dir, 'runs.csv');
const lines: string[] = ['run_name,group,params,tokens,compute,final_loss,seed,lr,batch,notes'];
let bytes = lines[0].length + 1;
let rows = 0;
let rng = 12345;
outer: for (let seed = 0; ; seed++) {
  for (const C of budgets) {
    for (let k = 0; k < 15; k++) {
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
      // Every row its own allocation near position k (equal N and D would be replicas, which the fitter averages).
      const N = (C / 6) ** 0.5 * 2 ** ((k - 7 + rng / 2 ** 32 - 0.5) / 3);
      const D = C / (6 * N);
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0; // LCG (Numerical Recipes): replicate noise, ±0.1% of the loss
      const noise = 1 + 0.002 * (rng / 2 ** 32 - 0.5);
      const line = `run-${seed}-${C.toExponential(1)}-${k},isoflop-${C.toExponential(1)},${N.toPrecision(12)},${D.toPrecision(12)},${C},${(loss(N, D) * noise).toPrecision(15)},${seed},0.0003,${2 ** 20},synthetic row ${rows}`;
      lines.push(line);
      bytes += line.length + 1;
      rows++;
      if (bytes >= targetMb * 1e6) break outer;
    }
  }
}
writeFileSync(file, lines.join('\n') + '\n');
lines.length = 0;
const size = statSync(file).size;

const t0 = performance.now();
const loaded = loadObservations([file], { columns: ['N=params', 'D=tokens', 'C=compute', 'loss=final_loss', 'budget=compute', 'run=run_name'] });
const t1 = performance.now();
const laws = fitObservations(loaded.observations, { ...DEFAULT_FIT_OPTIONS, dataset: 'synthetic', name: 'fit-large', representation: loaded.representation, lossUnits: loaded.lossUnits, bootstrap, approach3: false, approach3Scale: 'N' });
const t2 = performance.now();
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(`fit-large: ${rows} rows, ${(size / 1e6).toFixed(1)} MB; load ${((t1 - t0) / 1000).toFixed(1)} s, fit (approach 2 + ${bootstrap} bootstrap resamples) ${((t2 - t1) / 1000).toFixed(1)} s; peak RSS ${rssMb.toFixed(0)} MB`);
console.log(`fit-large: a = ${laws.laws.scale?.exponent.toFixed(4)} (the data's law: ${(beta / (alpha + beta)).toFixed(4)})`);
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${file}`);
