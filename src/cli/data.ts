// `scaling data prepare`: builds the byte-level curated/noisy datasets from the npm corpora (thin layer over src/data/prepare.ts).
import type { CommandModule } from 'yargs';
import { datasetNames, prepareDataset, DEFAULT_VAL_BYTES } from '../data/prepare.ts';
import { si, textTable } from '../util/format.ts';
import { positiveInteger } from './options.ts';

interface PrepareArgs {
  dataset: string;
  out: string;
  valBytes?: number;
  force: boolean;
  json?: boolean;
}

const prepare: CommandModule<object, PrepareArgs> = {
  command: 'prepare',
  describe: 'Clean, deduplicate, byte-tokenise and split the corpora into data/<name>/{train.bin,val.bin,meta.json}',
  builder: (y) =>
    y
      .option('dataset', { type: 'string', default: 'all', describe: 'curated | noisy | all' })
      .option('out', { type: 'string', default: 'data', describe: 'output directory' })
      .option('val-bytes', { type: 'number', default: DEFAULT_VAL_BYTES, describe: 'validation set size in bytes (= tokens), fixed' })
      .option('force', { type: 'boolean', default: false, describe: 'rebuild even when the outputs match the inputs' })
      .option('json', { type: 'boolean', describe: 'print each dataset\'s directory, document and byte counts and validation hash as JSON' })
      .example('$0 data prepare', 'both datasets into data/')
      .example('$0 data prepare --dataset curated --val-bytes 65536', 'one dataset, 64 KiB validation set'),
  handler: async (a) => {
    const valBytes = positiveInteger(a.valBytes, '--val-bytes');
    const rows: string[][] = [];
    const json: Record<string, unknown>[] = [];
    for (const name of datasetNames(a.dataset)) {
      const t0 = Date.now();
      const r = await prepareDataset(name, { outDir: a.out, valBytes, force: a.force, log: (l) => process.stderr.write(l + '\n') });
      const m = r.meta;
      process.stderr.write(`${r.reused ? 'up to date' : 'wrote'} ${r.dir}/ (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      json.push({ dataset: name, dir: r.dir, reused: r.reused, documents: m.documents, bytes: m.bytes, valHash: m.val.hash16, seconds: (Date.now() - t0) / 1000 });
      rows.push([name, String(m.documents.raw), String(m.documents.duplicates), String(m.documents.train), String(m.documents.val),
        si(m.bytes.raw), si(m.bytes.clean), String(m.bytes.train), String(m.bytes.val), m.val.hash16]);
    }
    if (a.json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    else process.stdout.write(textTable(['dataset', 'docs', 'dups', 'train docs', 'val docs', 'raw bytes', 'clean bytes', 'train bytes', 'val bytes', 'val_hash'], rows) + '\n');
  },
};

export const dataCommand: CommandModule<object, object> = {
  command: 'data <command>',
  describe: 'Prepare training datasets (byte-level, vocab 256)',
  builder: (y) => y.command(prepare).demandCommand(1),
  handler: () => {},
};
