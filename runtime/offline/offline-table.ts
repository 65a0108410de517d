/**
 * Offline table descriptions: from the generated manifest (what services and jobs use), or from a
 * literal whose column list is known at compile time (rows then get exact field types).
 */
import type { ManifestFeature } from '../../core/manifest/manifest-schema.ts';
import type { OfflineColumn, OfflineRow, OfflineTable, OfflineValues, OfflineValuesOf } from './offline-store.ts';

/** The offline table of a manifest feature: every field a column, keys and the event time required. */
export function offlineTableOf(feature: ManifestFeature): OfflineTable {
  const keys = new Set(feature.keyFields);
  const eventTime = feature.featureType === 'History' ? feature.eventTimeField : null;
  return {
    featureName: feature.fullName,
    featureType: feature.featureType,
    tableName: feature.tableName,
    columns: feature.fields.map((f) => ({ name: f.name, type: f.type, required: keys.has(f.name) || f.name === eventTime })),
    keyColumns: feature.keyFields,
    eventTimeColumn: eventTime,
  };
}

/**
 * A table whose row type follows from its columns: `defineOfflineTable({ ..., columns: [...] as const })`
 * reads rows whose `values.user_id` is a bigint, and refuses a number there at compile time.
 */
export function defineOfflineTable<const C extends readonly OfflineColumn[]>(table: OfflineTableSpec<C>): OfflineTable<OfflineValuesOf<C>> {
  return table;
}

export interface OfflineTableSpec<C extends readonly OfflineColumn[]> {
  readonly featureName: string;
  readonly featureType: 'Object' | 'History';
  readonly tableName: string;
  readonly columns: C;
  readonly keyColumns: readonly string[];
  readonly eventTimeColumn: string | null;
}

/**
 * The columns that identify a row: key + `fs_updated_at` for Object features (each row is a snapshot
 * at its update time), key + event time for History features (an event happens once, whenever it was
 * written). `null` in the result stands for `fs_updated_at`.
 */
export function identityColumns(table: OfflineTable): readonly (string | null)[] {
  return [...table.keyColumns, table.eventTimeColumn];
}

/**
 * A string naming a row's identity exactly (bigints and times as decimal text, strings JSON-quoted), for
 * de-duplicating a batch in memory before it is sent.
 */
export function identityOf(table: OfflineTable, row: OfflineRow<OfflineValues>): string {
  const parts: string[] = [];
  for (const column of identityColumns(table)) {
    const value = column === null ? row.updatedAt : row.values[column];
    parts.push(value instanceof Date ? `t${value.getTime()}` : typeof value === 'string' ? JSON.stringify(value) : `${typeof value}:${String(value)}`);
  }
  return parts.join('\u0000');
}

/** The first row of each identity, in input order, and how many repeats were dropped. */
export function uniqueRows<R extends OfflineRow<OfflineValues>>(table: OfflineTable, rows: readonly R[]): { rows: R[]; repeats: number } {
  const seen = new Set<string>();
  const unique: R[] = [];
  for (const row of rows) {
    const id = identityOf(table, row);
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(row);
  }
  return { rows: unique, repeats: rows.length - unique.length };
}
