/**
 * bin/featurestore.mjs runs dist/; from a checkout it refuses, in one line, a dist/ that is missing or
 * older than the sources. Each case is a small package root in a temp folder holding a copy of bin/,
 * so the repository's own dist/ is never touched.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { distState } from '../../bin/build-freshness.mjs';
import { tempDir } from '../helpers/temp-dir.ts';

const HOUR_AGO = new Date(Date.now() - 3_600_000);
/** Built after the sources, before anything a test writes now. */
const HALF_HOUR_AGO = new Date(Date.now() - 1_800_000);

/** A package root with bin/, a dist/cli/main.js that prints "ran <args>", and optionally sources. */
async function packageRoot(o: { readonly sources: boolean; readonly built: boolean }): Promise<string> {
  const root = await tempDir('freshness');
  await mkdir(path.join(root, 'bin'));
  for (const f of ['featurestore.mjs', 'build-freshness.mjs']) await copyFile(path.join('bin', f), path.join(root, 'bin', f));
  if (o.sources) {
    await mkdir(path.join(root, 'cli'));
    await writeFile(path.join(root, 'cli/main.ts'), 'export {};\n');
    await utimes(path.join(root, 'cli/main.ts'), HOUR_AGO, HOUR_AGO);
  }
  if (o.built) {
    await mkdir(path.join(root, 'dist/cli'), { recursive: true });
    await writeFile(path.join(root, 'dist/cli/main.js'), "export async function main(argv) { process.stdout.write(`ran ${argv.join(' ')}\\n`); return 0; }\n");
    await writeFile(path.join(root, 'dist/.build-stamp'), 'built\n');
    await utimes(path.join(root, 'dist/.build-stamp'), HALF_HOUR_AGO, HALF_HOUR_AGO);
  }
  return root;
}

/** The binary, without the test run's FEATURESTORE_SKIP_DIST_CHECK unless `env` sets it. */
async function run(root: string, args: readonly string[], env: Record<string, string> = {}) {
  const { FEATURESTORE_SKIP_DIST_CHECK: _, ...inherited } = process.env;
  return promisify(execFile)('node', [path.join(root, 'bin/featurestore.mjs'), ...args], { encoding: 'utf8', env: { ...inherited, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
}

describe('the binary and dist/', () => {
  it('runs dist/cli/main.js when dist/ is newer than every source', async () => {
    const root = await packageRoot({ sources: true, built: true });
    expect(distState(root)).toEqual({ state: 'fresh' });
    expect(await run(root, ['codegen', '--check'])).toEqual({ code: 0, stdout: 'ran codegen --check\n', stderr: '' });
  });

  it('refuses a missing dist/ in one line naming npm run build', async () => {
    const root = await packageRoot({ sources: true, built: false });
    const result = await run(root, ['--version']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'featurestore: dist/ is not built; run `npm run build` first\n' });
  });

  it('refuses a dist/ older than a changed source, naming the source', async () => {
    const root = await packageRoot({ sources: true, built: true });
    await mkdir(path.join(root, 'runtime/read'), { recursive: true });
    await writeFile(path.join(root, 'runtime/read/new-module.ts'), 'export {};\n');
    expect(distState(root)).toEqual({ state: 'stale', newer: 'runtime/read/new-module.ts' });
    const result = await run(root, ['codegen']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'featurestore: dist/ is older than the sources (runtime/read/new-module.ts changed); run `npm run build`\n' });
    // What the vitest global setup sets once it has built: the run tests the tree it started on.
    expect(await run(root, ['codegen'], { FEATURESTORE_SKIP_DIST_CHECK: '1' })).toMatchObject({ code: 0, stdout: 'ran codegen\n' });
  });

  it('counts a changed template or tsconfig, and ignores Python bytecode and the Airflow package', async () => {
    const root = await packageRoot({ sources: true, built: true });
    await mkdir(path.join(root, 'runtime/airflow/src'), { recursive: true });
    await writeFile(path.join(root, 'runtime/airflow/src/op.ts'), '');
    await mkdir(path.join(root, 'generator/__pycache__'), { recursive: true });
    await writeFile(path.join(root, 'generator/__pycache__/x.ts'), '');
    expect(distState(root)).toEqual({ state: 'fresh' });
    await mkdir(path.join(root, 'templates/cql'), { recursive: true });
    await writeFile(path.join(root, 'templates/cql/table.hbs'), '');
    expect(distState(root)).toEqual({ state: 'stale', newer: 'templates/cql/table.hbs' });
    await writeFile(path.join(root, 'tsconfig.build.json'), '{}');
    expect(distState(root)).toEqual({ state: 'stale', newer: 'tsconfig.build.json' });
  });

  it('never checks an installed package (no sources beside dist/), even without a stamp', async () => {
    const root = await packageRoot({ sources: false, built: true });
    await writeFile(path.join(root, 'dist/.build-stamp'), '');
    await utimes(path.join(root, 'dist/.build-stamp'), new Date(0), new Date(0));
    expect(distState(root)).toEqual({ state: 'packaged' });
    expect(await run(root, ['serve'])).toMatchObject({ code: 0, stdout: 'ran serve\n' });
  });
});
