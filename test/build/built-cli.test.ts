/**
 * The binary runs the built JavaScript only: a codegen big enough to parse YAML in the worker thread
 * resolves no TypeScript file and never asks for tsx or a database driver, in the main thread or the worker.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PARALLEL_THRESHOLD_BYTES } from '../../generator/ir/build-parallel.ts';
import { listFeatureFiles } from '../../generator/load/discover.ts';
import { OPTIONAL_DRIVERS } from '../../runtime/connect/optional-drivers.ts';
import { synthFeatures } from '../../scripts/bench/synth-features.ts';
import { IMPORT_RECORDER, readImportLog } from '../helpers/import-recorder/read-log.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve('bin/featurestore.mjs');

describe('the built CLI', () => {
  it('parses a large project in its worker thread without a TypeScript loader', async () => {
    const dir = await tempDir('built-cli');
    const features = path.join(dir, 'features');
    await synthFeatures(features, 400);
    const files = await listFeatureFiles(features);
    expect(files.reduce((n, f) => n + f.bytes, 0)).toBeGreaterThan(PARALLEL_THRESHOLD_BYTES);
    const log = path.join(dir, 'imports.jsonl');

    const { stdout } = await promisify(execFile)('node', ['--import', IMPORT_RECORDER, BIN, 'codegen', '--features', features, '--out', path.join(dir, 'out')], {
      encoding: 'utf8',
      env: { ...process.env, FEATURESTORE_IMPORT_LOG: log },
    });
    expect(stdout).toMatch(/^Generated: \d+ files for 400 features in /);

    const imports = await readImportLog(log);
    const urls = imports.map((i) => i.url ?? '');
    // The worker ran, from dist/, and loaded its modules there too.
    expect(imports).toContainEqual(expect.objectContaining({ url: expect.stringMatching(/\/dist\/generator\/ir\/build-worker\.js$/) }));
    expect(imports.filter((i) => i.parent?.endsWith('/dist/generator/ir/build-worker.js')).length).toBeGreaterThan(0);
    expect(urls.filter((u) => /\.(m|c)?ts$/.test(u))).toEqual([]);
    expect(imports.filter((i) => i.specifier === 'tsx' || i.specifier.startsWith('tsx/'))).toEqual([]);
    // Codegen needs no database driver either (they are optional peers, loaded where used).
    expect(imports.filter((i) => Object.keys(OPTIONAL_DRIVERS).some((d) => i.specifier === d || i.specifier.startsWith(`${d}/`)))).toEqual([]);
  });
});
