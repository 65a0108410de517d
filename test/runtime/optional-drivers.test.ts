/** loadDriver tells "the driver is not installed" from every other failure; the peer list matches package.json. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, DRIVER_USES, loadDriver, MissingDriverError, OPTIONAL_DRIVERS } from '../../runtime/connect/optional-drivers.ts';
import { FeatureStoreError } from '../../runtime/index.ts';

/** The error Node's ESM loader raises for an absent package, as it words it. */
function notFound(pkg: string): Error {
  return Object.assign(new Error(`Cannot find package '${pkg}' imported from /srv/app/node_modules/featurestore/dist/runtime/online/open-online-store.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

describe('loadDriver', () => {
  it('returns what the import returns', async () => {
    await expect(loadDriver('ioredis', DRIVER_USES.redisCache, async () => ({ ok: 1 }))).resolves.toEqual({ ok: 1 });
  });

  it('turns the missing driver package into a MissingDriverError naming it, the range and the option', async () => {
    const error = await loadDriver('ioredis', DRIVER_USES.redisCache, () => Promise.reject(notFound('ioredis'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDriverError);
    expect(error).toBeInstanceOf(FeatureStoreError);
    expect(error).toMatchObject({ driver: 'ioredis', usedBy: DRIVER_USES.redisCache });
    expect((error as Error).message).toBe(
      "the Redis cache (`featurestore serve --redis URL`, createOnlineRuntime `cache: { redisUrl }`) needs the package ioredis, which is not installed: run `npm install ioredis@^5.11.1` (an optional peer dependency of featurestore, installed only where it is used)",
    );
    // CommonJS wording, and a scoped name (the slash and the @ are matched literally).
    const cjs = Object.assign(new Error("Cannot find module '@google-cloud/bigquery'\nRequire stack: …"), { code: 'MODULE_NOT_FOUND' });
    await expect(loadDriver('@google-cloud/bigquery', DRIVER_USES.bigqueryMigrate, () => Promise.reject(cjs))).rejects.toThrow(
      DRIVER_ERRORS.missing('@google-cloud/bigquery', DRIVER_USES.bigqueryMigrate),
    );
  });

  it('rethrows everything else as it is: a missing dependency of the driver, another package, other errors', async () => {
    for (const error of [
      notFound('denque'),
      notFound('ioredis-mock'),
      Object.assign(new Error("Cannot find module '/srv/app/node_modules/ioredis/built/index.js'"), { code: 'ERR_MODULE_NOT_FOUND' }),
      new Error("Cannot find package 'ioredis'"),
      new TypeError('boom'),
    ]) {
      await expect(loadDriver('ioredis', DRIVER_USES.redisCache, () => Promise.reject(error))).rejects.toBe(error);
    }
  });
});

describe('the optional peer dependencies', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, unknown>>;
  it.each(Object.entries(OPTIONAL_DRIVERS))('%s is an optional peer with the range the errors quote, a dev dependency here, never a dependency', (name, range) => {
    expect(pkg['peerDependencies']?.[name]).toBe(range);
    expect(pkg['peerDependenciesMeta']?.[name]).toEqual({ optional: true });
    expect(pkg['devDependencies']?.[name]).toBe(range.replace(/^\^/, ''));
    expect(pkg['dependencies']?.[name]).toBeUndefined();
  });
});
