import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['api/**/*.test.ts', 'db/**/*.test.ts', 'site/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Database tests use real temp files; a little parallelism is enough on 2 cores.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
