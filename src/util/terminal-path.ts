// A path as a terminal line should show it: relative to the working directory when inside it (what the user typed from), else
// absolute (the user has to find it). Reports use report/summary.ts's displayPath instead, which also hides home directories.
import { isAbsolute, relative, sep } from 'node:path';

export function terminalPath(p: string, base = process.cwd()): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(base, p);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? p : rel.split(sep).join('/');
}
