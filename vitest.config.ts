import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for type-graphql, Apollo and the tests, or graphql refuses to run.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql/index.js') }],
  },
  test: {
    include: ['gpu/test/**/*.test.ts', 'api/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // GPU tests share one lavapipe adapter and the machine has two cores: files run one at a time.
    fileParallelism: false,
    // The JSON report feeds the summary line .ci/run prints.
    reporters: ['default', ['json', { outputFile: '.lab/test-report.json' }]],
  },
});
