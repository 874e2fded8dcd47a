// The package as a library: `import … from 'scaling'` by name (its own `exports`), the examples/ script that uses only that API,
// and a scratch project that installs the checkout with npm and imports it with plain node (the compiled dist/).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scaling from 'scaling';
import { REPO } from './helpers/cli.ts';

const VERBS = ['flops', 'plan', 'train', 'fit', 'report', 'runExperiment'];

describe("import … from 'scaling'", () => {
  it('exposes the verbs, the schema readers and writers and the paper rules', () => {
    for (const k of [...VERBS, 'readPlan', 'writePlan', 'readRunCsv', 'writeRunCsv', 'readLaws', 'writeLaws', 'readExperiment', 'computeFlops', 'PRESETS', 'SCHEDULES', 'InputError']) {
      expect(Object.keys(scaling), k).toContain(k);
    }
  });

  it('flops() and plan() agree with the paper (Table 3 row 32×4096: M = 45.1B; C of every point within 1%)', () => {
    expect(scaling.paperFormulas(32, 4096, 4096, 102400).M / 1e9).toBeCloseTo(45.1, 1);
    // The exact count of a real shape: 67B with GQA (8 KV heads) and d_ff 22016 (README: M = 432726343680).
    expect(scaling.flops(scaling.presetShape(scaling.PRESETS['67b'])).M).toBe(432726343680);
    const p = scaling.plan({ budgets: '1e17:3e20:3', points: 5 });
    expect(p.budgets.map((b) => b.budget)).toEqual([1e17, 5.48e18, 3e20]);
    for (const pt of scaling.allPoints(p)) expect(Math.abs(pt.flops / pt.budget - 1)).toBeLessThan(0.01);
  });

  it('bad input is an InputError naming the field', () => {
    expect(() => scaling.plan({ budgets: '1e17:x:3' })).toThrow(scaling.InputError);
  });
});

describe('examples/quickstart.ts (public API only)', () => {
  it('plans, fits a public file and writes a report', () => {
    const out = mkdtempSync(join(tmpdir(), 'scaling-example-'));
    const src = readFileSync(join(REPO, 'examples/quickstart.ts'), 'utf8');
    expect(src).not.toMatch(/from '\.\.?\//); // only the package's public entry
    const r = spawnSync(process.execPath, ['--conditions=source', join(REPO, 'bin/run-ts.js'), join(REPO, 'examples/quickstart.ts'), out], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/7B: M = 4\d\.\dB FLOPs\/token/);
    expect(r.stdout).toMatch(/marin-dclm: a = 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]/);
    expect(existsSync(join(out, 'report', 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'marin-dclm.json'))).toBe(true);
  }, 120_000);
});

describe('installed into a scratch project with npm', () => {
  it('`node -e "import(\'scaling\')…"` lists the API from the compiled build', () => {
    const fresh = spawnSync(process.execPath, ['-e', "import('./bin/entry.js').then(m => process.exit(m.compiledIsFresh() ? 0 : 1))"], { cwd: REPO });
    if (fresh.status !== 0) {
      const b = spawnSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
      expect(b.status, b.stdout + b.stderr).toBe(0);
    }
    const dir = mkdtempSync(join(tmpdir(), 'scaling-scratch-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', REPO], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(npm.status, npm.stderr).toBe(0);
    const r = spawnSync(process.execPath, ['-e', "import('scaling').then(m => console.log(JSON.stringify(Object.keys(m))))"], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const keys = JSON.parse(r.stdout) as string[];
    for (const k of VERBS) expect(keys).toContain(k);
  }, 300_000);
});
