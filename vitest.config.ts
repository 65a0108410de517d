import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
    include: ['test/**/*.test.ts'],
    // The build first: a test that spawns the binary must find dist/ current.
    globalSetup: ['test/setup/build-dist.ts', 'test/setup/global-services.ts'],
    setupFiles: ['test/setup/service-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
