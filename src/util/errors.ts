// One error type for bad input anywhere in the pipeline: it names the file, line and field, and the CLI turns it into one line + exit 2.

/** Bad input (a flag, a file, a field). `toString()` is the one-line message the CLI prints. */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;

  constructor(reason: string, where: { file?: string; line?: number; field?: string } = {}) {
    super(formatWhere(where) + reason);
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** `file:line: field: ` (each part only when known). */
export function formatWhere(where: { file?: string; line?: number; field?: string }): string {
  let s = '';
  if (where.file) s += where.file + (where.line !== undefined ? `:${where.line}` : '') + ': ';
  else if (where.line !== undefined) s += `line ${where.line}: `;
  if (where.field) s += `${where.field}: `;
  return s;
}

/** Reads a finite number from an unknown JSON value or throws an InputError naming the field. */
export function requireNumber(v: unknown, field: string, file?: string, opts: { positive?: boolean; integer?: boolean; min?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`expected a finite number, got ${JSON.stringify(v)}`, { file, field });
  if (opts.positive && !(v > 0)) throw new InputError(`must be > 0, got ${v}`, { file, field });
  if (opts.integer && !Number.isInteger(v)) throw new InputError(`must be an integer, got ${v}`, { file, field });
  if (opts.min !== undefined && v < opts.min) throw new InputError(`must be ≥ ${opts.min}, got ${v}`, { file, field });
  return v;
}

export function requireString(v: unknown, field: string, file?: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new InputError(`expected a non-empty string, got ${JSON.stringify(v)}`, { file, field });
  return v;
}

export function requireObject(v: unknown, field: string, file?: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`expected an object`, { file, field });
  return v as Record<string, unknown>;
}
