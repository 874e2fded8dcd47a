// Where the code runs from: the compiled dist/ when it is at least as new as every file under src/ (npm ci builds it), else the
// TypeScript sources through tsx (a checkout being edited, or no build). SCALING_SOURCE=1 forces the sources.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/ holds a build newer than every source file. */
export function compiledIsFresh() {
  if (process.env.SCALING_SOURCE === '1') return false;
  try {
    return newestMtime(join(ROOT, 'src')) <= statSync(join(ROOT, 'dist', '.built')).mtimeMs;
  } catch {
    return false;
  }
}

/** Imports a module of the library by its path under src/ (e.g. 'cli/main'), compiled when fresh, else through tsx. */
export async function importModule(path) {
  if (compiledIsFresh()) return import(pathToFileURL(join(ROOT, 'dist', `${path}.js`)).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(ROOT, 'src', `${path}.ts`)).href);
}
