/**
 * Generated output is the same from every working folder, checkout path and install layout: source
 * paths in artifacts are relative to the project root (the config file's folder, else the features
 * folder's parent) and generated TypeScript imports the runtime by package name. `.ci/run` runs the
 * same `--check` from a second folder over the repository itself.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve('bin/featurestore.mjs');
const FIXTURE = path.resolve('test/fixtures/golden');
const outside: string[] = [];
const PLAIN_FEATURE = 'solo::plain-v1:\n  feature_type: Object\n  owner: team\n  schema:\n    id: { type: Text, is_key_field: true }\n    n: { type: Long, default_value: 0 }\n';

async function binary(cwd: string, args: readonly string[]) {
  return promisify(execFile)('node', [BIN, ...args], { encoding: 'utf8', cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
}

/** A folder outside the repository (no featurestore.yaml or package.json above it to pick up). */
async function outsideDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `featurestore-${prefix}-`));
  outside.push(dir);
  return dir;
}

/** A project folder: features/ and, unless `config` is false, featurestore.yaml. */
async function project(parent: string, config = true): Promise<string> {
  const dir = path.join(parent, 'project');
  await cp(path.join(FIXTURE, 'features'), path.join(dir, 'features'), { recursive: true });
  if (config) await cp(path.join(FIXTURE, 'featurestore.yaml'), path.join(dir, 'featurestore.yaml'));
  return dir;
}

afterAll(async () => {
  for (const dir of outside) await rm(dir, { recursive: true, force: true });
});

describe('codegen from another folder', () => {
  it('--check passes from a second folder, from inside the features folder and after the project moves', async () => {
    const a = await project(await tempDir('layout'));
    expect(await binary(a, ['codegen'])).toMatchObject({ code: 0 });
    const ts = await readFile(path.join(a, 'generated/ts/edge/plain-v1.ts'), 'utf8');
    expect(ts).toContain('// Source: features/edge/edge.yaml\n');
    expect(ts).toContain(`from 'featurestore/runtime';`);

    const elsewhere = await outsideDir('cwd');
    const absolute = ['--features', path.join(a, 'features'), '--out', path.join(a, 'generated'), '--config', path.join(a, 'featurestore.yaml')];
    expect(await binary(elsewhere, ['codegen', '--check', ...absolute])).toMatchObject({ code: 0, stderr: '' });
    expect(await binary(path.join(a, 'features'), ['codegen', '--check', '--features', '.', '--out', '../generated', '--config', '../featurestore.yaml'])).toMatchObject({
      code: 0,
      stderr: '',
    });

    // Another machine or checkout path: the whole project copied somewhere deeper.
    const b = path.join(await outsideDir('moved'), 'deeper', 'still');
    await mkdir(b, { recursive: true });
    await cp(a, b, { recursive: true });
    expect(await binary(b, ['codegen', '--check'])).toMatchObject({ code: 0, stderr: '' });
  });

  it('without a config file, paths are relative to the folder holding the features folder', async () => {
    const a = await project(await outsideDir('noconfig'), false);
    // The fixture's features name the fixture config's consumers; without it, one plain feature.
    await rm(path.join(a, 'features/edge'), { recursive: true });
    await writeFile(path.join(a, 'features/plain.yaml'), PLAIN_FEATURE);
    const cwd = await outsideDir('cwd2');
    expect(await binary(cwd, ['codegen', '--features', path.join(a, 'features'), '--out', path.join(a, 'generated')])).toMatchObject({ code: 0 });
    const manifest = JSON.parse(await readFile(path.join(a, 'generated/manifest.json'), 'utf8')) as { features: Record<string, { source: string }> };
    expect(Object.values(manifest.features).map((f) => f.source)).toEqual(['features/plain.yaml']);
    expect(await binary(a, ['codegen', '--check'])).toMatchObject({ code: 0, stderr: '' });
  });

  it('diagnostics keep paths relative to the working folder, where the user can open them', async () => {
    const a = await project(await tempDir('layout-diag'));
    const file = path.join(a, 'features/edge/edge.yaml');
    await cp(file, path.join(a, 'features/edge/broken.yaml'));
    const result = await binary(path.dirname(a), ['codegen', '--features', 'project/features', '--out', 'project/generated', '--config', 'project/featurestore.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^project\/features\/edge\/edge\.yaml:2:1 edge::reserved-words-v1: feature defined twice: also at project\/features\/edge\/broken\.yaml:2 /m);
  });
});
