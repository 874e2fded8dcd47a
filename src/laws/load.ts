// Which laws a command uses: `--laws FILE`, or the shipped paper preset fits/deepseek-llm.json.
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { readLaws, type LawsFile } from '../schema/laws.ts';

/** Path of the shipped DeepSeek LLM preset (paper Eq. 1 and Eq. 4). */
export const PAPER_LAWS_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fits', 'deepseek-llm.json');

export function loadLaws(path?: string): { laws: LawsFile; path: string } {
  const p = path ?? PAPER_LAWS_PATH;
  const rel = relative(process.cwd(), p);
  return { laws: readLaws(p), path: rel.startsWith('..') || isAbsolute(rel) ? p : rel };
}
