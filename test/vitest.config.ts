import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships CommonJS and ESM builds; yoga loads one and our code (through vitest) the other,
// so GraphQLError from our resolvers failed yoga's instanceof check and was masked. One copy:
const graphqlMain = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: { graphql: graphqlMain } },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'bench/**'],
    globalSetup: ['./global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: two files at a time keeps wall time down without starving the embedded PostgreSQL
    maxWorkers: 2,
  },
});
