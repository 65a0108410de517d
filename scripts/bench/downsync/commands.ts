/**
 * The benchmark's command stream: N pre-encoded envelopes of `live::realtime-room-context-v1` (the
 * example's real-time Object feature, sampled 60 s / 0.9 into the offline store), encoded as any
 * producer would (core/commands), published to a fresh topic before anything consumes it.
 *
 * Shape, and why: `keys` rooms updated N/keys times each, round-robin, so a partition's batch almost
 * never holds two commands of one key (the worker's newest-per-key shortcut would otherwise make the
 * figure look better than a real stream of distinct updates). Event times are strictly increasing per
 * key and span less than the 60 s sampling interval, so the sampler keeps the first command of each
 * key at the 0.9 draw: ~0.9 × keys offline rows, the CDC load a real stream would put on it. Room ids
 * start at a per-run base, so no earlier run's rows or cache entries (with later event times) interfere.
 */
import { commandRecordKey, encodeFeatureCommand, keyCodecForCommands } from '../../../core/commands/index.ts';
import type { CatalogFeature } from '../../../runtime/manifest/feature-catalog.ts';
import type { StreamRecord } from '../../../runtime/stream/feature-stream.ts';

export const ROOM = 'live::realtime-room-context-v1';
export const PRODUCER = 'realtime-calculator';
export const READER = 'live-recommender';

export interface RoomValue {
  readonly viewer_count: number;
  readonly like_count_1m: number;
  readonly gift_amount_10m: number;
  readonly click_through_rate_1h: number;
  readonly vision_labels: readonly string[];
  readonly last_frame_at: Date | null;
  readonly is_adult_suspected: boolean;
}

export function roomValue(marker: number): RoomValue {
  return {
    viewer_count: marker,
    like_count_1m: marker % 97,
    gift_amount_10m: marker / 4,
    click_through_rate_1h: 0.5,
    vision_labels: ['music', 'talk'],
    last_frame_at: null,
    is_adult_suspected: false,
  };
}

export interface CommandSet {
  readonly records: StreamRecord[];
  readonly bytes: number;
  readonly keys: number;
}

/** N envelopes over `keys` rooms from `firstRoom`, event times ending at `endMs` (all in the past). */
export function encodeCommands(feature: CatalogFeature, n: number, keys: number, firstRoom: bigint, endMs: number): CommandSet {
  const codec = keyCodecForCommands(feature);
  const passes = Math.ceil(n / keys);
  // Event times span at most ~40 s whatever N is: pass p of key k at start + p * step + k * step / keys.
  const step = Math.max(1, Math.floor(40_000 / passes));
  const start = endMs - passes * step;
  const records: StreamRecord[] = [];
  let bytes = 0;
  const sentAt = new Date();
  for (let i = 0; i < n; i++) {
    const k = i % keys;
    const pass = Math.floor(i / keys);
    const keyBytes = codec.encode([firstRoom + BigInt(k)]);
    const value = encodeFeatureCommand({
      feature: ROOM,
      key: keyBytes,
      eventTime: new Date(start + pass * step + Math.floor((k * step) / keys)),
      writerSchemaId: feature.info.avroFingerprint,
      value: feature.serde.encode({ ...roomValue(i) }),
      producer: PRODUCER,
      sentAt,
    });
    bytes += value.byteLength;
    records.push({ key: commandRecordKey(ROOM, keyBytes), value });
  }
  return { records, bytes, keys };
}
