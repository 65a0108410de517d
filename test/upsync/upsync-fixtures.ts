/**
 * Rows and read-backs for the upsync tests, store-agnostic: offline rows of the test project's features
 * (test/upsync/upsync-project.ts), and the online state as decoded records per key, with a checksum.
 */
import { createHash } from 'node:crypto';
import { loadFeatureCatalog, type CatalogFeature } from '../../runtime/manifest/feature-catalog.ts';
import type { OfflineRow, OfflineStore, OfflineTable, OfflineValues } from '../../runtime/offline/offline-store.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import type { KeyValues, OnlineStore } from '../../runtime/online/online-store.ts';
import { parseManifest } from '../../core/manifest/parse-manifest.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const T0 = Date.UTC(2026, 0, 1);

export function objRow(id: number, updatedAtMs: number, score = id % 1000): OfflineRow {
  return {
    values: {
      user_id: BigInt(id),
      score,
      amount: 9_007_199_254_740_993n + BigInt(id),
      name: id % 3 === 0 ? null : `user ${id}`,
      ratio: id / 7,
      tags: id % 2 === 0 ? ['a', `t${id}`] : [],
      seen_at: id % 5 === 0 ? null : new Date(T0 + (id % 100_000) * 1000),
    },
    updatedAt: new Date(updatedAtMs),
  };
}

export function eventRow(user: number, eventMs: number, amount: bigint, updatedAtMs: number): OfflineRow {
  return { values: { user_id: BigInt(user), event_at: new Date(eventMs), amount }, updatedAt: new Date(updatedAtMs) };
}

export async function offlineTables(generatedDir: string): Promise<Map<string, OfflineTable>> {
  const file = path.join(generatedDir, 'manifest.json');
  const manifest = parseManifest(JSON.parse(await readFile(file, 'utf8')) as unknown, file, { formats: 'current' });
  return new Map(Object.entries(manifest.features).map(([name, f]) => [name, offlineTableOf(f)]));
}

export async function appendAll(store: OfflineStore, table: OfflineTable, rows: readonly OfflineRow<OfflineValues>[], batch = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) await store.append(table, rows.slice(i, i + batch));
}

/** Decoded online records of `keys` (null where absent), as JSON-comparable text. */
export async function onlineRecords(store: OnlineStore, feature: CatalogFeature, keys: readonly KeyValues[]): Promise<(string | null)[]> {
  const values = await store.getMany(feature.table, keys);
  return values.map((v) => (v === null ? null : stable(feature.serde.decode(v))));
}

/** The expected record of an offline row (the value fields, as Avro decodes them). */
export function expectedRecord(feature: CatalogFeature, row: OfflineRow): string {
  const record: Record<string, unknown> = {};
  for (const f of feature.valueFields) record[f.name] = row.values[f.name] ?? null;
  return stable(record);
}

/** A checksum over keys → records: equal online states have equal sums. */
export function checksum(entries: readonly (readonly [string, string | null])[]): string {
  const h = createHash('sha256');
  for (const [k, v] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) h.update(`${k}=${v ?? 'null'}\n`);
  return h.digest('hex').slice(0, 16);
}

export function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return v;
  });
}

export async function catalogOf(generatedDir: string) {
  return loadFeatureCatalog(generatedDir);
}
