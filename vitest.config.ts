// Test runner settings: tests live in tests/, run in forked processes (TensorFlow.js wasm keeps global state), 2 at a time (CI has 2 cores).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // 'scaling' imported by name resolves to the TypeScript sources (the package's "source" export condition), not to dist/.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['tests/**/*.test.ts'],
    // The Guarantees suite's summary line (tests/reliability/summary.ts): counts collected from every file, printed once at the end.
    globalSetup: ['tests/reliability/summary.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
