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
    // V8 names a character position: turn it into the line (and column) an editor shows; the message stays one line.
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    const pos = /at position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    const col = pos ? Number(pos[1]) - text.lastIndexOf('\n', Number(pos[1]) - 1) : undefined;
    const hint = /,\s*[}\]]/.test(text) && /property name|Unexpected token/.test(msg) ? ' (a trailing comma?)' : '';
    throw new InputError(`not valid JSON: ${msg.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '')}${col !== undefined ? ` at column ${col}` : ''}${hint}`, { file, line });
  }
}

/** Pretty-printed JSON, written atomically. */
export function writeJsonFile(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
