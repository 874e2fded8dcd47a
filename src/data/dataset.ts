// A prepared dataset on disk: data/<name>/{train.bin,val.bin,meta.json}; its metadata type and a verified loader.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.ts';
import { sha256 } from '../util/hash.ts';

export const DATASET_SCHEMA = 'scaling.dataset';
export const DATASET_VERSION = 1;

export interface SourceMeta {
  name: string;
  package: string;
  version: string;
  description: string;
  files: number;
  /** Raw documents read, and after cleaning (empty and duplicate documents removed). */
  documents: number;
  documentsKept: number;
  emptyDocuments: number;
  duplicates: number;
  /** UTF-8 bytes of the extracted raw text, of the cleaned kept documents, and of the removed duplicates. */
  rawBytes: number;
  cleanBytes: number;
  duplicateBytes: number;
}

export interface DatasetMeta {
  schema: typeof DATASET_SCHEMA;
  version: typeof DATASET_VERSION;
  name: string;
  description: string;
  created: string;
  tokenizer: { kind: 'bytes'; vocab: 256; note: string };
  cleaning: string[];
  separator: string;
  /** sha256 over the preparation code version, options and every input file; equal hash → outputs are reused. */
  inputHash: string;
  sources: SourceMeta[];
  documents: { raw: number; kept: number; empty: number; duplicates: number; train: number; val: number };
  bytes: { raw: number; clean: number; duplicates: number; train: number; val: number; droppedAtValCut: number };
  train: { file: 'train.bin'; bytes: number; sha256: string };
  val: { file: 'val.bin'; bytes: number; sha256: string; /** First 16 hex of sha256: what run rows record as val_hash. */ hash16: string };
  /** Validation documents and bytes per source. */
  valSources: Record<string, { documents: number; bytes: number }>;
}

export interface LoadedDataset {
  name: string;
  dir: string;
  meta: DatasetMeta;
  train: Uint8Array;
  val: Uint8Array;
  /** val_hash of every run row: the first 16 hex digits of sha256(val.bin). */
  valHash: string;
}

export function readDatasetMeta(file: string): DatasetMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read dataset metadata (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  const m = raw as Partial<DatasetMeta>;
  if (m.schema !== DATASET_SCHEMA) throw new InputError(`expected "${DATASET_SCHEMA}", got ${JSON.stringify(m.schema)}`, { file, field: 'schema' });
  if (m.version !== DATASET_VERSION) throw new InputError(`unsupported version ${JSON.stringify(m.version)}`, { file, field: 'version' });
  if (!m.val || typeof m.val.sha256 !== 'string') throw new InputError('missing val.sha256', { file, field: 'val.sha256' });
  if (!m.train || typeof m.train.sha256 !== 'string') throw new InputError('missing train.sha256', { file, field: 'train.sha256' });
  return m as DatasetMeta;
}

/** Loads data/<name>/ and checks both files against the hashes in meta.json (a changed val.bin would silently change every loss). */
export function loadDataset(dataDir: string, name: string): LoadedDataset {
  const dir = join(dataDir, name);
  const metaFile = join(dir, 'meta.json');
  if (!existsSync(metaFile)) throw new InputError(`dataset '${name}' is not prepared (run: scaling data prepare --dataset ${name} --out ${dataDir})`, { file: metaFile });
  const meta = readDatasetMeta(metaFile);
  const train = new Uint8Array(readFileSync(join(dir, 'train.bin')));
  const val = new Uint8Array(readFileSync(join(dir, 'val.bin')));
  if (sha256(train) !== meta.train.sha256) throw new InputError('train.bin does not match train.sha256 (re-run scaling data prepare --force)', { file: join(dir, 'train.bin') });
  if (sha256(val) !== meta.val.sha256) throw new InputError('val.bin does not match val.sha256 (re-run scaling data prepare --force)', { file: join(dir, 'val.bin') });
  return { name, dir, meta, train, val, valHash: meta.val.sha256.slice(0, 16) };
}
