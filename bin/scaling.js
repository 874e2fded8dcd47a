#!/usr/bin/env node
// The `scaling` command: runs the CLI (src/cli/main.ts) compiled from dist/ when that build is fresh, else through tsx (bin/entry.js).
import { importModule } from './entry.js';

const { main } = await importModule('cli/main');
await main(process.argv.slice(2));
