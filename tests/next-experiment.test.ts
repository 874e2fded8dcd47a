// The experiment option `adaptive`: every field validated with file:field before any work, defaults, and where it is refused.
import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../src/schema/experiment.ts';

const base = { schema: 'scaling.experiment', version: 1, name: 'x', datasets: ['curated'], budgets: [1e10, 3e10, 1e11] };
const withAdaptive = (adaptive: unknown, extra: Record<string, unknown> = {}) => validateExperiment({ ...base, ...extra, adaptive }, 'exp.json');

describe('experiment adaptive option', () => {
  it('parses rounds, spendPerRound, target (default a), halfWidth, maxRuns, simulations', () => {
    expect(withAdaptive({ rounds: 2, spendPerRound: 3e11 }).adaptive).toEqual({ rounds: 2, spendPerRound: 3e11, target: 'a' });
    expect(withAdaptive({ rounds: 3, spendPerRound: 1e12, target: 'loss@7b', halfWidth: 0.05, maxRuns: 6, simulations: 4 }).adaptive)
      .toEqual({ rounds: 3, spendPerRound: 1e12, target: 'loss@7b', halfWidth: 0.05, maxRuns: 6, simulations: 4 });
    expect(validateExperiment(base, 'exp.json').adaptive).toBeUndefined();
  });

  it.each([
    [{ spendPerRound: 1e12 }, /^exp\.json: adaptive\.rounds: is required/],
    [{ rounds: 2 }, /^exp\.json: adaptive\.spendPerRound: is required/],
    [{ rounds: 0, spendPerRound: 1e12 }, /^exp\.json: adaptive\.rounds: must be ≥ 1/],
    [{ rounds: 1.5, spendPerRound: 1e12 }, /^exp\.json: adaptive\.rounds: must be an integer/],
    [{ rounds: 2, spendPerRound: -1 }, /^exp\.json: adaptive\.spendPerRound: must be > 0/],
    [{ rounds: 2, spendPerRound: '1e12' }, /^exp\.json: adaptive\.spendPerRound: expected a finite number/],
    [{ rounds: 2, spendPerRound: 1e12, target: 'c' }, /^exp\.json: adaptive\.target: unknown target "c"/],
    [{ rounds: 2, spendPerRound: 1e12, target: 'M_opt@7b' }, /^exp\.json: adaptive\.target: M_opt@ needs a compute budget/],
    [{ rounds: 2, spendPerRound: 1e12, halfWidth: 0 }, /^exp\.json: adaptive\.halfWidth: must be > 0/],
    [{ rounds: 2, spendPerRound: 1e12, maxRuns: 0 }, /^exp\.json: adaptive\.maxRuns: must be ≥ 1/],
    [{ rounds: 2, spendPerRound: 1e12, simulations: 1 }, /^exp\.json: adaptive\.simulations: must be ≥ 2/],
    [{ rounds: 2, spendPerRound: 1e12, spendPerround: 3 }, /^exp\.json: adaptive\.spendPerround: unknown key .*did you mean 'spendPerRound'/],
    [[2, 1e12], /^exp\.json: adaptive: expected an object/],
  ])('rejects %j', (adaptive, message) => {
    expect(() => withAdaptive(adaptive)).toThrow(message);
  });

  it('is refused for studies other than isoflop', () => {
    expect(() => withAdaptive({ rounds: 2, spendPerRound: 1e12 }, { study: 'hparams' })).toThrow(/^exp\.json: adaptive: only a study "isoflop"/);
  });
});
