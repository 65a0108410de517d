/**
 * The offline tables the offline-store conformance suite exercises, taken from real manifests (the
 * example features and the golden fixture's edge cases), as codegen emits them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { manifestSchema, type ManifestFeature } from '../../core/manifest/manifest-schema.ts';
import type { OfflineTable } from '../../runtime/offline/offline-store.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { GENERATED_DIR, GOLDEN_DIR } from './conformance-tables.ts';

export interface OfflineConformanceTables {
  /** Object; Text + Long keys named `select`, `order`; a column of every scalar type, a List<Long>, a nullable Text. */
  readonly allTypes: OfflineTable;
  /** Object; Long + Long keys; three Ints and a nullable Timestamp. */
  readonly interaction: OfflineTable;
  /** History; five keys (Text, Long, Int, Boolean, Timestamp), event time `at`, List<Text> and List<Float>. */
  readonly fiveKeys: OfflineTable;
  /** History; one Long key, event time `watched_at`, List<Text> and List<Double>. */
  readonly watchHistory: OfflineTable;
}

/** Where each table's feature and its BigQuery DDL come from. */
export const OFFLINE_TABLE_SOURCES = {
  allTypes: { dir: GOLDEN_DIR, feature: 'edge::reserved-words-v1' },
  interaction: { dir: GENERATED_DIR, feature: 'azar-lounge::user-interaction-v1' },
  fiveKeys: { dir: GOLDEN_DIR, feature: 'edge::five-keys-v3' },
  watchHistory: { dir: GENERATED_DIR, feature: 'live::viewer-watch-history-v1' },
} as const;

export async function manifestFeature(dir: string, name: string): Promise<ManifestFeature> {
  const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
  const feature = manifest.features[name];
  if (!feature) throw new Error(`conformance: no feature ${name} in ${dir}`);
  return feature;
}

export async function offlineConformanceTables(): Promise<OfflineConformanceTables> {
  const entries = await Promise.all(
    Object.entries(OFFLINE_TABLE_SOURCES).map(async ([key, { dir, feature }]) => [key, offlineTableOf(await manifestFeature(dir, feature))] as const),
  );
  return Object.fromEntries(entries) as unknown as OfflineConformanceTables;
}

export function allOfflineTables(t: OfflineConformanceTables): OfflineTable[] {
  return [t.allTypes, t.interaction, t.fiveKeys, t.watchHistory];
}
