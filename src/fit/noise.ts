// The noise budget of a study (issue: "the default study as evidence"): how much of the scatter of the IsoFLOP curves is seed noise
// (training the same point with another seed) and how much is the grid (shape-to-shape scatter, the parabola's misfit).
//   seed σ      pooled within-group SD of seed replicas' final losses: √(Σ(n_i−1)s_i² / Σ(n_i−1)), with its degrees of freedom
//   residual σ  pooled RMS residual of a parabola in log10(scale) per budget, fitted to the (replica-mean) losses: √(SSR / Σ(m_b−3))
// A replica mean has variance σ_seed²/n, so the part of the residual variance seeds cannot explain is the grid's:
//   σ_grid² = max(0, σ_res² − mean(σ_seed²/n_point)).  Extra seeds pay only while the seed term is a large share of σ_res².
import type { Observation } from './types.ts';
import { evalQuadratic, fitQuadratic } from './parabola.ts';

export interface NoiseBudget {
  /** Pooled seed SD (loss units) and its degrees of freedom; undefined without replicas. */
  seedSd?: number;
  seedDof: number;
  /** Replica groups that entered seedSd. */
  groups: number;
  /** Pooled residual SD of the per-budget parabolas and its degrees of freedom; undefined with no budget of ≥ 4 points. */
  residualSd?: number;
  residualDof: number;
  /** SD of the grid's own scatter (what seeds cannot average away), when both are known. */
  gridSd?: number;
  /** Share of the residual variance that seed noise explains (0…1), when both are known. */
  seedShare?: number;
  /** One sentence: what the numbers mean for the design. */
  verdict: string;
}

/** Seed σ from merged observations' replica info (src/fit/replicas.ts). */
export function pooledSeedSd(obs: Observation[]): { sd?: number; dof: number; groups: number } {
  let ss = 0;
  let dof = 0;
  let groups = 0;
  for (const o of obs) {
    const r = o.replicas;
    if (!r || r.n < 2) continue;
    ss += (r.n - 1) * r.sd * r.sd;
    dof += r.n - 1;
    groups++;
  }
  return { sd: dof > 0 ? Math.sqrt(ss / dof) : undefined, dof, groups };
}

/** Residual σ of a parabola in log10(scale) per budget (budgets with ≥ 4 distinct scales; 3 leave no residual). */
export function pooledResidualSd(obs: Observation[]): { sd?: number; dof: number } {
  const byBudget = new Map<number, Observation[]>();
  for (const o of obs) {
    // push, not [...list, o]: copying the list per row is quadratic (minutes for 100,000s of runs).
    const list = byBudget.get(o.budget);
    if (list) list.push(o);
    else byBudget.set(o.budget, [o]);
  }
  let ssr = 0;
  let dof = 0;
  for (const g of byBudget.values()) {
    if (new Set(g.map((o) => o.scale)).size < 4) continue;
    const x = g.map((o) => Math.log10(o.scale));
    const y = g.map((o) => o.loss);
    const q = fitQuadratic(x, y);
    if (!q) continue;
    for (let i = 0; i < x.length; i++) ssr += (y[i] - evalQuadratic(q, x[i])) ** 2;
    dof += g.length - 3;
  }
  return { sd: dof > 0 ? Math.sqrt(ssr / dof) : undefined, dof };
}

/** The noise budget of (replica-merged) observations; `units` names the loss units in the verdict. */
export function noiseBudget(obs: Observation[], units = ''): NoiseBudget {
  const seed = pooledSeedSd(obs);
  const res = pooledResidualSd(obs);
  const u = units ? ` ${units}` : '';
  const out: NoiseBudget = { seedSd: seed.sd, seedDof: seed.dof, groups: seed.groups, residualSd: res.sd, residualDof: res.dof, verdict: '' };
  if (seed.sd === undefined || res.sd === undefined) {
    out.verdict = seed.sd === undefined
      ? 'no seed replicas: the seed noise is unknown (train some points with seeds > 1 to measure it)'
      : 'no budget with ≥ 4 points: the parabola residual is unknown';
    return out;
  }
  // Each point's loss is a mean of n replicas (n = 1 for single runs): its seed variance is σ_seed²/n.
  const perPoint = obs.map((o) => (seed.sd! * seed.sd!) / (o.replicas?.n ?? 1));
  const seedVar = perPoint.reduce((a, b) => a + b, 0) / perPoint.length;
  const resVar = res.sd * res.sd;
  out.seedShare = Math.min(1, seedVar / resVar);
  out.gridSd = Math.sqrt(Math.max(0, resVar - seedVar));
  const f = (x: number) => x.toPrecision(2);
  out.verdict = out.seedShare >= 0.5
    ? `seed noise (σ ${f(seed.sd)}${u}) explains ${(out.seedShare * 100).toFixed(0)}% of the IsoFLOP residual (σ ${f(res.sd)}${u}): more seeds per point narrow the fit`
    : `seed noise (σ ${f(seed.sd)}${u}) explains only ${(out.seedShare * 100).toFixed(0)}% of the IsoFLOP residual (σ ${f(res.sd)}${u}; grid scatter σ ${f(out.gridSd)}): more points or budgets pay more than more seeds`;
  return out;
}
