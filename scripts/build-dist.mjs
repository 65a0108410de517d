#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` builds): TypeScript → dist/ with declarations, the
// templates the built code reads copied beside it, outputs of deleted sources removed, and
// dist/.build-stamp written last (bin/build-freshness.mjs compares sources against it).
//
//   node scripts/build-dist.mjs             build (incremental: tsc reuses dist/.tsbuildinfo)
//   node scripts/build-dist.mjs --if-stale  build only when a source is newer than the stamp; silent otherwise
//
// Exit codes are tsc's: 0 built; 2 built, but with type errors (the JavaScript is emitted and stamped,
// since it matches the sources; `npm run build` still fails); 1 nothing emitted.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { distState, STAMP_FILE } from '../bin/build-freshness.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const TSC_BUILT_WITH_ERRORS = 2;
// Files in dist/ that no source compiles to, yet belong there.
const KEPT = new Set(['.tsbuildinfo', '.build-stamp']);

const ifStale = process.argv.includes('--if-stale');
process.exitCode = await withLock(async () => {
  // Checked under the lock: a build that held it may just have made dist/ current.
  const state = distState(ROOT);
  if (ifStale && state.state === 'fresh') return 0;
  if (ifStale) console.error(`featurestore: building dist/ (${state.state === 'stale' ? `${state.newer} changed` : 'not built yet'})`);
  return build();
});

async function build() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // Asynchronous, so the event loop keeps refreshing the lock while tsc runs.
  const child = spawn(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const code = await new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (status) => resolve(status ?? 1));
  });
  if (code !== 0 && code !== TSC_BUILT_WITH_ERRORS) return code;
  copyTemplates();
  pruneOrphans(DIST, '');
  writeFileSync(path.join(ROOT, STAMP_FILE), `${new Date().toISOString()}\n`);
  return code;
}

/** templates/ → dist/templates/ (generator/emit/render.ts reads them two folders up from itself). */
function copyTemplates() {
  const staging = path.join(DIST, `.templates-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  cpSync(path.join(ROOT, 'templates'), staging, { recursive: true });
  rmSync(path.join(DIST, 'templates'), { recursive: true, force: true });
  renameSync(staging, path.join(DIST, 'templates'));
}

/** tsc never deletes: the output of a removed or renamed source would otherwise ship forever. */
function pruneOrphans(dir, rel) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const childRel = rel ? `${rel}/${e.name}` : e.name;
    const full = path.join(dir, e.name);
    if (!rel && (KEPT.has(e.name) || e.name === 'templates')) continue;
    if (e.isDirectory()) {
      pruneOrphans(full, childRel);
      if (readdirSync(full).length === 0) rmSync(full, { recursive: true });
      continue;
    }
    const source = childRel.replace(/\.d\.ts$|\.js$/, '.ts');
    if (source === childRel || !existsSync(path.join(ROOT, source))) rmSync(full);
  }
}

/**
 * One build at a time: the vitest global setup of two test runs, or a test run and `npm run build`,
 * may start together in a shared tree, and two tsc writing the same files can leave a torn one.
 */
async function withLock(fn) {
  mkdirSync(DIST, { recursive: true });
  const release = await lockfile.lock(DIST, {
    lockfilePath: path.join(ROOT, 'node_modules', '.featurestore-build.lock'),
    realpath: false,
    stale: 60_000,
    retries: { retries: 300, minTimeout: 200, maxTimeout: 1_000 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}
