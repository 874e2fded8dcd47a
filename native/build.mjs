#!/usr/bin/env node
// Builds the optional native trainer addon (native/build/Release/scaling_blas.node, the `wasm-blas` backend) with node-gyp.
//   node native/build.mjs                 (npm run build:native) build; exit 1 with the reason when it cannot
//   node native/build.mjs --if-possible   (npm's install step) build when a C compiler and OpenBLAS are there; otherwise say
//                                          so in one line and exit 0, so `npm ci` never fails for want of them
// Needs: a C compiler, Node's headers (Debian's nodejs ships them in /usr/include/node; elsewhere node-gyp downloads them),
// and OpenBLAS with its C header (Debian/Ubuntu: apt-get install libopenblas-dev). Uses npm's own bundled node-gyp.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'build', 'Release', 'scaling_blas.node');
const ifPossible = process.argv.includes('--if-possible');

function stop(reason) {
  if (ifPossible) {
    process.stdout.write(`scaling: native BLAS addon not built (${reason}); training uses the wasm kernels. Fast path: apt-get install libopenblas-dev, then npm run build:native\n`);
    process.exit(0);
  }
  process.stderr.write(`build:native: ${reason}\n`);
  process.exit(1);
}

if (process.env.SCALING_SKIP_NATIVE === '1') stop('SCALING_SKIP_NATIVE=1');

// 1. A compiler that can build and link a program against OpenBLAS's C interface.
const cc = process.env.CC || 'cc';
const probe = mkdtempSync(join(tmpdir(), 'scaling-blas-probe-'));
try {
  writeFileSync(join(probe, 'p.c'), '#include <cblas.h>\nint main(void) { return openblas_get_config() == 0; }\n');
  const r = spawnSync(cc, [join(probe, 'p.c'), '-o', join(probe, 'p'), '-lopenblas'], { encoding: 'utf8' });
  if (r.error) stop(`no C compiler (${cc}: ${r.error.code ?? r.error.message})`);
  if (r.status !== 0) stop(`OpenBLAS not found: ${cc} cannot compile and link against cblas.h / -lopenblas (${(r.stderr || '').split('\n').find((l) => l.includes('error')) ?? 'error'})`);
} finally {
  rmSync(probe, { recursive: true, force: true });
}

// 2. node-gyp: the one npm runs scripts with, else npm's bundled copy next to this node.
const npmGyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = [process.env.npm_config_node_gyp, npmGyp].find((p) => p && existsSync(p));
if (!gyp) stop('node-gyp not found (it ships with npm; set npm_config_node_gyp to its bin/node-gyp.js)');

// 3. Node's headers: npm's configured nodedir, else the ones installed beside this node binary (offline), else node-gyp's download.
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [gyp, 'rebuild', '--directory', HERE, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const b = spawnSync(process.execPath, args, { encoding: 'utf8' });
if (b.status !== 0) {
  const lines = `${b.stdout}\n${b.stderr}`.split('\n').filter((l) => /error|ERR!/.test(l));
  stop(`node-gyp failed: ${lines.slice(0, 3).join(' | ') || `exit ${b.status}`}`);
}

// 4. It must load and report its BLAS, in a fresh process (as the trainer will load it).
const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(OUT)}); const i = a.info(); console.log(i.config + ' (' + i.core + ')')`], {
  encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
});
if (check.status !== 0) stop(`built, but it does not load: ${(check.stderr || '').split('\n')[0]}`);
process.stdout.write(`scaling: built ${OUT.slice(HERE.length - 'native'.length)}: ${check.stdout.trim()}; --backend auto now trains on wasm-blas\n`);
