// Expands the FILES of `scaling fit` (quoted globs like 'runs/**/*.csv' included: Node 20 has no fs.glob, tinyglobby does it).
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../../util/errors.ts';

/** Each argument is a path or a glob; globs expand to their matches (sorted). A glob matching nothing is an error, as is a missing path. */
export function expandInputs(args: readonly string[]): string[] {
  if (args.length === 0) throw new InputError('name at least one input file (CSV or JSON; quoted globs are expanded)', { field: 'FILES' });
  const out: string[] = [];
  const seen = new Set<string>();
  for (const a of args) {
    let files: string[];
    if (!existsSync(a) && isDynamicPattern(a)) {
      // Matches are named the way the pattern was: absolute for an absolute pattern, else relative to the working directory.
      files = globSync(a, { onlyFiles: true, dot: false, expandDirectories: false, absolute: isAbsolute(a) }).sort();
      if (files.length === 0) throw new InputError(`no files match '${a}'`, { field: 'FILES' });
    } else {
      if (!existsSync(a)) throw new InputError('no such file', { file: a });
      if (statSync(a).isDirectory()) throw new InputError("is a directory (name the files, e.g. 'DIR/*.csv')", { file: a });
      files = [a];
    }
    for (const f of files) if (!seen.has(f)) { seen.add(f); out.push(f); }
  }
  return out;
}
