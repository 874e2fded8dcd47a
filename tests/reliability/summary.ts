// vitest globalSetup of the Guarantees suite (tests/reliability/): gives every test file one tally file, and after the whole run
// prints ONE summary line with the counts (crashes survived, bad inputs rejected, rows lost, files destroyed) to the log.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityTally: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'scaling-reliability-'));
  const file = join(dir, 'tally.jsonl');
  project.provide('reliabilityTally', file);
  return () => {
    if (existsSync(file)) {
      const t = { crashes: 0, rejected: 0, rowsLost: 0, filesDestroyed: 0, skipped: [] as string[] };
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const x = JSON.parse(line) as Partial<typeof t>;
        t.crashes += x.crashes ?? 0;
        t.rejected += x.rejected ?? 0;
        t.rowsLost += x.rowsLost ?? 0;
        t.filesDestroyed += x.filesDestroyed ?? 0;
        t.skipped.push(...(x.skipped ?? []));
      }
      const skipped = t.skipped.length ? `; SKIPPED: ${t.skipped.join('; ')}` : '';
      process.stdout.write(`\nGuarantees: ${t.crashes} crashes survived, ${t.rejected} bad inputs rejected, ${t.rowsLost} rows lost, ${t.filesDestroyed} files destroyed${skipped}\n`);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
