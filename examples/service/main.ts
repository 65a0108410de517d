/**
 * The example service, end to end (`npm start` after `npm run build`):
 *
 * 1. writes a profile and four views through the embedded SQLite store, in process, as the `ingest` consumer;
 * 2. reads them back through the generated typed client as the `recommender` consumer, and recommends;
 * 3. starts `featurestore serve` over the same SQLite file, reads the same values over HTTP with the
 *    typed client, once as JSON and once as Avro, and stops the server;
 * 4. exits 0 only if every read equals what was written, exactly (bigints compared as bigints).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccessDeniedError, createOnlineRuntime, type FeatureReader } from 'featurestore/runtime';
import { createHttpFeatureReader } from 'featurestore/http';
import { createFeatures } from './generated/ts/index.js';
import { itemViewHistoryV1Descriptor } from './generated/ts/shop/item-view-history-v1.js';
import { userProfileV1Descriptor } from './generated/ts/shop/user-profile-v1.js';
import { recommend } from './src/recommend.js';
import { PROFILE, RANGE, UNKNOWN_USER, USER, VIEWS } from './src/sample-data.js';
import { difference, show } from './src/same-value.js';
import { startServe } from './src/serve-child.js';
import { appendTyped, putTyped } from './src/typed-writes.js';

/** The project folder: dist/main.js sits one level below it. */
const root = fileURLToPath(new URL('..', import.meta.url));
const failures: string[] = [];
let checks = 0;

function expectSame(what: string, expected: unknown, actual: unknown): void {
  checks++;
  const d = difference(expected, actual);
  if (d) failures.push(`${what}: ${d}`);
}

/** Every read of the example through one transport, checked against what was written. */
async function readAll(transport: string, reader: FeatureReader): Promise<void> {
  const { shop } = createFeatures(reader);
  const profile = await shop.userProfileV1.get(USER);
  const [again, unknown] = await shop.userProfileV1.getMany([USER, UNKNOWN_USER]);
  const latest = await shop.itemViewHistoryV1.latest(USER, 10);
  const ranged = await shop.itemViewHistoryV1.range(USER, RANGE.from, RANGE.to);
  const newestFirst = [...VIEWS].reverse();
  expectSame(`${transport} profile`, PROFILE, profile);
  expectSame(`${transport} getMany`, [PROFILE, null], [again, unknown]);
  expectSame(`${transport} latest views`, newestFirst, latest);
  expectSame(`${transport} range`, newestFirst.filter((v) => v.viewedAt >= RANGE.from && v.viewedAt < RANGE.to), ranged);
  const rec = recommend(profile, latest);
  console.log(`[${transport}] profile ${show(profile)}`);
  console.log(`[${transport}] ${latest.length} views, newest ${show(latest[0])}`);
  console.log(`[${transport}] recommend categories ${show(rec.categories)}, items ${show(rec.itemIds)}`);
  expectSame(`${transport} recommendation`, recommend(PROFILE, newestFirst), rec);
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'featurestore-example-'));
  const sqlitePath = path.join(scratch, 'online.sqlite');
  try {
    // 1 + 2: in process, the embedded store.
    const runtime = await createOnlineRuntime({ generatedDir: new URL('../generated/', import.meta.url), store: { kind: 'sqlite', path: sqlitePath } });
    try {
      await putTyped(runtime, 'ingest', userProfileV1Descriptor, [{ key: USER, value: PROFILE }]);
      await appendTyped(runtime, 'ingest', itemViewHistoryV1Descriptor, VIEWS.map((value) => ({ key: USER, value })));
      console.log(`wrote 1 profile and ${VIEWS.length} views for user ${USER.userId} to ${sqlitePath}`);
      await readAll('in process', runtime.reader('recommender'));
      // The ACL holds in process too: the writer may not read.
      checks++;
      const denied = await createFeatures(runtime.reader('ingest')).shop.userProfileV1.get(USER).then(() => null, (e: unknown) => e);
      if (!(denied instanceof AccessDeniedError)) failures.push(`ingest reading the profile: expected AccessDeniedError, got ${show(denied)}`);
    } finally {
      await runtime.close();
    }

    // 3: over HTTP, the same file behind featurestore serve.
    const apiKey = randomBytes(24).toString('base64url');
    const server = await startServe({
      config: path.join(root, 'featurestore.yaml'),
      sqlitePath,
      env: { FS_KEYS_RECOMMENDER: apiKey },
      onLog: (line) => {
        if (Number(line['level']) >= 50) failures.push(`server logged an error: ${show(line)}`);
      },
    });
    console.log(`featurestore serve listening on ${server.url} (pid ${server.pid})`);
    try {
      await readAll('http json', createHttpFeatureReader({ baseUrl: server.url, apiKey }));
      await readAll('http avro', createHttpFeatureReader({ baseUrl: server.url, apiKey, format: 'avro' }));
    } finally {
      const code = await server.stop();
      checks++;
      if (code !== 0) failures.push(`featurestore serve exited with ${code} on SIGTERM`);
      else console.log('featurestore serve stopped (exit 0)');
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  failures.push(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}
if (failures.length > 0) {
  for (const f of failures) console.error(`MISMATCH ${f}`);
  console.error(`${failures.length} of ${checks} checks failed`);
  process.exitCode = 1;
} else {
  console.log(`all ${checks} checks passed: in process, HTTP JSON and HTTP Avro read exactly what was written`);
}
