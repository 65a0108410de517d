// Is dist/ current? Shared by the CLI entry (bin/featurestore.mjs), the build script and the vitest
// global setup. Plain JavaScript on purpose: it runs before anything is built.
//
// The test is by modification time: the build writes dist/.build-stamp last, so a source file or
// template newer than the stamp means dist/ may not match the sources. Content hashes would be exact
// but cost a read of every file on every CLI start; mtimes cost one stat each (~300 files, a few ms).
// An installed package has no sources next to dist/ (package.json `files`), so it is never stale.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folders compiled by tsconfig.build.json, and templates/ (copied into dist/templates). */
export const SOURCE_FOLDERS = ['cli', 'generator', 'runtime', 'core', 'templates'];
/** Files whose change changes the build output. */
export const BUILD_INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json'];
export const STAMP_FILE = path.join('dist', '.build-stamp');
/** The file whose presence says "this is the repository, not an installed package". */
export const SOURCE_MARKER = path.join('cli', 'main.ts');

const SOURCE_FILE = /\.(m|c)?ts$|\.hbs$/;
// Never part of the build; skipping them keeps the walk small (a Python venv can hold 10,000 files).
const SKIPPED_NAMES = new Set(['node_modules', '__pycache__', '.venv']);
const SKIPPED_PATHS = new Set([path.join('runtime', 'airflow')]);

/**
 * @param {string} root the package root
 * @returns {{ state: 'packaged' } | { state: 'missing' } | { state: 'stale', newer: string } | { state: 'fresh' }}
 */
export function distState(root) {
  if (!exists(path.join(root, SOURCE_MARKER))) return { state: 'packaged' };
  const stamp = mtimeOf(path.join(root, STAMP_FILE));
  if (stamp === undefined) return { state: 'missing' };
  const newer = newestInput(root, stamp);
  return newer === undefined ? { state: 'fresh' } : { state: 'stale', newer };
}

/** The one line the CLI prints when dist/ cannot be trusted. */
export function staleMessage(state) {
  if (state.state === 'missing') return 'featurestore: dist/ is not built; run `npm run build` first';
  if (state.state === 'stale') return `featurestore: dist/ is older than the sources (${state.newer} changed); run \`npm run build\``;
  return '';
}

/** The first build input (relative path) modified after `since`, or undefined. */
function newestInput(root, since) {
  for (const file of BUILD_INPUT_FILES) {
    const t = mtimeOf(path.join(root, file));
    if (t !== undefined && t > since) return file;
  }
  for (const folder of SOURCE_FOLDERS) {
    const found = walk(root, folder, since);
    if (found) return found;
  }
  return undefined;
}

function walk(root, rel, since) {
  let entries;
  try {
    entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const child = path.join(rel, e.name);
    if (e.isDirectory()) {
      if (SKIPPED_NAMES.has(e.name) || SKIPPED_PATHS.has(child)) continue;
      const found = walk(root, child, since);
      if (found) return found;
    } else if (SOURCE_FILE.test(e.name)) {
      const t = mtimeOf(path.join(root, child));
      if (t !== undefined && t > since) return child.split(path.sep).join('/');
    }
  }
  return undefined;
}

function mtimeOf(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function exists(file) {
  return mtimeOf(file) !== undefined;
}
