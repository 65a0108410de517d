#!/usr/bin/env node
// Entry point of the `featurestore` CLI: runs the built JavaScript in dist/, with no TypeScript loader.
// Run from a checkout of this repository, a missing or stale dist/ is refused in one line rather than
// run: old JavaScript against newer sources would pass or fail for reasons nobody can see.
import path from 'node:path';
import { distState, staleMessage } from './build-freshness.mjs';

// FEATURESTORE_SKIP_DIST_CHECK=1 is set by the vitest global setup after it has built dist/: an edit
// saved while the tests run must not fail the run's binary tests (they test the tree the run started on).
const state = process.env['FEATURESTORE_SKIP_DIST_CHECK'] === '1' ? { state: 'fresh' } : distState(path.resolve(import.meta.dirname, '..'));
if (state.state === 'missing' || state.state === 'stale') {
  process.stderr.write(`${staleMessage(state)}\n`);
  process.exitCode = 2;
} else {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(process.argv.slice(2));
}
