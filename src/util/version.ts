// The tool's version, read once from package.json (written into provenance and reports).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function toolVersion(): string {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
