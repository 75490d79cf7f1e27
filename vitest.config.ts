import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Apollo and graphql-shield load graphql's CJS build; test files would load
    // the ESM one, giving "Cannot use GraphQLSchema from another module or realm".
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['**/*.test.ts'],
    reporters: ['default', './test/support/summaryReporter.ts'],
    exclude: ['node_modules/**', 'bench/peers/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration suites each boot PGlite (0.5–0.8 GiB, 1–4 s) and servers on
    // free ports; on a 2-core machine running them all at once only thrashes.
    fileParallelism: false,
    pool: 'forks',
  },
});
