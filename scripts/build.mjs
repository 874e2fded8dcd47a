// Compiles src/ to dist/ (tsc -p tsconfig.build.json) and stamps dist/.built with the build's start time, so bin/scaling.js can
// tell compiled output that is older than any source file (then it runs the sources through tsx instead).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, utimesSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = new Date();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(join(root, 'dist'), { recursive: true });
const stamp = join(root, 'dist', '.built');
closeSync(openSync(stamp, 'w'));
utimesSync(stamp, started, started);
