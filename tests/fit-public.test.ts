// Every public run file (tests/fixtures/public-runs, copies of ../shared/data/public-runs) fits through the command line documented in docs/fit.md.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { REPO } from './helpers/cli.ts';
import type { LawsFile, PowerLaw } from '../src/schema/laws.ts';

const FIXTURES = 'tests/fixtures/public-runs/';

/** Splits a documented shell command into words: whitespace separates, '…' and "…" quote (no expansions needed). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** The documented command per fixture file: lines `scaling fit tests/fixtures/public-runs/FILE …` in docs/fit.md. */
function documentedCommands(): Map<string, string[]> {
  const doc = readFileSync(join(REPO, 'docs/fit.md'), 'utf8');
  const cmds = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    if (!line.startsWith(`scaling fit ${FIXTURES}`)) continue;
    const words = shellWords(line);
    const file = words[2].slice(FIXTURES.length);
    if (!cmds.has(file)) cmds.set(file, words.slice(1));
  }
  return cmds;
}

let out: string;
beforeAll(() => { out = mkdtempSync(join(tmpdir(), 'fit-public-')); });

/** Runs `scaling …` in this process (same code path as bin/scaling.js) with stdout/stderr captured. */
async function scaling(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const o: string[] = [], e: string[] = [];
  const ow = process.stdout.write, ew = process.stderr.write;
  const cwd = process.cwd();
  process.stdout.write = ((s: string | Uint8Array) => (o.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (e.push(String(s)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  // The documented paths are relative to the repository (vitest's usual cwd; chdir only when it is not, since workers cannot).
  const move = cwd !== REPO;
  try {
    if (move) process.chdir(REPO);
    await main(argv);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    if (move) process.chdir(cwd);
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout: o.join(''), stderr: e.join('') };
}
afterAll(() => { process.exitCode = 0; });

const inUnit = (x: number | undefined) => x !== undefined && Number.isFinite(x) && x > 0 && x < 1;
const finiteLaw = (l: PowerLaw | undefined) => l !== undefined && Number.isFinite(l.exponent) && Number.isFinite(l.coefficient) && l.coefficient > 0;
/** Distinct budgets named `isoflop-<C>-…` in a Marin export, among rows the documented filter keeps. */
const marinBudgets = (file: string) => new Set([...readFileSync(join(REPO, FIXTURES, file), 'utf8').matchAll(/"isoflop-([0-9.e+]+)-/g)].map((m) => Number(m[1]))).size;

/** What is structurally true of each file's fit (budget counts from the data's own description in the README). */
const EXPECT: Record<string, { budgets: number; allocation: boolean; hyper?: boolean }> = {
  'cs336_2024_isoflops_curves_synthetic.json': { budgets: 9, allocation: true },
  'llama3_isoflops_points.csv': { budgets: 10, allocation: true },
  'openathena_isoflops_extract.csv': { budgets: 9, allocation: true }, // Chinchilla's nine IsoFLOP budgets 6e18–3e21
  'porian2024_isoflop_points.csv': { budgets: 12, allocation: true }, // 1.25e16·2^k, k = 0…11
  // Marin's LR and batch follow a size rule (one value per model): no hyperparameter law (hyper-not-swept).
  'marin_202603_isoflop_comma.csv': { budgets: marinBudgets('marin_202603_isoflop_comma.csv'), allocation: true },
  'marin_202603_isoflop_dclm.csv': { budgets: marinBudgets('marin_202603_isoflop_dclm.csv'), allocation: true },
  'marin_202603_isoflop_nemotron.csv': { budgets: marinBudgets('marin_202603_isoflop_nemotron.csv'), allocation: true },
  'steplaw_dense_lr_bs_loss.csv': { budgets: 14, allocation: false, hyper: true }, // 17 (N, D) groups, four of them at one C (1.29e20): 14 budgets
  'olmo_ladder_final.csv': { budgets: 0, allocation: false }, // a ladder, not IsoFLOP: budgets come from snapping; LR by a size rule
  'olmo_ladder_curves.csv': { budgets: 0, allocation: false },
  'epoch_chinchilla_svg_extracted_data.csv': { budgets: 0, allocation: true },
  'misfitting_scaling_results_last_ckpt_only.csv': { budgets: 0, allocation: false, hyper: true },
};

describe('public runs through the documented command lines', () => {
  const cmds = documentedCommands();
  it('docs/fit.md documents one command for every fixture file', () => {
    const files = readdirSync(join(REPO, FIXTURES)).filter((f) => /\.(csv|json)$/.test(f)).sort();
    expect([...cmds.keys()].sort()).toEqual(files);
    expect(Object.keys(EXPECT).sort()).toEqual(files);
  });
  for (const [file, argv] of documentedCommands()) {
    it(`${file}`, async () => {
      const target = join(out, file.replace(/\.\w+$/, '.json'));
      const r = await scaling([...argv, '--bootstrap', '50', '--out', target]);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('scaling:'))).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('== Compute-optimal allocation');
      const laws = JSON.parse(readFileSync(target, 'utf8')) as LawsFile;
      const want = EXPECT[file];
      const d = laws.details!;
      if (want.budgets > 0) expect(d.optima).toHaveLength(want.budgets);
      if (want.allocation) {
        expect(inUnit(laws.laws.scale?.exponent)).toBe(true);
        expect(inUnit(laws.laws.data?.exponent)).toBe(true);
        expect(laws.laws.scale!.exponent + laws.laws.data!.exponent).toBeCloseTo(1, 6); // C = scale·D
      }
      if (want.hyper) expect(finiteLaw(laws.laws.lr) || finiteLaw(laws.laws.batch) || !!d.hyper?.stepLaw).toBe(true);
      if (d.approach3) {
        expect(inUnit(d.approach3.a)).toBe(true);
        expect(d.approach3.alpha).toBeGreaterThan(0);
        expect(d.approach3.beta).toBeGreaterThan(0);
      }
      if (file === 'epoch_chinchilla_svg_extracted_data.csv') {
        // Epoch's refit of Chinchilla approach 3 on this very extraction (Besiroglu et al. 2024): α = 0.3478, β = 0.3658, E = 1.82.
        expect(Math.abs(d.approach3!.alpha - 0.3478)).toBeLessThan(0.01);
        expect(Math.abs(d.approach3!.beta - 0.3658)).toBeLessThan(0.01);
        expect(Math.abs(d.approach3!.E / 1.82 - 1)).toBeLessThan(0.01);
      }
      if (file === 'openathena_isoflops_extract.csv') {
        // Chinchilla's approach 2 (Hoffmann et al. 2022, Table 2): a = 0.49 [0.462, 0.534].
        expect(Math.abs(laws.laws.scale!.exponent - 0.49)).toBeLessThan(0.04);
      }
      expect(laws.provenance.inputs).toEqual([{ file: FIXTURES + file, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), rows: expect.any(Number) }]);
      expect(laws.representation).toMatch(/^6N[12]$/);
    }, 120_000);
  }
});
