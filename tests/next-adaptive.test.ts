// The adaptive loop: its stopping rules (goal, rounds, nothing proposed, interrupted) with stub hooks, and — the smaller case of
// bench/next.ts — on runs simulated from a known law (a = 0.5, 0.5% noise), from the same initial grid, it brings a's fitted 95%
// half-width to the goal with less compute than adding one budget per round.
import { describe, expect, it } from 'vitest';
import { adaptiveLoop, type AdaptiveHooks } from '../src/next/adaptive.ts';
import { parseNextTarget } from '../src/schema/settings.ts';
import { loadLaws } from '../src/laws/load.ts';
import { lawWithExponent } from '../src/fit/synthetic.ts';
import { runAdaptiveStudy, runUniform, type SyntheticStudy } from '../src/next/synthetic.ts';
import type { LawsFile } from '../src/schema/laws.ts';
import type { PlanFile } from '../src/schema/plan.ts';

const target = parseNextTarget('a', {});
const lawsWith = (hw: number) => ({ laws: { scale: { coefficient: 1, exponent: 0.5, ci: { coefficient: [1, 1], exponent: [0.5 - hw, 0.5 + hw] } } } }) as unknown as LawsFile;
const onePoint = { budgets: [{ budget: 1e18, points: [{ id: 'x', flops: 1e18 }] }] } as unknown as PlanFile;

function stub(halfWidths: number[], o: { plan?: PlanFile; interruptAt?: number } = {}): AdaptiveHooks & { trained: number[] } {
  const trained: number[] = [];
  return {
    trained,
    fit: (r) => lawsWith(halfWidths[Math.min(r, halfWidths.length - 1)]),
    propose: () => ({ plan: 'plan' in o ? o.plan : onePoint }),
    train: (_p, r) => {
      trained.push(r);
      return { interrupted: r === o.interruptAt, flops: 1e18 };
    },
  };
}

describe('adaptive loop', () => {
  it('stops at the goal, after the rounds, when nothing is proposed, and when interrupted', async () => {
    const goal = await adaptiveLoop({ rounds: 5, spendPerRound: 1e19, target, halfWidth: 0.1 }, stub([0.3, 0.2, 0.09, 0.05]));
    expect([goal.stoppedBy, goal.reached, goal.rounds.length, goal.spent]).toEqual(['goal', true, 3, 2e18]);
    const rounds = stub([0.3, 0.2, 0.15]);
    const r = await adaptiveLoop({ rounds: 2, spendPerRound: 1e19, target, halfWidth: 0.1 }, rounds);
    expect([r.stoppedBy, r.reached, rounds.trained]).toEqual(['rounds', false, [1, 2]]);
    expect((await adaptiveLoop({ rounds: 3, spendPerRound: 1e19, target }, stub([0.3], { plan: undefined }))).stoppedBy).toBe('no-runs');
    const intr = await adaptiveLoop({ rounds: 3, spendPerRound: 1e19, target }, stub([0.3], { interruptAt: 1 }));
    expect([intr.stoppedBy, intr.spent]).toEqual(['interrupted', 1e18]);
  });

  it('reaches a\'s goal half-width with less compute than the uniform ladder (synthetic law, same initial grid)', async () => {
    const study: SyntheticStudy = {
      law: lawWithExponent(0.5), noise: 0.005, prior: loadLaws().laws, budgets: [1e18, 3.16e18, 1e19], plan: { points: 5, span: 3 },
      fit: { bootstrap: 300 }, target, goal: 0.12, maxRounds: 5, seed: 1,
    };
    const uniform = runUniform(study);
    const adaptive = await runAdaptiveStudy(study, { factor: 3 }, { simulations: 4, finalSimulations: 4, shortlist: 4, bootstrap: 60 });
    expect(uniform.reached).toBe(true);
    expect(adaptive.reached).toBe(true);
    expect(adaptive.halfWidths[adaptive.halfWidths.length - 1]).toBeLessThanOrEqual(0.12);
    expect(adaptive.totalFlops).toBeLessThan(0.5 * uniform.totalFlops);
  }, 120_000);
});
