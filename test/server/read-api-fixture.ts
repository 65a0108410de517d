/**
 * A Read API over the real runtime for the server tests: a fresh SQLite store (or Cassandra + Redis),
 * seeded with one known value per example feature through the runtime's own write path, and an API key
 * for every consumer of the example ACL.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createOnlineRuntime } from '../../runtime/index.ts';
import type { FieldRecord, OnlineRuntime, OnlineRuntimeOptions } from '../../runtime/read/online-runtime.ts';
import { createApiKeyTable, createReadMetrics, createReadServer, type ReadServerOptions } from '../../runtime/server/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface AclFile {
  readonly consumers: Record<string, { readonly read: readonly string[]; readonly write: readonly string[] }>;
  readonly features: Record<string, { readonly read: readonly string[]; readonly write: readonly string[] }>;
}

export const ACL = JSON.parse(readFileSync(path.resolve('generated/acl/acl.json'), 'utf8')) as AclFile;
export const CONSUMERS = Object.keys(ACL.consumers).sort();
export const FEATURES = Object.keys(ACL.features).sort();

export const keyOf = (consumer: string) => `test-key-${consumer}-0123456789abcdef`;
export const auth = (consumer: string) => ({ authorization: `Bearer ${keyOf(consumer)}` });

/** 2^53 + 1 and 2^62: a JSON number (a double) cannot hold either exactly. */
export const BIG_USER_ID = 9_007_199_254_740_993n;
export const BIG_COUNT = 2n ** 62n;
export const T0 = new Date('2024-05-01T12:00:00.123Z');

/** A readable key and its stored value for every Object feature (YAML field names, runtime types). */
export const OBJECT_ROWS: Record<string, { key: FieldRecord; value: FieldRecord }> = {
  'azar-lounge::user-interaction-v1': {
    key: { user_id: 1n, target_user_id: BIG_USER_ID },
    value: { impressions_28d: 5, clicks_28d: 2, likes_28d: 1, last_interaction_at: T0 },
  },
  'azar-lounge::user-stats-v1': {
    key: { user_id: BIG_USER_ID },
    value: {
      gender: 'F', country_code: 'KR', age: null, avg_chat_sec: 12.5, total_matches: BIG_COUNT,
      is_verified: true, profile_photo_hash: new Uint8Array([0, 255, 1, 128]),
    },
  },
  'azar-match::user-embedding-v2': {
    key: { user_id: 42n },
    value: { embedding: [0.5, -0.25, 0.125, 1], model_version: 'two-tower-3', trained_at: T0 },
  },
  'live::hakuna-host-stat-v1': {
    key: { user_id: '1001' },
    value: { gender: 'FEMALE', level: 12n, country_code: 'KR', birthday: '1999-03-04' },
  },
  'live::realtime-room-context-v1': {
    key: { room_id: 777n },
    value: {
      viewer_count: 10, like_count_1m: 3, gift_amount_10m: 99.5, click_through_rate_1h: 0.125,
      vision_labels: ['guitar', '실내'], last_frame_at: null, is_adult_suspected: false,
    },
  },
};

const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** Events of the History features, oldest first as appended; reads return them newest first. */
export const HISTORY_ROWS: Record<string, { key: FieldRecord; events: FieldRecord[] }> = {
  'azar-match::rich-history-v1': {
    key: { user_id: 42n },
    events: [0, 1, 2].map((i) => ({
      matched_at: minutes(i), peer_user_id: BIG_USER_ID + BigInt(i), user_gender: 'M',
      user_country_code: 'JP', user_language_code: 'ja', chat_seconds: BigInt(30 * (i + 1)),
    })),
  },
  'live::viewer-watch-history-v1': {
    key: { viewer_id: 5n },
    events: Array.from({ length: 30 }, (_, i) => ({
      watched_at: minutes(i), room_id: BigInt(700 + i), watch_seconds: 60 + i,
      category_tags: i % 2 ? ['music'] : [], gift_amounts: i % 3 ? [] : [1.5, 2],
    })),
  },
};

export interface ReadApiFixture {
  readonly app: FastifyInstance;
  readonly runtime: OnlineRuntime;
  close(): Promise<void>;
}

export type FixtureStore = OnlineRuntimeOptions['store'];

export async function sqliteStore(): Promise<FixtureStore> {
  return { kind: 'sqlite', path: path.join(await tempDir('read-api'), 'online.sqlite') };
}

/** A runtime over `store`, seeded, and a Fastify app around it (not listening: use `inject`, or listen). */
export async function startReadApi(
  options: { store?: FixtureStore; cache?: OnlineRuntimeOptions['cache']; server?: Partial<ReadServerOptions> } = {},
): Promise<ReadApiFixture> {
  const metrics = createReadMetrics();
  const runtime = await createOnlineRuntime({
    generatedDir: 'generated',
    store: options.store ?? (await sqliteStore()),
    cache: options.cache ?? null,
    observer: metrics.observer,
  });
  await seed(runtime);
  const apiKeys = createApiKeyTable(new Map(CONSUMERS.map((c) => [c, [keyOf(c)]])));
  const app = await createReadServer({ runtime, apiKeys, metrics, logger: false, ...options.server });
  return {
    app,
    runtime,
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

export async function seed(runtime: OnlineRuntime): Promise<void> {
  for (const [feature, row] of Object.entries(OBJECT_ROWS)) {
    await runtime.put(writerOf(feature), feature, [row]);
  }
  for (const [feature, { key, events }] of Object.entries(HISTORY_ROWS)) {
    await runtime.append(writerOf(feature), feature, events.map((value) => ({ key, value })));
  }
}

function writerOf(feature: string): string {
  const writer = ACL.features[feature]?.write[0];
  if (!writer) throw new Error(`no writer for ${feature} in the ACL`);
  return writer;
}

/** A value as the JSON API writes it: Long → decimal string, Timestamp → ISO, Bytes → base64. */
export function expectedJson(value: FieldRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
  return out;
}

function toJson(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJson);
  return v;
}
