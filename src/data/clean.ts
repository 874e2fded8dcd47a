// Cleaning of raw documents (docs/data.md): Unicode NFC, newline and whitespace normalisation, exact-duplicate removal.
import { sha256 } from '../util/hash.ts';
import type { RawDocument } from './corpora.ts';

/** The cleaning steps, in order, exactly as `normalizeText` applies them (recorded in meta.json). */
export const CLEANING_STEPS = [
  'Unicode NFC normalisation (String.prototype.normalize("NFC"))',
  'newlines: CR LF and lone CR become LF; U+2028/U+2029 become LF',
  'control characters: C0 controls other than TAB and LF, DEL, and U+FEFF (BOM) are removed',
  'whitespace: trailing spaces/tabs at the end of every line are removed; runs of 3+ LF become 2 (at most one blank line); leading/trailing whitespace of the document is removed',
  'empty documents (nothing left after the steps above) are dropped',
  'exact duplicates: a document whose cleaned text equals an earlier one (sha256) is dropped; the first occurrence in source order is kept',
] as const;

/** Normalises one document's text (steps 1–4 of CLEANING_STEPS). Interior spaces, tabs, HTML and spam are left as they are. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F\uFEFF]/g, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface CleanDocument extends RawDocument {
  /** sha256 hex of the cleaned text (the dedup and split key). */
  hash: string;
  /** UTF-8 bytes of the cleaned text. */
  bytes: number;
}

export interface CleanStats {
  documents: number;
  rawBytes: number;
  cleanBytes: number;
  empty: number;
  duplicates: number;
  duplicateBytes: number;
}

/** Normalises, drops empty documents and exact duplicates (first occurrence kept). Stats count UTF-8 bytes. */
export function cleanDocuments(docs: RawDocument[], seen: Set<string> = new Set()): { docs: CleanDocument[]; stats: CleanStats } {
  const out: CleanDocument[] = [];
  const stats: CleanStats = { documents: docs.length, rawBytes: 0, cleanBytes: 0, empty: 0, duplicates: 0, duplicateBytes: 0 };
  for (const d of docs) {
    stats.rawBytes += Buffer.byteLength(d.text, 'utf8');
    const text = normalizeText(d.text);
    if (text.length === 0) {
      stats.empty++;
      continue;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    const hash = sha256(text);
    if (seen.has(hash)) {
      stats.duplicates++;
      stats.duplicateBytes += bytes;
      continue;
    }
    seen.add(hash);
    stats.cleanBytes += bytes;
    out.push({ ...d, text, hash, bytes });
  }
  return { docs: out, stats };
}
