// `scaling status` as text: one row per grid point, then the counts, compute done/left, observed throughput and the ETA with its range.
import { duration, sci, si, textTable } from '../util/format.ts';
import { POINT_STATES, type PlanStatus } from './status.ts';

/** The status table and summary lines (`planLabel`: how to name the plan, e.g. its path). */
export function formatStatus(s: PlanStatus, planLabel: string): string {
  const rows = s.points.map((p) => [
    String(p.index), p.id, sci(p.budget), p.state,
    p.steps > 0 ? `${((100 * p.step) / p.steps).toFixed(0)}%` : '-', `${p.step}/${p.steps}`, sci(p.flopsDone), duration(p.elapsedS),
    p.valLoss !== undefined ? (p.valLoss / Math.LN2).toFixed(4) : '-', p.state === 'done' ? '' : p.detail,
  ]);
  const c = s.counts;
  const n = s.points.length;
  const rep = s.representation === 'M' ? 'M × tokens' : `${s.representation} × tokens`;
  const pct = s.flops.total > 0 ? ((100 * s.flops.done) / s.flops.total).toFixed(1) : '0.0';
  const lines = [
    `plan ${planLabel}: ${n} grid points; runs in ${s.runsDir}`,
    `slurm: ${s.slurm.note}`,
    '',
    textTable(['i', 'point', 'C', 'state', 'done', 'steps', 'compute', 'time', 'val bpb', 'detail'], rows),
    '',
    `${n} points: ${POINT_STATES.map((k) => `${c[k]} ${k}`).join(', ')}`,
    `compute: ${sci(s.flops.done)} of ${sci(s.flops.total)} FLOPs spent (${pct}%), ${sci(s.flops.left)} left (${rep}, the plan's representation)` +
      (s.flops.abandoned > 0 ? `; ${sci(s.flops.abandoned)} not spent by diverged runs` : ''),
    `tokens: ${si(s.tokens.done)} of ${si(s.tokens.total)} trained`,
  ];
  const t = s.throughput;
  if (t) {
    lines.push(`throughput: ${sci(t.flopsPerS)} FLOPs/s (${si(t.tokensPerS)} tokens/s) per task, ` +
      (t.runs === 1 ? 'from 1 run (no spread yet)' : `pooled over ${t.runs} runs; single runs ${sci(t.minFlopsPerS)}–${sci(t.maxFlopsPerS)} FLOPs/s`));
  } else {
    lines.push('throughput: nothing trained yet');
  }
  if (s.flops.left === 0) lines.push('ETA: finished');
  else if (s.eta) {
    const range = t && t.runs > 1 ? `range ${duration(s.eta.low)}–${duration(s.eta.high)} from the fastest run's rate${s.parallel.tasks < (s.parallel.limit ?? 0) ? ` at the array's %${s.parallel.limit}` : ''} and the slowest one's` : 'one run observed: no range yet';
    lines.push(`ETA: ${duration(s.eta.seconds)} (${range}) at ${s.parallel.tasks} task${s.parallel.tasks === 1 ? '' : 's'} in parallel (${s.parallel.source})` +
      (c.failed > 0 ? `; includes ${c.failed} failed point${c.failed === 1 ? '' : 's'} that must be resubmitted` : ''));
  } else lines.push('ETA: unknown until a run has trained (no observed throughput)');
  return lines.join('\n') + '\n';
}
