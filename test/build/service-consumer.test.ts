/**
 * A service outside this repository, as npm lays out a `file:` or registry install: its generated
 * clients import `featurestore/runtime` by package name, compile with plain `tsc` under its own strict
 * NodeNext tsconfig (no allowImportingTsExtensions, exactOptionalPropertyTypes on, the package's
 * .d.ts checked too) and run with plain `node` against the built dist/, no TypeScript loader.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTypeScript } from '../../generator/emit/typescript/index.ts';
import { sampleIR } from '../emit/ts-sample-ir.ts';

const run = promisify(execFile);
const REPO = path.resolve('.');
const TSC = path.resolve('node_modules/typescript/bin/tsc');

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
};

const MAIN = `
import { createFeatures, featureDescriptors } from './generated/ts/index.js';
import { HakunaHostStatV1KeySchema, type HakunaHostStatV1Value } from './generated/ts/live/hakuna-host-stat-v1.js';
import { decodeFeatureValue, encodeFeatureValue, type FeatureReader } from 'featurestore/runtime';
import { createHttpFeatureReader, ReadApiError } from 'featurestore/http';

const value: HakunaHostStatV1Value = {
  viewerCount: 2n ** 63n - 1n, giftCount: 7, score: 0.5, ratio: null, isLive: true,
  lastSeen: new Date('2024-02-29T00:00:00.000Z'), avatar: new Uint8Array([1, 2]), tags: ['x'], embedding: null, bigIds: [1n],
};
const reader: FeatureReader = {
  // A reader is generic over every feature; this one answers every get with the value above.
  get: async <K, V>(): Promise<V | null> => value as unknown as V,
  getMany: async (_f, keys) => keys.map(() => null),
  latest: async () => [],
  range: async () => [],
};
const features = createFeatures(reader);
const got = await features.live.hakunaHostStatV1.get({ userId: 'u1' });
const descriptor = featureDescriptors['live::hakuna-host-stat-v1'];
const decoded = decodeFeatureValue(descriptor, encodeFeatureValue(descriptor, value));
const http = createHttpFeatureReader({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
console.log(JSON.stringify({
  viewerCount: got?.viewerCount.toString(),
  roundTrip: decoded.viewerCount === value.viewerCount && decoded.lastSeen?.getTime() === value.lastSeen?.getTime(),
  badKey: HakunaHostStatV1KeySchema.safeParse({ userId: 1 }).success,
  history: (await features.azarMatch.matchEventV1.latest({ userId: 'u' })).length,
  http: typeof http.get,
  errorClass: ReadApiError.name,
}));
`;

let svc = '';
beforeAll(async () => {
  // Outside the repository, so nothing resolves through this package.json's own name by accident.
  svc = await mkdtemp(path.join(os.tmpdir(), 'featurestore-service-'));
  await mkdir(path.join(svc, 'node_modules/@types'), { recursive: true });
  // What `npm install file:../featurestore` makes: a link to the package folder.
  await symlink(REPO, path.join(svc, 'node_modules/featurestore'), 'dir');
  await symlink(path.resolve('node_modules/@types/node'), path.join(svc, 'node_modules/@types/node'), 'dir');
  await writeFile(path.join(svc, 'package.json'), JSON.stringify({ name: 'svc', private: true, type: 'module' }));
  await writeFile(path.join(svc, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  for (const [rel, content] of emitTypeScript(sampleIR)) {
    await mkdir(path.dirname(path.join(svc, 'src/generated', rel)), { recursive: true });
    await writeFile(path.join(svc, 'src/generated', rel), content);
  }
  await writeFile(path.join(svc, 'src/main.ts'), MAIN);
});
afterAll(async () => {
  if (svc) await rm(svc, { recursive: true, force: true });
});

describe('a service using the built package', () => {
  it('compiles its generated clients with plain tsc under module NodeNext', async () => {
    const result = await run('node', [TSC, '-p', svc], { encoding: 'utf8' }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '' }),
    );
    expect(result).toEqual({ code: 0, stdout: '' });
  }, 120_000);

  it('runs them with plain node, reading, validating and round-tripping Avro through dist/', async () => {
    const { stdout } = await run('node', [path.join(svc, 'dist/main.js')], { encoding: 'utf8', cwd: svc });
    expect(JSON.parse(stdout)).toEqual({ viewerCount: '9223372036854775807', roundTrip: true, badKey: false, history: 0, http: 'function', errorClass: 'ReadApiError' });
  });
});
