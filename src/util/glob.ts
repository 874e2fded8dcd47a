// The one glob of the toolkit (tinyglobby: Node 20 has no fs.glob): paths or quoted patterns like 'runs/**/*.csv' → existing files.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { InputError } from './errors.ts';

/**
 * Each argument is a path or a glob; globs expand to their matches (sorted), named the way the pattern was (absolute for an absolute
 * pattern, else relative to the working directory). A glob matching nothing is an error naming `field`, as is a missing path or a
 * directory. Duplicates are dropped, first occurrence kept.
 */
export function expandPaths(args: readonly string[], field = 'FILES'): string[] {
  if (args.length === 0) throw new InputError('name at least one input file (quoted globs are expanded)', { field });
  const out: string[] = [];
  const seen = new Set<string>();
  for (const a of args) {
    let files: string[];
    if (!existsSync(a) && isDynamicPattern(a)) {
      files = globSync(a, { onlyFiles: true, dot: false, expandDirectories: false, absolute: isAbsolute(a) }).sort();
      if (files.length === 0) throw new InputError(`no files match '${a}'`, { field });
    } else {
      if (!existsSync(a)) throw new InputError('no such file', { file: a, field: field === 'FILES' ? undefined : field });
      if (statSync(a).isDirectory()) throw new InputError("is a directory (name the files, e.g. 'DIR/*.csv')", { file: a });
      files = [a];
    }
    for (const f of files) if (!seen.has(f)) { seen.add(f); out.push(f); }
  }
  return out;
}
