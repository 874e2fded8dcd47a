// `scaling data prepare`: corpora → cleaned, deduplicated documents → byte tokens → deterministic train/val split → data/<name>/ (atomic, idempotent).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { InputError } from '../util/errors.ts';
import { sha256 } from '../util/hash.ts';
import { writeDirAtomic } from '../util/atomic.ts';
import { checkOutputDir } from '../util/safe-out.ts';
import { DATASETS, packageVersion, type CorpusSource } from './corpora.ts';
import { CLEANING_STEPS, cleanDocuments, type CleanDocument } from './clean.ts';
import { splitDocuments, DOC_SEPARATOR } from './split.ts';
import { DATASET_SCHEMA, DATASET_VERSION, readDatasetMeta, type DatasetMeta, type SourceMeta } from './dataset.ts';

/** Bump when cleaning, splitting or the file layout changes: it invalidates prepared datasets. */
export const PREPARE_VERSION = 2;
export const DEFAULT_VAL_BYTES = 256 * 1024;

export interface PrepareOptions {
  outDir: string;
  valBytes?: number;
  force?: boolean;
  /** Override the corpus readers (tests use small in-memory sources). */
  sources?: CorpusSource[];
  description?: string;
  log?: (line: string) => void;
}

export interface PrepareResult {
  meta: DatasetMeta;
  dir: string;
  reused: boolean;
}

/** sha256 over PREPARE_VERSION, the options and every input file (name + contents), in read order. */
function inputHash(name: string, sources: CorpusSource[], valBytes: number): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ PREPARE_VERSION, name, valBytes, sources: sources.map((s) => s.name) }));
  for (const s of sources) {
    for (const f of s.files()) {
      h.update(`\u0000${s.name}:${f.slice(f.lastIndexOf('node_modules') + 1)}\u0000`);
      h.update(readFileSync(f));
    }
  }
  return h.digest('hex');
}

function versionOf(s: CorpusSource): string {
  try {
    return packageVersion(s.packageName);
  } catch {
    return 'unknown';
  }
}

/** True when data/<name>/ holds outputs of exactly these inputs and both files still match their hashes. */
function reusable(dir: string, hash: string): DatasetMeta | undefined {
  const metaFile = join(dir, 'meta.json');
  if (!existsSync(metaFile)) return undefined;
  try {
    const meta = readDatasetMeta(metaFile);
    if (meta.inputHash !== hash) return undefined;
    if (sha256(readFileSync(join(dir, 'train.bin'))) !== meta.train.sha256) return undefined;
    if (sha256(readFileSync(join(dir, 'val.bin'))) !== meta.val.sha256) return undefined;
    return meta;
  } catch {
    return undefined;
  }
}

export async function prepareDataset(name: string, opts: PrepareOptions): Promise<PrepareResult> {
  const def = DATASETS[name];
  const sources = opts.sources ?? def?.sources;
  if (!sources) throw new InputError(`unknown dataset '${name}' (known: ${Object.keys(DATASETS).join(', ')}, all)`, { field: '--dataset' });
  const valBytes = opts.valBytes ?? DEFAULT_VAL_BYTES;
  const log = opts.log ?? (() => {});
  const dir = join(opts.outDir, name);
  // A folder we may not replace is refused before any corpus is cleaned (it may still be reused when it holds these outputs).
  let refusal: unknown;
  try {
    checkOutputDir(dir, { flag: '--out', isOurs: isLegacyDatasetDir });
  } catch (e) {
    refusal = e;
  }
  const hash = inputHash(name, sources, valBytes);
  if (!opts.force) {
    const meta = reusable(dir, hash);
    if (meta) return { meta, dir, reused: true };
  }
  if (refusal) throw refusal;

  const seen = new Set<string>();
  const kept: CleanDocument[] = [];
  const sourceMeta: SourceMeta[] = [];
  for (const s of sources) {
    log(`${name}: reading ${s.name} (${s.packageName})`);
    const files = s.files().length;
    const { docs, stats } = cleanDocuments(s.documents(), seen);
    kept.push(...docs);
    sourceMeta.push({
      name: s.name, package: s.packageName, version: versionOf(s), description: s.description, files,
      documents: stats.documents, documentsKept: docs.length, emptyDocuments: stats.empty, duplicates: stats.duplicates,
      rawBytes: stats.rawBytes, cleanBytes: stats.cleanBytes, duplicateBytes: stats.duplicateBytes,
    });
  }
  const split = splitDocuments(kept, valBytes);
  const sum = (k: keyof SourceMeta) => sourceMeta.reduce((a, s) => a + (s[k] as number), 0);
  const trainHash = sha256(split.train);
  const valHash = sha256(split.val);
  const meta: DatasetMeta = {
    schema: DATASET_SCHEMA,
    version: DATASET_VERSION,
    name,
    description: opts.description ?? def?.description ?? name,
    created: new Date().toISOString(),
    tokenizer: { kind: 'bytes', vocab: 256, note: 'one token per UTF-8 byte: loss in nats/token ÷ ln 2 = bits per byte' },
    cleaning: [...CLEANING_STEPS],
    separator: JSON.stringify(DOC_SEPARATOR),
    inputHash: hash,
    sources: sourceMeta,
    documents: { raw: sum('documents'), kept: kept.length, empty: sum('emptyDocuments'), duplicates: sum('duplicates'), train: split.trainDocs, val: split.valDocs },
    bytes: { raw: sum('rawBytes'), clean: sum('cleanBytes'), duplicates: sum('duplicateBytes'), train: split.train.length, val: split.val.length, droppedAtValCut: split.droppedBytes },
    train: { file: 'train.bin', bytes: split.train.length, sha256: trainHash },
    val: { file: 'val.bin', bytes: split.val.length, sha256: valHash, hash16: valHash.slice(0, 16) },
    valSources: split.valSources,
  };
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, 'train.bin'), split.train);
    writeFileSync(join(tmp, 'val.bin'), split.val);
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  }, { flag: '--out', kind: 'dataset', isOurs: isLegacyDatasetDir });
  return { meta, dir, reused: false };
}

/** A dataset folder written before output markers existed: exactly train.bin, val.bin and our meta.json. */
function isLegacyDatasetDir(dir: string): boolean {
  try {
    const entries = readdirSync(dir).sort();
    if (entries.join(',') !== 'meta.json,train.bin,val.bin') return false;
    return (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { schema?: unknown }).schema === DATASET_SCHEMA;
  } catch {
    return false;
  }
}

/** `--dataset all` → every dataset name; otherwise the one name. */
export function datasetNames(arg: string): string[] {
  if (arg === 'all') return Object.keys(DATASETS);
  if (!DATASETS[arg]) throw new InputError(`unknown dataset '${arg}' (known: ${Object.keys(DATASETS).join(', ')}, all)`, { field: '--dataset' });
  return [arg];
}
