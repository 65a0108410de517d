/**
 * DuckDB DDL of a feature's offline table, equivalent to the BigQuery DDL codegen emits
 * (templates/bigquery/table.hbs): the same columns in the same order, the same types, NOT NULL on
 * the keys, the event time and fs_updated_at, every value column NULLABLE. One builder for both users:
 * the DuckDB offline store runs it when it opens (runtime/offline/duckdb), codegen writes it to
 * generated/duckdb/<namespace>/<name>-v<N>.sql (generator/emit/duckdb). It lives in core/ because the
 * generator may not import the runtime; so the file a user reads is byte for byte what the store runs.
 *
 * | BigQuery            | DuckDB        | why |
 * | ---                 | ---           | --- |
 * | STRING              | VARCHAR       | UTF-8 text in both |
 * | INT64 (Long, Int)   | BIGINT        | signed 64-bit in both |
 * | FLOAT64             | DOUBLE        | IEEE double in both (Float included, as in BigQuery) |
 * | BOOL                | BOOLEAN       | |
 * | TIMESTAMP           | TIMESTAMPTZ   | an instant (µs), not a wall-clock time: DuckDB's TIMESTAMP has no zone |
 * | BYTES               | BLOB          | |
 * | ARRAY<T>            | T[]           | |
 *
 * What differs, on purpose:
 * - a PRIMARY KEY on the row identity (keys + fs_updated_at for Object, keys + event time for History):
 *   BigQuery has no enforced keys, so its adapter skips existing rows with an anti-join; DuckDB's
 *   index makes `INSERT … ON CONFLICT DO NOTHING` the same guarantee in O(log n) per row. Its price is
 *   the index's memory (DuckDB keeps ART indexes resident), and a transform that writes the same
 *   identity twice fails instead of storing a duplicate — which is the point;
 * - no PARTITION BY / CLUSTER BY: DuckDB has neither. Rows are stored in insertion order, mostly
 *   fs_updated_at order, so its min/max zone maps already skip most row groups of a since-watermark
 *   read;
 * - no partition_expiration_days: DuckDB cannot expire rows; retention is not applied to the
 *   embedded file (a purge job would be the place);
 * - no descriptions or labels: the manifest the runtime reads does not carry them, and the emitted
 *   file must be what the store runs.
 */
import type { FieldType, ScalarType } from '../field-types.ts';

/** The column every offline table has besides its fields. */
export const DUCKDB_UPDATED_AT = 'fs_updated_at';

/** What the DDL needs of a feature's offline table (runtime/offline's OfflineTable is one). */
export interface DuckDbTableSpec {
  readonly featureName: string;
  readonly featureType: 'Object' | 'History';
  readonly tableName: string;
  /** In field order; `required`: a key or the event time (NOT NULL). */
  readonly columns: readonly { readonly name: string; readonly type: FieldType; readonly required: boolean }[];
  readonly keyColumns: readonly string[];
  readonly eventTimeColumn: string | null;
}

const SCALAR: Record<ScalarType, string> = {
  Text: 'VARCHAR',
  Long: 'BIGINT',
  Int: 'BIGINT',
  Double: 'DOUBLE',
  Float: 'DOUBLE',
  Boolean: 'BOOLEAN',
  Timestamp: 'TIMESTAMPTZ',
  Bytes: 'BLOB',
};

export function duckdbType(type: FieldType): string {
  return type.kind === 'scalar' ? SCALAR[type.scalar] : `${SCALAR[type.element]}[]`;
}

/** A quoted identifier: `"` doubled, so any field name (reserved words included) is one identifier. */
export function duckdbIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`, or just the table in the default schema. */
export function duckdbTablePath(table: Pick<DuckDbTableSpec, 'tableName'>, schema: string | null = null): string {
  return schema === null ? duckdbIdent(table.tableName) : `${duckdbIdent(schema)}.${duckdbIdent(table.tableName)}`;
}

/** The identity columns: the keys, then the event time (History) or fs_updated_at (Object). */
export function duckdbIdentity(table: DuckDbTableSpec): readonly string[] {
  return [...table.keyColumns, table.eventTimeColumn ?? DUCKDB_UPDATED_AT];
}

/** `CREATE TABLE IF NOT EXISTS …;` with a one-line comment before it; deterministic for a given table. */
export function duckdbCreateTable(table: DuckDbTableSpec, schema: string | null = null): string {
  const lines = table.columns.map((c) => `  ${duckdbIdent(c.name)} ${duckdbType(c.type)}${c.required ? ' NOT NULL' : ''},`);
  lines.push(`  ${duckdbIdent(DUCKDB_UPDATED_AT)} TIMESTAMPTZ NOT NULL,`);
  lines.push(`  PRIMARY KEY (${duckdbIdentity(table).map(duckdbIdent).join(', ')})`);
  return [
    `-- Offline table of ${oneLine(table.featureName)} (${table.featureType} feature): the DuckDB twin of its BigQuery DDL.`,
    `CREATE TABLE IF NOT EXISTS ${duckdbTablePath(table, schema)} (`,
    ...lines,
    ');',
  ].join('\n');
}

/** Feature names are validated by codegen; this only guarantees the comment stays one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, ' ');
}
