/**
 * Avro-encoded size against the Read API's JSON for one realistic value of every example feature: the
 * Avro body has no field names and varint numbers, which is where the talk's "over 80 % saved" comes from
 * (most of all on numeric lists such as embeddings).
 */
import { parseAvroSchemaText, parseAvroType } from '../../../core/serde/index.ts';
import type { FieldRecord, RuntimeFeatureInfo } from '../../../runtime/read/online-runtime.ts';
import { buildFeaturePlan } from '../../../runtime/server/feature-plans.ts';

const at = new Date('2024-05-01T12:34:56.789Z');

/** A typical value per feature (YAML field names, runtime types). */
export const SAMPLE_VALUES: Readonly<Record<string, FieldRecord>> = {
  'azar-lounge::user-interaction-v1': { impressions_28d: 37, clicks_28d: 4, likes_28d: 1, last_interaction_at: at },
  'azar-lounge::user-stats-v1': {
    gender: 'FEMALE', country_code: 'KR', age: 27, avg_chat_sec: 143.25, total_matches: 18_342n, is_verified: true,
    profile_photo_hash: Buffer.from('9f86d081884c7d659a2feaa0c55ad015', 'hex'),
  },
  'azar-match::rich-history-v1': {
    matched_at: at, peer_user_id: 9_007_199_254_740_993n, user_gender: 'MALE', user_country_code: 'JP', user_language_code: 'ja', chat_seconds: 312n,
  },
  'azar-match::user-embedding-v2': {
    // 64 dimensions, L2-normalised floats as a model emits them.
    embedding: Array.from({ length: 64 }, (_, i) => Math.fround(Math.sin(i + 1) / 5.6)),
    model_version: 'two-tower-2024-05-01', trained_at: at,
  },
  'live::hakuna-host-stat-v1': { gender: 'FEMALE', level: 42n, country_code: 'KR', birthday: '1999-03-04' },
  'live::realtime-room-context-v1': {
    viewer_count: 1_284, like_count_1m: 96, gift_amount_10m: 15_300.5, click_through_rate_1h: Math.fround(0.0734),
    vision_labels: ['person', 'guitar', 'indoor', 'microphone'], last_frame_at: at, is_adult_suspected: false,
  },
  'live::viewer-watch-history-v1': { watched_at: at, room_id: 88_123_456n, watch_seconds: 754, category_tags: ['music', 'talk'], gift_amounts: [10, 2.5] },
};

export interface SizeRow {
  readonly feature: string;
  readonly avroBytes: number;
  readonly jsonBytes: number;
  /** 1 - avro/json. */
  readonly saved: number;
}

export function avroSizes(features: ReadonlyMap<string, RuntimeFeatureInfo>): SizeRow[] {
  const rows: SizeRow[] = [];
  for (const [feature, info] of features) {
    const sample = SAMPLE_VALUES[feature];
    if (!sample) continue;
    const plan = buildFeaturePlan(info);
    // The exact parse: a Long default above 2^53 would not survive JSON.parse.
    const avroBytes = parseAvroType(parseAvroSchemaText(info.avroSchemaText)).toBuffer(sample).length;
    const jsonBytes = Buffer.byteLength(plan.writeValue(sample));
    rows.push({ feature, avroBytes, jsonBytes, saved: 1 - avroBytes / jsonBytes });
  }
  return rows;
}
