// The token ladders of a plan in an export's manifest (docs/ladder.md, "Exports"): the trunk to train once and, per branch, the
// trunk step whose checkpoint the branch's exported job starts from, so a cluster user can share stage 1 with their own trainer.
import type { PlanFile } from '../schema/plan.ts';

export interface ExportedLadder {
  /** Id of the trunk (no folder: its run is phase 1 of every branch, trained once). */
  trunk: string;
  shape: PlanFile['budgets'][number]['points'][number]['shape'];
  batchTokens: number;
  batchSeqs: number;
  /** Peak LR, held constant after the warm-up for the trunk's whole run. */
  lr: number;
  warmupSteps: number;
  seed: number;
  /** Optimizer steps of the trunk (its last checkpoint). */
  steps: number;
  /** Save a checkpoint of the trunk after each of these steps; each starts the listed branch points. */
  checkpoints: { step: number; branches: string[] }[];
  how: string;
}

/** The manifest entry of every ladder of the plan (empty when it has none). */
export function exportedLadders(plan: PlanFile): ExportedLadder[] {
  return (plan.ladders ?? []).map((l) => {
    const steps = [...new Set(l.branches.map((b) => b.at))].sort((a, b) => a - b);
    return {
      trunk: l.id, shape: l.shape, batchTokens: l.batchTokens, batchSeqs: l.batchSeqs, lr: l.lr, warmupSteps: l.warmupSteps, seed: l.seed, steps: l.steps,
      checkpoints: steps.map((step) => ({ step, branches: l.branches.filter((b) => b.at === step).map((b) => b.id) })),
      how:
        `train the trunk once: the shape of its branches, batch ${l.batchSeqs} sequences, warm-up ${l.warmupSteps} steps then constant LR ${l.lr} for ${l.steps} steps, ` +
        'saving a checkpoint (weights, optimizer state, step, data position) after every listed step; each listed branch point then ' +
        'skips its phase 1 and resumes from that checkpoint at that step with its own exported schedule (its drops are absolute steps). ' +
        'With the same seed and data order the branch equals a from-scratch run of its point (docs/ladder.md).',
    };
  });
}
