// `scaling flops` and `scaling plan` end to end: real output, JSON grids, atomic --out, and bad input → one line naming the flag, exit 2, nothing written.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { validatePlan } from '../src/schema/plan.ts';

describe('scaling flops / plan (CLI)', () => {
  it('flops --table3 prints the seven rows of the paper', () => {
    const r = runCli(['flops', '--table3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('25.2M  77.6M   352M   0.43   1.32');
    expect(r.stdout).toContain('64.4B  65.3B   419B   0.92   0.94');
    expect(r.stdout.trim().split('\n')).toHaveLength(9);
  });

  it('plan --budgets 1e17:3e20:8 --format json writes a valid plan atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const out = join(dir, 'plan.json');
    const r = runCli(['plan', '--budgets', '1e17:3e20:8', '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    const plan = validatePlan(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(plan.budgets).toHaveLength(8);
    expect(readdirSync(dir)).toEqual(['plan.json']);
  });

  it('plan --model 67b reports C ≈ 8.66e23 and the Table 2 comparison', () => {
    const r = runCli(['plan', '--model', '67b']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/C = M·D = 8\.65\de23/);
    expect(r.stdout).toContain('paper Table 2: batch 4608');
  });

  it.each([
    [['plan', '--budget', '-1'], '--budget'],
    [['plan', '--budget', 'abc'], '--budget'],
    [['plan', '--budget', '1e20', '--points', '2'], '--points'],
    [['plan', '--budgets', '1e17:3e20'], '--budgets'],
    [['plan', '--model', '13b'], '--model'],
    [['plan', '--budget', '1e20', '--span', '0.5'], '--span'],
    [['flops', '--layers', '4', '--d-model', '100', '--heads', '3'], '--heads'],
  ])('bad input %j → exit 2, one line naming %s, nothing written', (args, flag) => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    const out = join(dir, 'plan.json');
    const r = runCli(args[0] === 'plan' ? [...(args as string[]), '--out', out] : (args as string[]));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(flag);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a malformed laws file is named with its field, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'laws-'));
    const laws = join(dir, 'laws.json');
    const good = JSON.parse(readFileSync(join(__dirname, '..', 'fits', 'deepseek-llm.json'), 'utf8'));
    good.laws.scale.exponent = 'half';
    writeFileSync(laws, JSON.stringify(good));
    const r = runCli(['plan', '--budget', '1e20', '--laws', laws]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/laws\.json: laws\.scale\.exponent: expected a finite number/);
    writeFileSync(laws, '{"schema": "scaling.laws", "version": 1,');
    const r2 = runCli(['plan', '--budget', '1e20', '--laws', laws]);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toContain('not valid JSON');
  });

  it.each(['flops', 'plan'])('%s --help', (cmd) => {
    const r = runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`scaling ${cmd}`);
  });
});
