// The committed reference results reproduce: `scaling fit` on the committed run CSVs gives the committed fits (same data hash, same laws).
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readLaws } from '../src/schema/laws.ts';
import { fitRunFiles } from '../src/fit/fit-files.ts';
import { REPO } from './helpers/cli.ts';

// fit file → the folder of run CSVs it was fitted from (results/<experiment>/runs/<dataset>/, copied from out/<experiment>/).
const REFERENCES: [string, string][] = [
  ['fits/micro-curated.json', 'results/micro/runs/curated'],
  ['fits/micro-noisy.json', 'results/micro/runs/noisy'],
  ['fits/micro-hparams.json', 'results/hparams-micro/runs/curated'],
];

describe('committed reference fits', () => {
  it.each(REFERENCES)('%s is what fitting %s gives', (fitFile, runsDir) => {
    const committed = readLaws(join(REPO, fitFile));
    const dir = join(REPO, runsDir);
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => join(dir, f));
    const o = committed.provenance.options as { window: number; bootstrap: number; hyperThreshold: number; predict: string[]; seed: number; approach3: boolean };
    const refit = fitRunFiles(files, {
      input: { dataset: committed.dataset },
      fit: { name: committed.name, window: o.window, bootstrap: o.bootstrap, hyperThreshold: o.hyperThreshold, predict: o.predict, seed: o.seed, approach3: o.approach3 },
    });
    expect(refit.provenance.dataHash).toBe(committed.provenance.dataHash);
    expect(refit.provenance.inputs!.map((i) => i.sha256).sort()).toEqual(committed.provenance.inputs!.map((i) => i.sha256).sort());
    for (const k of ['scale', 'data', 'lr', 'batch'] as const) {
      expect(refit.laws[k]?.exponent, k).toBe(committed.laws[k]?.exponent);
      expect(refit.laws[k]?.ci, k).toEqual(committed.laws[k]?.ci);
    }
  }, 120_000);
});
