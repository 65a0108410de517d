/**
 * Vitest global setup: brings dist/ up to date before any test runs, so the tests that spawn the real
 * binary (bin/featurestore.mjs runs dist/cli/main.js) never run JavaScript older than the sources they
 * stand beside. Incremental: nothing is compiled when no source is newer than dist/.build-stamp.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

const TSC_BUILT_WITH_ERRORS = 2;

declare module 'vitest' {
  export interface ProvidedContext {
    buildEnv: Record<string, string>;
  }
}

export default function setup(project: TestProject): void {
  build();
  // Built now: from here on the binary skips its freshness check, so a source saved by someone else
  // while this run goes on cannot fail its binary tests (test/setup/service-env.ts applies it).
  const env = { FEATURESTORE_SKIP_DIST_CHECK: '1' };
  Object.assign(process.env, env);
  project.provide('buildEnv', env);
}

function build(): void {
  const result = spawnSync(process.execPath, ['scripts/build-dist.mjs', '--if-stale'], { stdio: ['ignore', 'inherit', 'inherit'] });
  // Type errors still emit JavaScript that matches the sources; `npm run typecheck` is where they fail.
  if (result.status === TSC_BUILT_WITH_ERRORS) {
    console.warn('dist/ was built with type errors (see above); tests of the binary run it as it is');
    return;
  }
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal}); tests that run the binary need dist/`);
}
