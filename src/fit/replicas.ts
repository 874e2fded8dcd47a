// Seed replicas among observations: runs identical but for their seed (same dataset, schedule, budget, model scale, tokens, batch, LR) are
// merged into one observation whose loss is their mean, keeping n, the sample SD and the run ids — the fitter fits the means, and
// the noise budget (src/fit/noise.ts) reads the spreads.
import type { Observation } from './types.ts';

/** What a merged observation keeps of its replicas. */
export interface ReplicaInfo {
  n: number;
  /** Sample standard deviation of the replicas' final losses (n − 1 in the denominator). */
  sd: number;
  runIds: string[];
  losses: number[];
}

/** Runs that differ only by seed share this key. Numbers are compared to 12 significant digits (they come from the same plan). */
export function replicaKey(o: Observation): string {
  const n = (x: number | undefined) => (x === undefined ? '' : Number(x.toPrecision(12)).toString());
  return [o.dataset, o.schedule ?? '', n(o.budget), n(o.scale), n(o.tokens), n(o.lr), n(o.batchTokens), n(o.params), n(o.reps?.M), n(o.reps?.sixN1), n(o.reps?.sixN2)].join('|');
}

function sampleSd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Merges replicas (order kept: a group sits where its first run was). Single runs are returned as they are. The merged observation
 * has the first run's id and source, the mean loss, and `replicas`; its curve is the first run's.
 */
export function mergeReplicas(obs: Observation[]): Observation[] {
  const groups = new Map<string, Observation[]>();
  for (const o of obs) {
    const k = replicaKey(o);
    const g = groups.get(k);
    if (g) g.push(o);
    else groups.set(k, [o]);
  }
  const out: Observation[] = [];
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push(g[0]);
      continue;
    }
    const losses = g.map((o) => o.loss);
    const info: ReplicaInfo = { n: g.length, sd: sampleSd(losses), runIds: g.map((o) => o.runId), losses };
    out.push({ ...g[0], loss: losses.reduce((a, b) => a + b, 0) / g.length, replicas: info });
  }
  return out;
}
