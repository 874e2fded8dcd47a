#!/usr/bin/env node
// The `scaling` command: loads the TypeScript CLI through tsx (no build step), then hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
