// Our own run CSVs (written with writeRunCsv from a known law) fit end to end through `node bin/scaling.js fit 'DIR/*.csv'`.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { writeRunCsv } from '../src/schema/runs.ts';
import { readLaws } from '../src/schema/laws.ts';
import { sha256File } from '../src/util/hash.ts';
import { writeSyntheticGrid, runRows, TRUE_A } from './fit-runs-fixture.ts';

let dir: string;
let files: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fit-e2e-'));
  files = writeSyntheticGrid(join(dir, 'runs'), [1e16, 1e17, 1e18, 1e19], 7, 4, 4);
  // One run still running and one diverged, in their own file: reported and excluded.
  writeRunCsv(join(dir, 'runs', 'runs-extra.csv'), [
    ...runRows({ runId: 'busy', budget: 1e18, shape: { nLayer: 4, dModel: 256, nHeads: 2, nKvHeads: 2, dFf: 684, seqLen: 128, vocab: 256 }, status: 'running', evals: 2 }),
    ...runRows({ runId: 'boom', budget: 1e18, shape: { nLayer: 4, dModel: 320, nHeads: 2, nKvHeads: 2, dFf: 852, seqLen: 128, vocab: 256 }, status: 'diverged', evals: 2 }),
  ]);
  files.push(join(dir, 'runs', 'runs-extra.csv'));
});

describe('scaling fit on our run CSVs', () => {
  it('a quoted glob expands; the law a = β/(α+β) is recovered; provenance and exclusions are recorded', () => {
    const out = join(dir, 'fits', 'synthetic.json');
    const r = runCli(['fit', join(dir, 'runs', '*.csv'), '--bootstrap', '50', '--seed', '3', '--no-approach3', '--predict', '1e21', '--out', out], { timeoutMs: 240_000 });
    expect(r.stderr).toContain(`wrote ${out}`);
    expect(r.code).toBe(0);
    const laws = readLaws(out);
    expect(laws.name).toBe('synthetic');
    expect(laws.dataset).toBe('synthetic');
    expect(laws.representation).toBe('M');
    expect(laws.units.loss).toBe('bits-per-byte');
    // Noise-free runs from L = E + A/M^α + B/D^β: the IsoFLOP vertices follow M_opt ∝ C^(β/(α+β)).
    expect(Math.abs(laws.laws.scale!.exponent - TRUE_A)).toBeLessThan(0.03);
    expect(laws.laws.scale!.exponent + laws.laws.data!.exponent).toBeCloseTo(1, 6);
    expect(laws.details!.optima.map((o) => o.budget)).toEqual([1e16, 1e17, 1e18, 1e19]);
    expect(laws.details!.approach1).toBeDefined();
    const inputs = laws.provenance.inputs!;
    expect(inputs.map((i) => i.file).sort()).toEqual([...files].sort());
    for (const i of inputs) expect(i.sha256).toBe(sha256File(i.file));
    expect(inputs.find((i) => i.file.endsWith('runs-extra.csv'))!.rows).toBe(4);
    expect(laws.provenance.notes).toContain('1 run(s) still running, excluded: busy');
    expect(laws.provenance.notes).toContain('1 run(s) diverged, excluded: boom');
    expect(r.stdout).toContain('⚠ 1 run(s) diverged, excluded: boom');
    expect(r.stdout).toMatch(/1e21\s+1\.00e21/);
  }, 300_000);

  it('--json prints the same laws file that --out writes; --loss-column val_loss switches units', () => {
    const out = join(dir, 'fits', 'nats.json');
    const r = runCli(['fit', ...files.slice(0, 4), '--loss-column', 'val_loss', '--bootstrap', '0', '--no-approach3', '--json', '--out', out], { timeoutMs: 240_000 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(out, 'utf8')));
    expect(JSON.parse(r.stdout).units.loss).toBe('nats/token');
  }, 300_000);
});
