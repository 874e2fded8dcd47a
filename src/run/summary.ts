// The closing lines of `scaling run`: per dataset the fitted a and b with intervals (next to the paper's), and where the report is.
import type { ExperimentFile } from '../schema/experiment.ts';
import type { PowerLaw } from '../schema/laws.ts';
import { formatDuration } from '../util/progress.ts';
import type { RunResult } from './experiment.ts';

function withCi(law: PowerLaw | undefined, digits = 3): string {
  if (!law) return 'n/a';
  const ci = law.ci?.exponent;
  return law.exponent.toFixed(digits) + (ci ? ` [${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : '');
}

export function formatRunSummary(exp: ExperimentFile, r: RunResult): string {
  const lines: string[] = [];
  if (r.interrupted) return `${exp.name}: interrupted after ${formatDuration(r.elapsedS)}; rerun to resume. Outputs so far: ${r.out}`;
  if (!r.report) {
    lines.push(`${exp.name}: plans written (${formatDuration(r.elapsedS)}):`);
    for (const d of r.datasets) lines.push(`  ${d.dataset}: ${d.plan}`);
    return lines.join('\n');
  }
  lines.push(`${exp.name}: finished in ${formatDuration(r.elapsedS)}`);
  for (const d of r.datasets) {
    const l = d.laws!.laws;
    const ciLevel = d.laws!.ciLevel ? `${Math.round(d.laws!.ciLevel * 100)}% CI` : 'CI';
    if (exp.study === 'hparams') {
      lines.push(`  ${d.dataset}: η_opt ∝ C^${withCi(l.lr)}, B_opt ∝ C^${withCi(l.batch)} (${ciLevel}; paper Eq. 1: −0.125, 0.327)`);
    } else {
      lines.push(`  ${d.dataset}: a = ${withCi(l.scale)}, b = ${withCi(l.data)} (${ciLevel}; paper: a = 0.524, b = 0.476)`);
    }
  }
  lines.push(`  fits:   ${r.datasets.map((d) => d.fit).join(', ')}`);
  lines.push(`  report: ${r.report}`);
  return lines.join('\n');
}
