// Loading what a report is made of: fits files (labelled, hashed), run CSVs from paths or glob patterns, the paper's laws and the 7B/67B targets.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { expandPaths } from '../util/glob.ts';
import { readLaws, type LawsFile } from '../schema/laws.ts';
import { readRunCsv, type RunRow } from '../schema/runs.ts';
import { InputError } from '../util/errors.ts';
import { sha256File } from '../util/hash.ts';
import { PAPER_LAWS_PATH } from '../laws/load.ts';
import type { ReportDataset, ReportTarget } from './types.ts';

import { parseTargets } from '../flops/targets.ts';
import { PRESETS } from '../flops/presets.ts';
import { computeFlops } from '../flops/flops.ts';

export { paperTargets } from '../flops/targets.ts';

/** Reads and validates every fits file; labels are the files' names, made unique with the file name when two collide. */
export function loadDatasets(files: string[]): ReportDataset[] {
  const loaded = files.map((file) => ({ file, laws: readLaws(file), sha256: sha256File(file) }));
  const counts = new Map<string, number>();
  for (const d of loaded) counts.set(d.laws.name, (counts.get(d.laws.name) ?? 0) + 1);
  const used = new Set<string>();
  return loaded.map((d) => {
    let label = counts.get(d.laws.name)! > 1 ? `${d.laws.name} (${basename(d.file)})` : d.laws.name;
    for (let i = 2; used.has(label); i++) label = `${d.laws.name} (${basename(d.file)} #${i})`;
    used.add(label);
    return { label, file: d.file, sha256: d.sha256, laws: d.laws };
  });
}

/** The paper's laws for the dashed references: the given file, else fits/deepseek-llm.json when it exists. */
export function loadReference(file?: string): { label: string; laws: LawsFile; file: string } | undefined {
  const path = file ?? PAPER_LAWS_PATH;
  if (!file && !existsSync(path)) return undefined;
  const laws = readLaws(path);
  return { label: file ? laws.name : 'DeepSeek LLM (paper)', laws, file: path };
}

/** Expands a path or glob pattern to existing files (sorted) through the toolkit's one glob; a pattern matching nothing names the flag. */
export function expandPattern(pattern: string, flag = '--runs'): string[] {
  return expandPaths([pattern], flag);
}

/** Every run row of the files the patterns name, each tagged with its file. */
export function loadRuns(patterns: string[]): (RunRow & { file: string })[] {
  const files = [...new Set(patterns.flatMap((p) => expandPattern(p)))];
  return files.flatMap((file) => readRunCsv(file).map((r) => ({ ...r, file })));
}

/**
 * `--targets 7b,67b,1e21,n_layer=…`: report targets at C = M·D (presets at their 2T tokens, shapes at theirs) or a budget.
 * Errors name `flag`.
 */
export function parseReportTargets(items: string[], flag = '--targets'): ReportTarget[] {
  // Commas separate targets, except inside a shape (n_layer=30,d_model=4096): key=value pieces join the shape before them.
  const pieces: string[] = [];
  for (const piece of items.flatMap((i) => i.split(',')).map((x) => x.trim()).filter(Boolean)) {
    if (piece.includes('=') && pieces.length && pieces[pieces.length - 1].includes('=')) pieces[pieces.length - 1] += `,${piece}`;
    else pieces.push(piece);
  }
  let parsed;
  try {
    parsed = parseTargets(pieces);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.message.replace(/^--predict: /, ''), { field: flag });
    throw e;
  }
  return parsed.map((t) => {
    if (t.kind === 'budget') return { label: `C = ${t.label}`, key: t.label, compute: t.compute! };
    const p = t.preset ? PRESETS[t.preset] : undefined;
    return { label: p ? p.label.replace(' LLM', '') : t.label, key: t.preset ?? t.label, compute: computeFlops(t.shape!, t.tokens!, 'M') };
  });
}
