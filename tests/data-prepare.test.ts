// Dataset preparation on small samples: normalisation, dedup, deterministic document-level split, fixed val size, stable hashes, reuse.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeText, cleanDocuments } from '../src/data/clean.ts';
import { splitDocuments } from '../src/data/split.ts';
import { prepareDataset } from '../src/data/prepare.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { brownToText, emailBody, mobyDick } from '../src/data/corpora.ts';
import { sha256 } from '../src/util/hash.ts';
import { memorySource, syntheticDocs } from './train-loop-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'scaling-data-'));

describe('normalizeText', () => {
  it('applies NFC, newline, control-character and whitespace rules exactly', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Caf\u00e9'); // NFC composes e + combining acute
    expect(normalizeText('a\r\nb\rc\u2028d')).toBe('a\nb\nc\nd');
    expect(normalizeText('\uFEFFx\u0000y\u0007z\tw')).toBe('xyz\tw'); // BOM, NUL, BEL removed; TAB kept
    expect(normalizeText('line   \t\nnext')).toBe('line\nnext');
    expect(normalizeText('\n\n  a\n\n\n\n\nb  \n\n')).toBe('a\n\nb');
    expect(normalizeText('keep   interior  spaces <b>and HTML</b>')).toBe('keep   interior  spaces <b>and HTML</b>');
  });
});

describe('cleanDocuments', () => {
  it('drops exact duplicates after normalisation (first kept) and empty documents, counting bytes', () => {
    const docs = ['Hello world.', 'Hello world.\r\n', 'Other text', '   \n ', 'Hello world.'].map((text, i) => ({ source: 's', name: String(i), text }));
    const { docs: kept, stats } = cleanDocuments(docs);
    expect(kept.map((d) => d.name)).toEqual(['0', '2']);
    expect(stats).toEqual({ documents: 5, rawBytes: 12 + 14 + 10 + 5 + 12, cleanBytes: 12 + 10, empty: 1, duplicates: 2, duplicateBytes: 24 });
    expect(kept[0].hash).toBe(sha256('Hello world.'));
  });
});

describe('splitDocuments', () => {
  const docs = cleanDocuments(syntheticDocs(300).map((text, i) => ({ source: 's', name: String(i), text }))).docs;
  it('makes a validation set of exactly valBytes, disjoint from train at the document level', () => {
    const s = splitDocuments(docs, 3000);
    expect(s.val.length).toBe(3000);
    const total = docs.reduce((a, d) => a + d.bytes + 2, 0);
    expect(s.train.length + s.val.length + s.droppedBytes).toBe(total);
    const train = Buffer.from(s.train).toString('utf8');
    const valText = Buffer.from(s.val).toString('utf8');
    const valDocs = docs.filter((d) => valText.includes(d.text.slice(0, 40)));
    expect(valDocs.length).toBe(s.valDocs);
    for (const d of valDocs) expect(train.includes(d.text)).toBe(false);
  });
  it('depends only on document contents: shuffling the input order gives the same validation bytes', () => {
    const a = splitDocuments(docs, 3000);
    const b = splitDocuments([...docs].reverse(), 3000);
    expect(sha256(b.val)).toBe(sha256(a.val));
    expect(b.train.length).toBe(a.train.length);
  });
  it('rejects a validation set larger than a quarter of the data', () => {
    expect(() => splitDocuments(docs, 10_000_000)).toThrow(/--val-bytes/);
  });
});

describe('prepareDataset', () => {
  it('writes train.bin/val.bin/meta.json with hashes, reuses identical outputs, and rebuilds identically with force', async () => {
    const root = tmp();
    const texts = syntheticDocs(200);
    const src = memorySource('syn', [...texts, texts[3], texts[7] + '\r\n'], join(root, 'src'));
    const out = join(root, 'data');
    const a = await prepareDataset('small', { outDir: out, valBytes: 2048, sources: [src] });
    expect(a.reused).toBe(false);
    expect(a.meta.documents).toMatchObject({ raw: 202, kept: 200, duplicates: 2 });
    expect(a.meta.val.bytes).toBe(2048);
    const val = readFileSync(join(out, 'small', 'val.bin'));
    expect(val.length).toBe(2048);
    expect(sha256(val)).toBe(a.meta.val.sha256);
    expect(sha256(readFileSync(join(out, 'small', 'train.bin')))).toBe(a.meta.train.sha256);
    expect(a.meta.bytes.train + a.meta.bytes.val + a.meta.bytes.droppedAtValCut).toBe(a.meta.bytes.clean + 2 * a.meta.documents.kept);

    const b = await prepareDataset('small', { outDir: out, valBytes: 2048, sources: [src] });
    expect(b.reused).toBe(true);
    const c = await prepareDataset('small', { outDir: out, valBytes: 2048, sources: [src], force: true });
    expect(c.reused).toBe(false);
    expect(c.meta.val.sha256).toBe(a.meta.val.sha256);
    expect(c.meta.train.sha256).toBe(a.meta.train.sha256);
    // a different validation size is a different dataset
    const d = await prepareDataset('small', { outDir: out, valBytes: 1024, sources: [src] });
    expect(d.reused).toBe(false);
    expect(d.meta.val.bytes).toBe(1024);
    expect(loadDataset(out, 'small').valHash).toBe(d.meta.val.sha256.slice(0, 16));
  });
  it('refuses a dataset whose val.bin no longer matches its hash', async () => {
    const root = tmp();
    const src = memorySource('syn', syntheticDocs(100), join(root, 'src'));
    await prepareDataset('x', { outDir: join(root, 'data'), valBytes: 1024, sources: [src] });
    writeFileSync(join(root, 'data', 'x', 'val.bin'), new Uint8Array(1024));
    expect(() => loadDataset(join(root, 'data'), 'x')).toThrow(/val.bin does not match/);
  });
});

describe('corpus readers', () => {
  it('strips Brown word/tag pairs to words with light detokenisation', () => {
    expect(brownToText("\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, it's/pps+bez over/rp ./.\n")).toBe('The jury said "no evidence", it\'s over.');
  });
  it('takes an e-mail body after the first blank line', () => {
    expect(emailBody('From: a\nSubject: b\n\nBody <b>html</b>\n\nmore')).toBe('Body <b>html</b>\n\nmore');
    expect(emailBody('From: a\r\n\r\nbody')).toBe('body');
  });
  it('reads Moby-Dick from its chapter files, not data.txt (which repeats the book)', () => {
    const files = mobyDick.files().map((f) => f.slice(f.lastIndexOf('/') + 1));
    expect(files).not.toContain('data.txt');
    expect(files.filter((f) => f.startsWith('chapter_'))).toHaveLength(135);
    const bytes = mobyDick.documents().reduce((a, d) => a + Buffer.byteLength(d.text), 0);
    expect(bytes).toBeGreaterThan(1.1e6);
    expect(bytes).toBeLessThan(1.3e6);
  });
});
