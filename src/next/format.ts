// The proposal as text: where the target stands, the noise, the proposed runs with their cost, and the expected interval after them.
import { sci, si, textTable } from '../util/format.ts';
import { describeReading } from './target.ts';
import type { NextProposal } from './propose.ts';

const STOPPED: Record<NextProposal['stopped'], string> = {
  spend: 'the spend is used up (no candidate fits in what is left)',
  'max-runs': 'the --max-runs limit',
  goal: 'the goal half-width is expected to be reached',
  'goal-met': 'the goal half-width is already met: nothing to add',
  'no-gain': 'no remaining candidate is expected to narrow the interval by more than one standard error of its gain (the first needs only a positive expected gain)',
};

export function formatProposal(p: NextProposal, o: { fitsPath: string; runs: number; budgets: number }): string {
  const hw = (x: number) => (p.target.kind === 'scale' ? `±${x.toFixed(3)} dec` : `±${x.toFixed(3)}`);
  const lines: string[] = [];
  lines.push(`scaling next: ${o.fitsPath} (${o.runs} runs, ${o.budgets} budgets), target ${p.target.spec}, spend ${sci(p.spend)} FLOPs`);
  lines.push(`now (fits file, ${p.fit.interval ? 'its own bootstrap' : 'no interval'}): ${describeReading(p.target, p.fit)}`);
  const seed = p.noise.seedSigma !== undefined ? `seed σ = ${p.noise.seedSigma.toFixed(4)} (${p.noise.seedDof} dof)` : 'seed σ unknown (no replicates)';
  lines.push(`noise: σ = ${p.noise.sigma.toFixed(4)} per run (${p.noise.source === 'given' ? '--noise' : `pooled IsoFLOP residuals, ${p.noise.dof} dof`}); ${seed}`);
  for (const n of p.notes) lines.push(`note: ${n}`);
  lines.push('');
  if (p.runs.length === 0) {
    lines.push(`no runs proposed: ${STOPPED[p.stopped]}`);
    return lines.join('\n') + '\n';
  }
  const rows = p.runs.map((r, i) => [
    String(i + 1),
    r.kind,
    sci(r.budget),
    `${r.shape.nLayer}×${r.shape.dModel}`,
    String(r.shape.dFf),
    sci(r.scale),
    si(r.tokens),
    sci(r.flops),
    `${((100 * r.flops) / p.spend).toFixed(1)}%`,
    hw(r.expectedHalfWidth),
    r.id,
  ]);
  lines.push(textTable(['#', 'kind', 'budget', 'L×d', 'd_ff', 'scale', 'tokens', 'FLOPs', 'of spend', 'expected', 'run id'], rows));
  lines.push('');
  const reasons = [...new Set(p.runs.map((r) => r.why))];
  for (const w of reasons) lines.push(`  ${w}`);
  lines.push('');
  lines.push(`spent ${sci(p.spent)} of ${sci(p.spend)} FLOPs (${((100 * p.spent) / p.spend).toFixed(1)}%) on ${p.runs.length} runs; stopped: ${STOPPED[p.stopped]}`);
  const s = p.settings;
  lines.push(
    `expected half-width of ${p.target.spec}: ${hw(p.before.halfWidth)} → ${hw(p.after.halfWidth)} (${(100 * p.narrowing).toFixed(0)}% narrower; ` +
      `mean of ${s.finalSimulations} seeded simulations, 10–90%: ${p.after.p10.toFixed(3)}–${p.after.p90.toFixed(3)})`,
  );
  lines.push(`  each simulation draws the new runs' losses from the fit's IsoFLOP curves plus σ and refits with ${s.bootstrap} bootstrap resamples (seed ${s.seed}); ${(p.seconds).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}
