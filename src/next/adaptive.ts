// The adaptive loop: fit → next → train, round after round, until the target's half-width reaches the goal, the rounds (and with
// them the compute, rounds × spendPerRound) are spent, or nothing is expected to help. Training and fitting are hooks, so the same
// loop drives `scaling run` (real training) and bench/next.ts (runs simulated from a known law).
import type { LawsFile } from '../schema/laws.ts';
import type { PlanFile } from '../schema/plan.ts';
import { readTarget, type NextTargetSpec, type TargetReading } from './target.ts';
import type { NextProposal } from './propose.ts';

export interface AdaptiveSettings {
  rounds: number;
  /** FLOPs each round may spend. */
  spendPerRound: number;
  target: NextTargetSpec;
  /** Stop when the fitted interval's half-width is at most this. */
  halfWidth?: number;
  /** At most this many runs per round. */
  maxRuns?: number;
}

export interface AdaptiveHooks {
  /** Fits the runs so far (round 0: the initial grid); returns the fit. */
  fit(round: number): Promise<LawsFile> | LawsFile;
  /** The proposal of a round from the current fit (a resumed loop may return the round's earlier proposal). */
  propose(laws: LawsFile, round: number, o: { spend: number; target: NextTargetSpec; goal?: number; maxRuns?: number }): Promise<{ plan?: PlanFile; proposal?: NextProposal }> | { plan?: PlanFile; proposal?: NextProposal };
  /** Trains a round's plan; `interrupted` stops the loop (a rerun resumes it). Returns the FLOPs the round's runs spent. */
  train(plan: PlanFile, round: number): Promise<{ interrupted: boolean; flops: number }> | { interrupted: boolean; flops: number };
  log?: (line: string) => void;
}

export interface AdaptiveRound {
  round: number;
  /** The target after this round's fit (round 0: the initial grid). */
  reading: TargetReading;
  /** Runs added and FLOPs they spent (absent for the last fit). */
  runs?: number;
  flops?: number;
  /** The proposal's expected half-width after its runs, when it was computed in this loop. */
  expected?: number;
}

export interface AdaptiveResult {
  rounds: AdaptiveRound[];
  laws: LawsFile;
  /** FLOPs spent by the adaptive rounds (not the initial grid). */
  spent: number;
  reached: boolean;
  stoppedBy: 'goal' | 'rounds' | 'no-runs' | 'interrupted';
}

export async function adaptiveLoop(s: AdaptiveSettings, hooks: AdaptiveHooks): Promise<AdaptiveResult> {
  const log = hooks.log ?? (() => {});
  const rounds: AdaptiveRound[] = [];
  let spent = 0;
  for (let r = 0; ; r++) {
    const laws = await hooks.fit(r);
    const reading = readTarget(laws, s.target);
    rounds.push({ round: r, reading });
    const hw = Number.isFinite(reading.halfWidth) ? `±${reading.halfWidth.toFixed(4)}` : 'no interval';
    log(`round ${r}: ${s.target.spec} ${reading.value !== undefined ? reading.value.toFixed(4) : 'n/a'} ${hw}${r > 0 ? ` after ${spent.toExponential(2)} extra FLOPs` : ' (initial grid)'}`);
    if (s.halfWidth !== undefined && reading.halfWidth <= s.halfWidth) return { rounds, laws, spent, reached: true, stoppedBy: 'goal' };
    if (r >= s.rounds) return { rounds, laws, spent, reached: false, stoppedBy: 'rounds' };
    const { plan, proposal } = await hooks.propose(laws, r + 1, { spend: s.spendPerRound, target: s.target, goal: s.halfWidth, maxRuns: s.maxRuns });
    if (!plan || plan.budgets.every((b) => b.points.length === 0)) {
      log(`round ${r + 1}: no runs proposed${proposal ? ` (${proposal.stopped})` : ''}: stopping`);
      return { rounds, laws, spent, reached: false, stoppedBy: 'no-runs' };
    }
    const n = plan.budgets.reduce((k, b) => k + b.points.length, 0);
    log(`round ${r + 1}: training ${n} proposed runs${proposal ? ` (expected ±${proposal.after.halfWidth.toFixed(4)})` : ''}`);
    const t = await hooks.train(plan, r + 1);
    spent += t.flops;
    rounds[rounds.length - 1] = { ...rounds[rounds.length - 1], runs: n, flops: t.flops, ...(proposal ? { expected: proposal.after.halfWidth } : {}) };
    if (t.interrupted) return { rounds, laws, spent, reached: false, stoppedBy: 'interrupted' };
  }
}
