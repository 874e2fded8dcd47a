// Expands the FILES of `scaling fit` (paths and quoted globs) through the toolkit's one glob (src/util/glob.ts).
import { expandPaths } from '../../util/glob.ts';

/** Each argument is a path or a glob; globs expand to their matches (sorted). A glob matching nothing is an error, as is a missing path. */
export function expandInputs(args: readonly string[]): string[] {
  return expandPaths(args, 'FILES');
}
