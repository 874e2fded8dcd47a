// The house rules, checked on the sources: imports run one way along the pipeline, and each shared vocabulary is spelled once.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO } from './helpers/cli.ts';

const SRC = join(REPO, 'src');

/**
 * Stage order (docs/architecture in README): a module may import its own stage or a lower one, never a higher one, nor another
 * stage of the same rank. Files directly under src/ (index.ts, library.ts) are the top.
 */
export const STAGE_RANK: Record<string, number> = {
  util: 0, types: 0, flops: 1, schema: 2, laws: 3, plan: 4, data: 4, train: 5, export: 6, slurm: 6, status: 6, fit: 6, report: 7, next: 8, run: 9, cli: 10, '.': 11,
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const stageOf = (file: string) => {
  const rel = relative(SRC, file).split(sep);
  return rel.length === 1 ? '.' : rel[0];
};

describe('architecture', () => {
  const files = walk(SRC);

  it('every import runs down the pipeline (util < flops < schema < laws < plan, data < train < export, slurm, status, fit < report < next < run < cli < index)', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = stageOf(f);
      expect(STAGE_RANK[from], `unknown stage '${from}' (${relative(REPO, f)}): add it to STAGE_RANK`).toBeDefined();
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
        const target = resolve(dirname(f), m[1] ?? m[2]);
        if (!target.startsWith(SRC)) continue;
        const to = stageOf(target);
        if (to === from) continue;
        if (!(STAGE_RANK[to] < STAGE_RANK[from])) bad.push(`${relative(REPO, f)} (${from}) imports ${relative(REPO, target)} (${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('each vocabulary list is written once (src/schema/settings.ts, src/flops/flops.ts)', () => {
    const lists: [RegExp, string][] = [
      [/'multistep',\s*'cosine'/, 'src/schema/settings.ts'],
      [/'auto',\s*'wasm'/, 'src/schema/settings.ts'],
      [/'curated',\s*'noisy'/, 'src/schema/settings.ts'],
      [/'M',\s*'6N1',\s*'6N2'/, 'src/flops/flops.ts'],
    ];
    for (const [re, home] of lists) {
      const where = files.filter((f) => re.test(readFileSync(f, 'utf8'))).map((f) => relative(REPO, f).split(sep).join('/'));
      expect(where, String(re)).toEqual([home]);
    }
  });

  it('the paper presets live in src/flops/presets.ts only', () => {
    const where = files.filter((f) => /nLayer:\s*95,\s*dModel:\s*8192/.test(readFileSync(f, 'utf8'))).map((f) => relative(REPO, f).split(sep).join('/'));
    expect(where).toEqual(['src/flops/presets.ts']);
  });
});
