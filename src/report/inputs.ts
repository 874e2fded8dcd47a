// Loading what a report is made of: fits files (labelled, hashed), run CSVs from paths or glob patterns, the paper's laws and the 7B/67B targets.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { readLaws, type LawsFile } from '../schema/laws.ts';
import { readRunCsv, type RunRow } from '../schema/runs.ts';
import { InputError } from '../util/errors.ts';
import { sha256File } from '../util/hash.ts';
import { PAPER_LAWS_PATH } from '../laws/load.ts';
import type { ReportDataset, ReportTarget } from './types.ts';

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

/** Glob pattern → regular expression over '/'-separated relative paths: `**` any depth, `*` and `?` within one segment. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** Expands a path or glob pattern to existing files (sorted); a pattern matching nothing is an error naming the flag. */
export function expandPattern(pattern: string, flag = '--runs'): string[] {
  if (!/[*?]/.test(pattern)) {
    if (!existsSync(pattern)) throw new InputError(`no such file '${pattern}'`, { field: flag });
    return [pattern];
  }
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => /[*?]/.test(p));
  const base = parts.slice(0, firstGlob).join('/') || '.';
  const files: string[] = [];
  if (existsSync(base) && statSync(base).isDirectory()) walk(base, files);
  const re = globToRegExp(parts.slice(firstGlob).join('/'));
  const matches = files.filter((f) => re.test(relative(base, f).split(sep).join('/'))).sort();
  if (matches.length === 0) throw new InputError(`no files match '${pattern}'`, { field: flag });
  return matches;
}

/** Every run row of the files the patterns name, each tagged with its file. */
export function loadRuns(patterns: string[]): (RunRow & { file: string })[] {
  const files = [...new Set(patterns.flatMap((p) => expandPattern(p)))];
  return files.flatMap((file) => readRunCsv(file).map((r) => ({ ...r, file })));
}
