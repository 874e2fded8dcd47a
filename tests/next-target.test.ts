// `scaling next` targets: the spec grammar (errors name the field) and the half-widths read from a fit.
import { describe, expect, it } from 'vitest';
import { parseNextTarget } from '../src/schema/settings.ts';
import { readTarget } from '../src/next/target.ts';
import type { LawsFile } from '../src/schema/laws.ts';

const laws = {
  schema: 'scaling.laws', version: 1, name: 't', dataset: 't', representation: 'M',
  units: { compute: 'FLOPs', scale: 'FLOPs/token', data: 'tokens', batch: 'tokens', loss: 'bits-per-byte' },
  laws: {
    scale: { coefficient: 0.2, exponent: 0.5, ci: { coefficient: [0.1, 0.4], exponent: [0.4, 0.7] } },
    data: { coefficient: 5, exponent: 0.5, ci: { coefficient: [2, 9], exponent: [0.3, 0.6] } },
  },
  provenance: { source: 'test', created: '2026-01-01', method: 'test' },
  details: {
    optima: [], points: [], warnings: [],
    predictions: [
      { label: '7b', compute: 8.5e22, scale: 4.2e10, tokens: 2e12, loss: 2.1, lossInterval: [2.0, 2.3] },
      { label: '1e21', compute: 1e21, scale: 1e10, tokens: 1e11, loss: 2.4, lossInterval: [2.3, 2.6], scaleInterval: [1e9, 1e11] },
    ],
  },
} as unknown as LawsFile;

describe('next targets', () => {
  it('parses a, b, loss@TARGET and M_opt@BUDGET', () => {
    expect(parseNextTarget('a', {})).toEqual({ spec: 'a', kind: 'a' });
    expect(parseNextTarget('loss@7b', {})).toEqual({ spec: 'loss@7b', kind: 'loss', at: '7b' });
    expect(parseNextTarget('M_opt@1e21', {})).toEqual({ spec: 'M_opt@1e21', kind: 'scale', at: '1e21' });
    expect(parseNextTarget('loss@n_layer=30,d_model=4096', {}).kind).toBe('loss');
  });

  it('rejects bad specs naming the field, with a suggestion', () => {
    expect(() => parseNextTarget('loss@7x', { field: '--target' })).toThrow(/^--target: "loss@7x": cannot read '7x'/);
    expect(() => parseNextTarget('M_opt@7b', { field: '--target' })).toThrow(/--target: M_opt@ needs a compute budget/);
    expect(() => parseNextTarget('aa', { file: 'e.json', field: 'adaptive.target' })).toThrow(/^e\.json: adaptive\.target: unknown target "aa".*did you mean 'a'/);
  });

  it('reads half-widths: exponent units for a and b, loss units for loss, decades for M_opt', () => {
    expect(readTarget(laws, parseNextTarget('a', {})).halfWidth).toBeCloseTo(0.15, 12);
    expect(readTarget(laws, parseNextTarget('b', {})).halfWidth).toBeCloseTo(0.15, 12);
    expect(readTarget(laws, parseNextTarget('loss@7b', {})).halfWidth).toBeCloseTo(0.15, 12);
    expect(readTarget(laws, parseNextTarget('loss@1e21', {})).halfWidth).toBeCloseTo(0.15, 12);
    expect(readTarget(laws, parseNextTarget('M_opt@1e21', {})).halfWidth).toBeCloseTo(1, 12); // 1e9 … 1e11: ±1 decade
    expect(readTarget(laws, parseNextTarget('loss@67b', {})).halfWidth).toBe(Infinity); // not predicted by this fit
  });
});
