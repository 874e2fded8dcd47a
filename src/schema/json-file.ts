// Reading and writing the JSON formats (plan, laws, experiment): one place for "cannot read" / "not valid JSON" errors and atomic writes.
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomic.ts';

/** Parsed JSON of `file`; an unreadable file or invalid JSON is an InputError naming the file. `what` names the kind of file. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? e})`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file });
  }
}

/** Pretty-printed JSON, written atomically. */
export function writeJsonFile(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
