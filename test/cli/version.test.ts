/** `featurestore --version`: the version in package.json, from the sources and from dist/. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../cli/package-version.ts';
import { runBinary, runCli } from '../helpers/run-cli.ts';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('featurestore --version', () => {
  it('prints the package version and exits 0, as -V too, from the built binary', async () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(await runBinary(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(await runBinary(['-V'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('finds the nearest package.json above the module, at any depth', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'featurestore-version-'));
    scratch.push(root);
    await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'x', version: '9.8.7' }));
    await mkdir(path.join(root, 'dist/cli'), { recursive: true });
    expect(packageVersion(path.join(root, 'dist/cli'))).toBe('9.8.7');
  });

  it('is an internal error when the package.json has no version, or there is none', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'featurestore-version-'));
    scratch.push(root);
    await writeFile(path.join(root, 'package.json'), '{}');
    expect(() => packageVersion(root)).toThrow(`internal: ${path.join(root, 'package.json')} has no version`);
    // The file-system root has no package.json on any machine the tests run on.
    expect(() => packageVersion(path.parse(root).root)).toThrow(/^internal: no package\.json above /);
  });
});
