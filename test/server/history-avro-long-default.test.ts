/**
 * A History feature whose Long default is above 2^53, read over HTTP as Avro: the events are the
 * runtime's reader-schema bytes, passed through as Object values are (they used to be decoded and
 * re-encoded with a schema parsed by plain JSON.parse, which rounds 9007199254740993 to
 * 9007199254740992 and made avsc refuse the schema: "incompatible field default", a 500 on every read).
 * A project of its own (codegen through the built CLI), the embedded SQLite store, no services.
 */
import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAvroSchemaText, parseAvroType, type AvroSchemaJson } from '../../core/serde/index.ts';
import { createOnlineRuntime, type OnlineRuntime } from '../../runtime/index.ts';
import { createApiKeyTable, createReadServer, FEATURE_VALUES_SCHEMA } from '../../runtime/server/index.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FEATURE = 'ev::clicks-v1';
const BIG = 9_007_199_254_740_993n; // 2^53 + 1: the nearest double is 2^53
const YAML = `${FEATURE}:
  feature_type: History
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    at: { type: Timestamp, is_event_time: true }
    score: { type: Long, default_value: ${BIG} }
    seen: { type: List<Long>, default_value: [${BIG}, -${BIG}] }
  history: { max_events: 5 }
  access: { read: [reader], write: [writer] }
`;
const API_KEY = 'history-avro-test-key-0123456789';

let runtime: OnlineRuntime;
let app: Awaited<ReturnType<typeof createReadServer>>;

beforeAll(async () => {
  const root = await tempDir('history-avro');
  await mkdir(path.join(root, 'features'), { recursive: true });
  await writeFile(path.join(root, 'features', 'ev.yaml'), YAML);
  await writeFile(path.join(root, 'featurestore.yaml'), 'consumers:\n  reader: { api_keys_env: FS_KEYS_READER }\n  writer: {}\n');
  const out = path.join(root, 'generated');
  const r = await runCli(['codegen', '--features', path.join(root, 'features'), '--out', out, '--config', path.join(root, 'featurestore.yaml')]);
  expect(r.code, r.stderr).toBe(0);
  runtime = await createOnlineRuntime({ generatedDir: out, store: { kind: 'sqlite', path: ':memory:' } });
  // Events written without the defaulted fields: the stored bytes hold the exact defaults.
  await runtime.append('writer', FEATURE, [1000, 2000].map((at) => ({ key: { user_id: 1n }, value: { at: new Date(at) } })));
  app = await createReadServer({ runtime, apiKeys: createApiKeyTable(new Map([['reader', [API_KEY]]])), logger: false });
});
afterAll(async () => {
  await app?.close();
  await runtime?.close();
});

const post = (op: string, payload: object, accept: string) =>
  app.inject({ method: 'POST', url: `/v1/features/${FEATURE}/${op}`, headers: { authorization: `Bearer ${API_KEY}`, accept }, payload });

/** The reader schema as a client must read it: exactly (a JSON.parse would round the defaults). */
async function readerType() {
  const res = await app.inject({ method: 'GET', url: `/v1/features/${FEATURE}/schema`, headers: { authorization: `Bearer ${API_KEY}` } });
  expect(res.statusCode).toBe(200);
  const body = parseAvroSchemaText(res.body) as { schema: AvroSchemaJson };
  return parseAvroType(body.schema);
}

describe('History over HTTP with a Long default above 2^53', () => {
  it.each([
    ['latest', { key: { user_id: '1' }, n: 5 }],
    ['range', { key: { user_id: '1' }, from: '1970-01-01T00:00:00Z', to: '1970-01-01T00:00:03Z' }],
  ] as const)('Avro %s: 200, and the events decode to the exact defaults', async (op, body) => {
    const res = await post(op, body, 'application/avro');
    expect(res.statusCode, res.body).toBe(200);
    const envelope = parseAvroType(FEATURE_VALUES_SCHEMA as unknown as AvroSchemaJson).fromBuffer(res.rawPayload) as { values: Buffer[] };
    const type = await readerType();
    expect(envelope.values.map((v) => type.fromBuffer(v))).toMatchObject([
      { at: new Date(2000), score: BIG, seen: [BIG, -BIG] },
      { at: new Date(1000), score: BIG, seen: [BIG, -BIG] },
    ]);
  });

  it('JSON latest: the defaults as exact decimal strings', async () => {
    const res = await post('latest', { key: { user_id: '1' } }, 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain(`"score":"${BIG}","seen":["${BIG}","-${BIG}"]`);
  });
});
