// Flag helpers shared by the commands: output formats and writing results to stdout or atomically to --out.
import { isStdoutPath, writeOutputFile, type SafeOutOptions } from '../util/safe-out.ts';
import { InputError } from '../util/errors.ts';

/**
 * Prints `text` (no `out`, or `out` = '-'), or writes it atomically to `out` (and says where). The path is checked by
 * src/util/safe-out.ts: devices, directories and symlinks are refused unless opts.force; I/O errors are one line, exit 2.
 */
export function emit(text: string, out?: string, opts: SafeOutOptions = {}): void {
  const body = text.endsWith('\n') ? text : text + '\n';
  writeOutputFile(out ?? '-', body, { flag: '--out', ...opts });
  if (out && !isStdoutPath(out)) process.stderr.write(`wrote ${out}\n`);
}

/** A positive finite number flag, or an InputError naming the flag. */
export function positiveNumber(v: unknown, flag: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`must be a finite number > 0, got '${v}'`, { field: flag });
  return n;
}

export function positiveInteger(v: unknown, flag: string, min = 1): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min) throw new InputError(`must be an integer ≥ ${min}, got '${v}'`, { field: flag });
  return n;
}
