// Deterministic document-level train/validation split and byte-level tokenisation (vocab 256: a token is a UTF-8 byte).
import { InputError } from '../util/errors.ts';
import type { CleanDocument } from './clean.ts';

/** Bytes written after every document in train.bin and val.bin. */
export const DOC_SEPARATOR = '\n\n';
export const BYTE_VOCAB = 256;

/** Byte-level tokenisation: the UTF-8 encoding of the text; token ids are byte values 0–255. */
export function encodeBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

export interface Split {
  train: Uint8Array;
  val: Uint8Array;
  trainDocs: number;
  valDocs: number;
  /** Bytes of the last validation document that fell past valBytes (dropped from both sets). */
  droppedBytes: number;
  /** Validation documents and bytes per source (the composition of the held-out set). */
  valSources: Record<string, { documents: number; bytes: number }>;
}

/**
 * Validation = the documents with the smallest sha256 of their cleaned text, concatenated in hash order (each followed by
 * DOC_SEPARATOR) and cut at exactly `valBytes`; the remainder of the document that crosses the cut is dropped from both sets.
 * Train = every other document, in source order. Membership depends only on document contents, so the split is stable.
 */
export function splitDocuments(docs: CleanDocument[], valBytes: number): Split {
  if (!Number.isInteger(valBytes) || valBytes < 1) throw new InputError(`must be a positive integer, got ${valBytes}`, { field: '--val-bytes' });
  const total = docs.reduce((s, d) => s + d.bytes + DOC_SEPARATOR.length, 0);
  if (valBytes > total / 4) throw new InputError(`${valBytes} bytes is more than a quarter of the ${total} bytes of data`, { field: '--val-bytes' });
  const byHash = docs.map((d, i) => ({ d, i })).sort((a, b) => (a.d.hash < b.d.hash ? -1 : a.d.hash > b.d.hash ? 1 : a.i - b.i));
  const isVal = new Uint8Array(docs.length);
  const val = new Uint8Array(valBytes);
  let filled = 0;
  let valDocs = 0;
  let droppedBytes = 0;
  const valSources: Split['valSources'] = {};
  for (const { d, i } of byHash) {
    if (filled >= valBytes) break;
    const b = encodeBytes(d.text + DOC_SEPARATOR);
    const take = Math.min(b.length, valBytes - filled);
    val.set(b.subarray(0, take), filled);
    filled += take;
    droppedBytes = b.length - take;
    const vs = (valSources[d.source] ??= { documents: 0, bytes: 0 });
    vs.documents++;
    vs.bytes += take;
    isVal[i] = 1;
    valDocs++;
  }
  const parts: Uint8Array[] = [];
  let trainLen = 0;
  docs.forEach((d, i) => {
    if (isVal[i]) return;
    const b = encodeBytes(d.text + DOC_SEPARATOR);
    parts.push(b);
    trainLen += b.length;
  });
  const train = new Uint8Array(trainLen);
  let o = 0;
  for (const p of parts) {
    train.set(p, o);
    o += p.length;
  }
  return { train, val, trainDocs: docs.length - valDocs, valDocs, droppedBytes, valSources };
}
