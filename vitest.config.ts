import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BIGQUERY_EMULATOR_TESTS, INTEGRATION_TESTS } from './test/tiers.ts';

const source = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

export default defineConfig({
  // Generated code imports `featurestore/runtime`. Inside this repository that must be the sources the
  // tests import too (one module instance, one default reader), not dist/ through the package's own
  // exports; tsconfig.json maps the same names for the type checker.
  resolve: {
    alias: [
      { find: /^featurestore(\/runtime)?$/, replacement: source('./runtime/index.ts') },
      { find: /^featurestore\/http$/, replacement: source('./runtime/http.ts') },
    ],
  },
  test: {
    setupFiles: ['test/setup/service-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two tiers: `npm test` runs both; `npm test -- --project unit` needs no server and takes
    // seconds. The build comes first in each: a test that spawns the binary must find dist/ current.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...INTEGRATION_TESTS], globalSetup: ['test/setup/build-dist.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [...INTEGRATION_TESTS],
          exclude: [...BIGQUERY_EMULATOR_TESTS],
          globalSetup: ['test/setup/build-dist.ts', 'test/setup/global-services.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-bigquery',
          include: [...BIGQUERY_EMULATOR_TESTS],
          fileParallelism: false,
          setupFiles: ['test/setup/service-env.ts', 'test/setup/fresh-bigquery-emulator.ts'],
          globalSetup: ['test/setup/build-dist.ts', 'test/setup/global-services.ts'],
        },
      },
    ],
  },
});
