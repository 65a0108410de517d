import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The build first: a test that spawns the binary must find dist/ current.
    globalSetup: ['test/setup/build-dist.ts', 'test/setup/global-services.ts'],
    setupFiles: ['test/setup/service-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
