/**
 * Where createOnlineRuntime finds the generated folder: a path, a file URL (a service locating it beside
 * its own code), or the working folder's `generated/`; when there is no manifest, a ManifestNotFoundError
 * naming the option to pass and where it looked. SQLite in memory; no services.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOnlineRuntime, ManifestNotFoundError, RUNTIME_ERRORS, type OnlineRuntime } from '../../runtime/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const opened: OnlineRuntime[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
});
const memory = { kind: 'sqlite', path: ':memory:' } as const;

async function failure(promise: Promise<OnlineRuntime>): Promise<ManifestNotFoundError> {
  const error = await promise.then((r) => (opened.push(r), null), (e: unknown) => e);
  expect(error).toBeInstanceOf(ManifestNotFoundError);
  return error as ManifestNotFoundError;
}

describe('createOnlineRuntime({ generatedDir })', () => {
  it('takes a file URL, so a service finds generated/ beside its code from any working folder', async () => {
    const runtime = await createOnlineRuntime({ generatedDir: new URL('../../generated/', import.meta.url), store: memory });
    opened.push(runtime);
    expect(runtime.features.has('live::hakuna-host-stat-v1')).toBe(true);
  });

  it('a folder without a manifest: the absolute file and the option in one message', async () => {
    const dir = await tempDir('runtime-no-manifest');
    const error = await failure(createOnlineRuntime({ generatedDir: dir, store: memory }));
    expect(error.file).toBe(path.join(dir, 'manifest.json'));
    expect(error.message).toBe(RUNTIME_ERRORS.noManifest(path.join(dir, 'manifest.json')));
    expect(error.message).toContain('createOnlineRuntime({ generatedDir })');
  });

  it('the default, from a working folder without generated/: says it is the default, where it looked, and what to pass', async () => {
    const dir = await tempDir('runtime-default-dir');
    const before = process.cwd();
    process.chdir(dir);
    try {
      const error = await failure(createOnlineRuntime({ store: memory }));
      expect(error.message).toBe(RUNTIME_ERRORS.noDefaultManifest(path.join(dir, 'generated', 'manifest.json'), dir));
      expect(error.message).toContain("new URL('../generated/', import.meta.url)");
    } finally {
      process.chdir(before);
    }
  });

  it('the default is the working folder\'s generated/ (the repository root here)', async () => {
    const runtime = await createOnlineRuntime({ store: memory });
    opened.push(runtime);
    expect(runtime.features.size).toBeGreaterThan(0);
  });
});
