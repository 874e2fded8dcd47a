// Flag helpers shared by the commands: output formats and writing results to stdout or atomically to --out.
import { writeFileAtomic } from '../util/atomic.ts';
import { InputError } from '../util/errors.ts';

/** Prints `text`, or writes it atomically to `out` (and says where). */
export function emit(text: string, out?: string): void {
  if (out) {
    writeFileAtomic(out, text.endsWith('\n') ? text : text + '\n');
    process.stderr.write(`wrote ${out}\n`);
  } else {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
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
