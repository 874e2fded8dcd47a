// Where the UMD builds of vega, vega-lite and vega-embed are (their `exports` hide them: resolve the package main and go up),
// for inlining into the offline HTML page. Kept apart from render.ts so building a page does not load vega itself.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

export function umdPath(pkg: 'vega' | 'vega-lite' | 'vega-embed'): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package root of ${pkg}`);
    dir = up;
  }
  const file = join(dir, 'build', `${pkg}.min.js`);
  if (!existsSync(file)) throw new Error(`UMD build missing: ${file}`);
  return file;
}
