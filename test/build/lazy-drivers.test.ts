/**
 * The drivers (cassandra-driver, @google-cloud/bigquery, kafkajs, better-sqlite3, ioredis, DuckDB) are optional
 * peer dependencies, loaded only where used. Proven on the built package:
 * - importing `featurestore/runtime`, `featurestore` and `featurestore/http` resolves none of them
 *   (an import recorder in a child node) and loads none through require;
 * - their declarations name none, so a service's `tsc` needs none installed;
 * - in an install that has the dependencies but no driver, the CLI runs codegen, and each use of a
 *   driver fails with one error naming the package and the flag or option that needed it.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, DRIVER_USES, OPTIONAL_DRIVERS, type OptionalDriver } from '../../runtime/connect/optional-drivers.ts';
import { IMPORT_RECORDER, readImportLog } from '../helpers/import-recorder/read-log.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const DRIVERS = Object.keys(OPTIONAL_DRIVERS) as OptionalDriver[];
const isDriver = (specifier: string): boolean => DRIVERS.some((d) => specifier === d || specifier.startsWith(`${d}/`));
const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string; dependencies: Record<string, string> };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
async function node(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return promisify(execFile)('node', [...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
}

describe('the built entry points', () => {
  it('load no driver when imported', async () => {
    const log = path.join(await tempDir('entry-imports'), 'imports.jsonl');
    // From the repository root, `featurestore/...` resolves through the package's own exports to dist/.
    const script = `
      import { createRequire } from 'node:module';
      await import('featurestore/runtime');
      await import('featurestore');
      await import('featurestore/http');
      const loaded = Object.keys(createRequire(process.cwd() + '/').cache);
      console.log(JSON.stringify(loaded));`;
    const result = await node(['--import', IMPORT_RECORDER, '--input-type=module', '-e', script], path.resolve('.'), { FEATURESTORE_IMPORT_LOG: log });
    expect(result.stderr).toBe('');
    const imports = await readImportLog(log);
    // The check is of the built files, not of sources reached some other way.
    expect(imports.find((i) => i.specifier === 'featurestore/runtime')?.url).toMatch(/\/dist\/runtime\/index\.js$/);
    expect(imports.find((i) => i.specifier === 'featurestore/http')?.url).toMatch(/\/dist\/runtime\/http\.js$/);
    expect(imports.some((i) => i.specifier === 'avsc')).toBe(true);
    expect(imports.filter((i) => isDriver(i.specifier)).map((i) => i.specifier)).toEqual([]);
    const cjs = JSON.parse(result.stdout) as string[];
    expect(cjs.filter((file) => DRIVERS.some((d) => file.includes(`/node_modules/${d}/`)))).toEqual([]);
  });

  it('have declarations that name no driver', async () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:from\s+|import\(\s*)['"]([^'"]+)['"]/g)) {
        if (!spec!.startsWith('.')) bare.add(spec!);
        else await visit(path.resolve(path.dirname(file), spec!.replace(/\.(ts|js)$/, '.d.ts')));
      }
    };
    for (const entry of ['dist/runtime/index.d.ts', 'dist/runtime/http.d.ts']) await visit(path.resolve(entry));
    expect(seen.size).toBeGreaterThan(10);
    expect(bare).toContain('zod');
    expect([...bare].filter(isDriver)).toEqual([]);
  });
});

describe('an install without the drivers', () => {
  let root = '';
  let project = '';
  let bin = '';
  const tmp: string[] = [];
  beforeAll(async () => {
    // Outside the repository, so nothing above it has a node_modules with the drivers.
    root = await mkdtemp(path.join(os.tmpdir(), 'featurestore-nodrivers-'));
    tmp.push(root);
    const installed = path.join(root, 'node_modules/featurestore');
    await mkdir(installed, { recursive: true });
    for (const part of ['package.json', 'bin', 'dist']) await cp(part, path.join(installed, part), { recursive: true });
    // What npm installs for featurestore: its dependencies, never an optional peer.
    for (const dep of Object.keys(pkg.dependencies)) {
      await mkdir(path.dirname(path.join(root, 'node_modules', dep)), { recursive: true });
      await symlink(path.resolve('node_modules', dep), path.join(root, 'node_modules', dep), 'dir');
    }
    bin = path.join(installed, 'bin/featurestore.mjs');
    project = path.join(root, 'project');
    await cp('test/fixtures/golden/features', path.join(project, 'features'), { recursive: true });
    await cp('test/fixtures/golden/featurestore.yaml', path.join(project, 'featurestore.yaml'));
  });
  afterAll(async () => {
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });

  it('really has none of them', async () => {
    const script = `for (const d of ${JSON.stringify(DRIVERS)}) { try { await import(d); console.log('found ' + d); } catch (e) { if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e; } }`;
    expect(await node(['--input-type=module', '-e', script], root)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('runs the CLI: --version and codegen need no driver', async () => {
    expect(await node([bin, '--version'], project)).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const codegen = await node([bin, 'codegen'], project);
    expect(codegen).toMatchObject({ code: 0, stderr: '' });
    expect(codegen.stdout).toMatch(/^Generated: \d+ files for 3 features in generated\/\n$/);
  });

  it.each([
    ['cassandra', 'cassandra-driver', DRIVER_USES.cassandraMigrate],
    ['bigquery', '@google-cloud/bigquery', DRIVER_USES.bigqueryMigrate],
  ] as const)('migrate --target %s names %s and the flag, in one line, exit 2', async (target, driver, usedBy) => {
    const result = await node([bin, 'migrate', '--target', target], project);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `featurestore migrate: ${DRIVER_ERRORS.missing(driver, usedBy)}\n` });
    expect(result.stderr).toContain(`npm install ${driver}@${OPTIONAL_DRIVERS[driver]}`);
  });

  it('createOnlineRuntime names the driver and the option for the SQLite and Cassandra stores and the Redis cache', async () => {
    const script = `
      import { createOnlineRuntime, MissingDriverError } from 'featurestore/runtime';
      const generatedDir = new URL('./generated/', 'file://' + process.cwd() + '/');
      let closed = 0;
      const custom = { kind: 'custom', store: { close: async () => { closed++; } } };
      const out = [];
      for (const options of [
        { generatedDir, store: { kind: 'sqlite', path: ':memory:' } },
        { generatedDir, store: { kind: 'cassandra' } },
        { generatedDir, store: custom, cache: { redisUrl: 'redis://127.0.0.1:1' } },
      ]) {
        try { await createOnlineRuntime(options); out.push('opened'); }
        catch (e) { out.push({ missing: e instanceof MissingDriverError, driver: e.driver, message: e.message }); }
      }
      console.log(JSON.stringify({ out, closed }));`;
    const result = await node(['--input-type=module', '-e', script], project);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      out: [
        { missing: true, driver: 'better-sqlite3', message: DRIVER_ERRORS.missing('better-sqlite3', DRIVER_USES.sqliteStore) },
        { missing: true, driver: 'cassandra-driver', message: DRIVER_ERRORS.missing('cassandra-driver', DRIVER_USES.cassandraStore) },
        { missing: true, driver: 'ioredis', message: DRIVER_ERRORS.missing('ioredis', DRIVER_USES.redisCache) },
      ],
      // The store opened before the cache failed is closed, not leaked.
      closed: 1,
    });
  });
});
