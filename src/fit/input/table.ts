// Reads a table of records from CSV or JSON (an array of flat objects), keeping each record's 1-based file line for error messages.
import { readFileSync } from 'node:fs';
import { InputError } from '../../util/errors.ts';
import { parseCsvRecords } from '../../schema/runs.ts';

/** One record: cell values as strings (JSON numbers are stringified), and the file line where the record starts. */
export interface TableRecord {
  line: number;
  values: Record<string, string | undefined>;
}

export interface Table {
  file: string;
  format: 'csv' | 'json';
  header: string[];
  records: TableRecord[];
  /** The raw bytes' text, for hashing and size checks. */
  text: string;
}

/** Reads `file` as JSON when it ends in .json (or starts with '['), else as CSV. */
export function readTable(file: string): Table {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? e})`, { file });
  }
  return parseTable(text, file);
}

export function parseTable(text: string, file: string): Table {
  const isJson = /\.json$/i.test(file) || /^\s*\[/.test(text);
  if (!isJson) {
    const { header, records } = parseCsvRecords(text, file);
    return { file, format: 'csv', header, records, text };
  }
  return { file, format: 'json', ...parseJsonRecords(text, file), text };
}

/** A JSON array of flat objects → records. Nested values are rejected (they cannot be mapped to a column). */
export function parseJsonRecords(text: string, file: string): { header: string[]; records: TableRecord[] } {
  if (text.trim().length === 0) throw new InputError('empty file', { file, line: 1 });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8 quotes a snippet of the file, newlines included: collapse it so the message stays one line.
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    // V8 reports "at position P"; turn it into a line number.
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineOfOffset(text, Number(pos[1])) : undefined;
    const truncated = /Unexpected end of JSON input/.test(msg) || (pos !== null && Number(pos[1]) >= text.trimEnd().length);
    throw new InputError(truncated ? 'truncated JSON (the file ends inside a value)' : `not valid JSON (${msg})`, { file, line: line ?? lineOfOffset(text, text.length) });
  }
  if (!Array.isArray(raw)) throw new InputError('expected a JSON array of objects (one per run)', { file, line: 1 });
  if (raw.length === 0) throw new InputError('empty file (the JSON array has no records)', { file, line: 1 });
  const starts = topLevelElementLines(text);
  const header: string[] = [];
  const seen = new Set<string>();
  const records = raw.map((el, i) => {
    const line = starts[i] ?? 1;
    if (typeof el !== 'object' || el === null || Array.isArray(el)) throw new InputError(`record ${i + 1}: expected an object`, { file, line });
    const values: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(el as Record<string, unknown>)) {
      if (!seen.has(k)) { seen.add(k); header.push(k); }
      if (v === null || v === undefined) values[k] = '';
      else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') values[k] = String(v);
      else throw new InputError('nested values cannot be mapped to a column', { file, line, field: k });
    }
    return { line, values };
  });
  return { header, records };
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Line on which each element of the top-level JSON array starts (a small scanner aware of strings and nesting). */
function topLevelElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue;
    if (depth === 1 && expectElement && ch !== ']') { lines.push(line); expectElement = false; }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') { depth++; if (depth === 1) expectElement = true; }
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectElement = true;
  }
  return lines;
}
