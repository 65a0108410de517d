/**
 * The downsync tests' fixture: the repository's generated manifest and ACL (real features, real writer
 * schemas), with the downsync settings of a feature optionally replaced (exact sampling counts need a
 * known policy), and commands encoded as a producer in any language would (core/commands).
 */
import { readFile } from 'node:fs/promises';
import { commandRecordKey, encodeFeatureCommand, keyCodecForCommands } from '../../../core/commands/index.ts';
import type { Manifest } from '../../../core/manifest/manifest-schema.ts';
import { parseManifest } from '../../../core/manifest/parse-manifest.ts';
import { downsyncFeaturesOf, type DownsyncFeature } from '../../../runtime/downsync/index.ts';
import { buildFeatureCatalog, type CatalogFeature, type FeatureCatalog } from '../../../runtime/manifest/feature-catalog.ts';
import type { KeyValues } from '../../../runtime/online/online-store.ts';
import type { StreamRecord } from '../../../runtime/stream/feature-stream.ts';

/** Object, `downsync` 60 s / 0.9 in the manifest; written by realtime-calculator. */
export const ROOM = 'live::realtime-room-context-v1';
/** History, `downsync` 0 / 1 (every event). */
export const WATCH = 'live::viewer-watch-history-v1';
/** Object, not downsynced; written by upsync-worker only. */
export const HOST = 'live::hakuna-host-stat-v1';
export const PRODUCER = 'realtime-calculator';

export interface Fixture {
  readonly catalog: FeatureCatalog;
  readonly manifest: Manifest;
  readonly features: ReadonlyMap<string, DownsyncFeature>;
  feature(name: string): CatalogFeature;
}

export type DownsyncOverride = { readonly enabled: boolean; readonly minIntervalByKeyMs: number; readonly randomSamplingRatio: number };

export async function loadFixture(overrides: Readonly<Record<string, DownsyncOverride>> = {}): Promise<Fixture> {
  const manifestJson = JSON.parse(await readFile('generated/manifest.json', 'utf8')) as { features: Record<string, { downsync: DownsyncOverride }> };
  for (const [name, downsync] of Object.entries(overrides)) manifestJson.features[name]!.downsync = downsync;
  const acl = JSON.parse(await readFile('generated/acl/acl.json', 'utf8')) as unknown;
  const catalog = buildFeatureCatalog(manifestJson, acl);
  const manifest = parseManifest(manifestJson, 'manifest.json', { formats: 'current' });
  return { catalog, manifest, features: downsyncFeaturesOf(catalog, manifest), feature: (name) => catalog.features.get(name)! };
}

export interface CommandOptions {
  readonly producer?: string;
  readonly sentAt?: Date;
  readonly writerSchemaId?: bigint;
  /** Replaces the encoded value bytes (poison tests). */
  readonly valueBytes?: Uint8Array;
}

/** A command record (Kafka key + Avro envelope) for `feature`, key and value record. */
export function commandRecord(fx: Fixture, feature: string, key: KeyValues, eventTime: Date, record: Record<string, unknown>, options: CommandOptions = {}): StreamRecord {
  const f = fx.feature(feature);
  const keyBytes = keyCodecForCommands(f).encode(key);
  const value = options.valueBytes ?? f.serde.encode(record);
  return {
    key: commandRecordKey(feature, keyBytes),
    value: encodeFeatureCommand({
      feature,
      key: keyBytes,
      eventTime,
      writerSchemaId: options.writerSchemaId ?? f.info.avroFingerprint,
      value,
      producer: options.producer ?? PRODUCER,
      sentAt: options.sentAt ?? new Date(),
    }),
  };
}

export function roomValue(viewerCount: number, frameAt: Date | null = null): Record<string, unknown> {
  return {
    viewer_count: viewerCount,
    like_count_1m: viewerCount % 7,
    gift_amount_10m: viewerCount / 4,
    click_through_rate_1h: 0.5,
    vision_labels: ['room', String(viewerCount)],
    last_frame_at: frameAt,
    is_adult_suspected: viewerCount % 2 === 1,
  };
}

export function roomCommand(fx: Fixture, roomId: bigint, eventTime: Date, viewerCount: number, options: CommandOptions = {}): StreamRecord {
  return commandRecord(fx, ROOM, [roomId], eventTime, roomValue(viewerCount), options);
}

export function watchValue(watchedAt: Date, roomId: bigint, seconds: number): Record<string, unknown> {
  return { watched_at: watchedAt, room_id: roomId, watch_seconds: seconds, category_tags: ['music'], gift_amounts: [seconds / 2] };
}

export function watchCommand(fx: Fixture, viewerId: bigint, watchedAt: Date, roomId: bigint, seconds: number, options: CommandOptions = {}): StreamRecord {
  return commandRecord(fx, WATCH, [viewerId], watchedAt, watchValue(watchedAt, roomId, seconds), options);
}

/** Polls `check` until it returns true, at most `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
