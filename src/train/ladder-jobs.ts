// Which ladder trunks a training call must run, and which selected points wait for one (docs/ladder.md, "Scheduling"): a branch
// can start only once its trunk has written its checkpoint, so the worker queue holds it back until then.
import { existsSync } from 'node:fs';
import type { GridPoint, LadderSpec, PlanFile } from '../schema/plan.ts';
import type { Representation } from '../flops/flops.ts';
import { trunkPoint } from '../plan/ladder.ts';
import { runFiles } from './loop.ts';
import { trunkStep } from './trunk.ts';

/** One trunk to train: its ladder, all its branch points, the step it must reach, and the selected branches waiting for it. */
export interface TrunkJob {
  ladder: LadderSpec;
  /** The trunk as a queue item (id = ladder id; tokens = what this call trains it to, for progress). */
  point: GridPoint;
  branches: GridPoint[];
  until: number;
  waiting: string[];
}

export interface LadderJobs {
  trunks: Map<string, TrunkJob>;
  /** Selected point id → the trunk it waits for. */
  blockedBy: Map<string, string>;
}

/**
 * For the points about to train (`todo`: not finished), the trunks needed: a branch waits for its trunk when it has no checkpoint
 * of its own and the trunk has not yet passed its branch point. A trunk already past it cannot give it its state any more: the
 * branch then trains from scratch, which ends in the same weights (docs/ladder.md), and a line says so.
 */
export function ladderJobs(plan: PlanFile, todo: GridPoint[], runsDir: string, representation: Representation, log: (line: string) => void): LadderJobs {
  const trunks = new Map<string, TrunkJob>();
  const blockedBy = new Map<string, string>();
  const todoIds = new Set(todo.map((p) => p.id));
  const byId = new Map(plan.budgets.flatMap((b) => b.points).map((p) => [p.id, p]));
  for (const ladder of plan.ladders ?? []) {
    const selected = ladder.branches.filter((b) => todoIds.has(b.id));
    if (selected.length === 0) continue;
    const reached = trunkStep(runsDir, ladder);
    const waiting: { id: string; at: number }[] = [];
    for (const b of selected) {
      if (existsSync(runFiles(runsDir, b.id).checkpoint)) continue; // started (from the trunk or on its own): resumes by itself
      if (b.at < reached) log(`trunk ${ladder.id} is at step ${reached}, past ${b.id}'s branch point ${b.at}: it trains from scratch (same result, more compute)`);
      else waiting.push(b);
    }
    if (waiting.length === 0) continue;
    const until = Math.max(...waiting.map((b) => b.at));
    const point = { ...trunkPoint(ladder, representation), tokens: until * ladder.batchTokens };
    trunks.set(ladder.id, { ladder, point, branches: ladder.branches.map((b) => byId.get(b.id)!), until, waiting: waiting.map((b) => b.id) });
    for (const b of waiting) blockedBy.set(b.id, ladder.id);
  }
  return { trunks, blockedBy };
}
