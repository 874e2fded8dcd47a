// Learning-rate schedules (paper §2.2): multi-step (warm-up, 100% to 80% of tokens, 31.6% to 90%, 10% after), cosine and constant; and the warm-up rule for small runs.
import type { ScheduleSpec } from '../schema/plan.ts';
import { DEFAULT_STAGES, type ScheduleName } from '../schema/settings.ts';

/** Multi-step decay points as fractions of training tokens and the LR multipliers after them (DeepSeek LLM §2.2). */
export const MULTISTEP_FRACTIONS = [0.8, 0.9] as const;
export const MULTISTEP_FACTORS = [0.316, 0.1] as const;
export const PAPER_WARMUP_STEPS = 2000;

/**
 * Warm-up steps: the paper's 2000, capped at 5% of the run for short runs (at least 1 step when the run has ≥ 20 steps).
 * 2000 steps of a 2T-token run are 0.4% of it; small runs have a few hundred to a few thousand steps, where 2000 would be all of them.
 */
export function warmupSteps(totalSteps: number, rule: string = 'auto'): number {
  if (rule !== 'auto') {
    const n = Number(rule);
    if (rule.endsWith('%')) return Math.round((Number(rule.slice(0, -1)) / 100) * totalSteps);
    return Math.min(totalSteps, Math.max(0, Math.round(n)));
  }
  return Math.min(PAPER_WARMUP_STEPS, Math.max(totalSteps >= 20 ? 1 : 0, Math.round(0.05 * totalSteps)));
}

/**
 * Warm-up of a token ladder, in steps, one value for every rung (docs/ladder.md): 'auto' and 'N%' are taken of the shortest
 * rung's steps, a count is used as it is. The rule for independent runs, a share of each run, would give rung i share·S_i warm-up
 * steps: rungs would follow different LRs from the first step, so no two could share a stage 1.
 */
export function ladderWarmupSteps(rungSteps: number[], rule: string = 'auto'): number {
  return warmupSteps(Math.min(...rungSteps), rule);
}

/**
 * The drop points of multi-step stage ratios 'A/B/C' (validated by parseStages) as fractions of the tokens: [A/100, (A+B)/100].
 * The paper's 80/10/10 gives exactly MULTISTEP_FRACTIONS (0.8, 0.9), so default plans and runs are unchanged bit for bit.
 */
export function stageDrops(stages: string = DEFAULT_STAGES): [number, number] {
  if (stages === DEFAULT_STAGES) return [MULTISTEP_FRACTIONS[0], MULTISTEP_FRACTIONS[1]];
  const [a, b] = stages.split('/').map(Number);
  return [a / 100, (a + b) / 100];
}

/** The stage ratios a schedule was built with: its `stages` field, the paper's 80/10/10 for a multistep spec without one, else undefined. */
export function stagesOf(s: Pick<ScheduleSpec, 'name' | 'stages'>): string | undefined {
  return s.name === 'multistep' ? (s.stages ?? DEFAULT_STAGES) : undefined;
}

/**
 * Builds the schedule of a run of `totalSteps` optimizer steps. Multistep breakpoints are round(drop·steps) for the stage ratios'
 * drop points (default 80/10/10: 80% and 90% of the tokens); a spec with other ratios records them in `stages`.
 */
export function makeSchedule(name: ScheduleName, totalSteps: number, warmup: string = 'auto', stages: string = DEFAULT_STAGES): ScheduleSpec {
  const w = warmupSteps(totalSteps, warmup);
  if (name === 'multistep') {
    const breakpoints = stageDrops(stages).map((f) => Math.round(f * totalSteps));
    return { name, warmupSteps: w, totalSteps, breakpoints, factors: [...MULTISTEP_FACTORS], ...(stages !== DEFAULT_STAGES ? { stages } : {}) };
  }
  if (name === 'cosine') return { name, warmupSteps: w, totalSteps, breakpoints: [], factors: [], minFactor: 0.1 };
  return { name, warmupSteps: w, totalSteps, breakpoints: [], factors: [] };
}

/**
 * LR multiplier at optimizer step `step` (0-based: the update applied after `step` earlier updates).
 * Warm-up is linear from peak/warmup to peak over the first `warmupSteps` steps.
 */
export function lrFactor(s: ScheduleSpec, step: number): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (step + 1) / s.warmupSteps;
  if (s.name === 'multistep') {
    let f = 1;
    s.breakpoints.forEach((b, i) => {
      if (step >= b) f = s.factors[i];
    });
    return f;
  }
  if (s.name === 'cosine') {
    const min = s.minFactor ?? 0.1;
    const span = Math.max(1, s.totalSteps - s.warmupSteps);
    const t = Math.min(1, (step - s.warmupSteps) / span);
    return min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t));
  }
  return 1;
}

export function lrAt(s: ScheduleSpec, peak: number, step: number): number {
  return peak * lrFactor(s, step);
}
