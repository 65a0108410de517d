import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-services.ts'],
    setupFiles: ['test/setup/service-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
