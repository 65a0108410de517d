/**
 * DuckDB emitter: `duckdb/<namespace>/<name>-v<N>.sql`, the offline table of each feature for the
 * embedded DuckDB store, laid out like bigquery/. The statement comes from core/ddl/duckdb-ddl.ts, the
 * builder the DuckDB offline store runs when it opens, so the file is exactly what the store creates
 * (run it by hand with `duckdb offline.duckdb < generated/duckdb/…` to prepare a file for a transform).
 * No dataset file: a DuckDB file has its default schema already.
 */
import { duckdbCreateTable, type DuckDbTableSpec } from '../../../core/ddl/duckdb-ddl.ts';
import type { FeatureIR, IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { preamble } from '../../write/preamble.ts';

/** The table as the runtime's manifest describes it (runtime/offline/offline-table.ts reads the same fields). */
export function duckdbTableOf(feature: FeatureIR): DuckDbTableSpec {
  const eventTime = feature.featureType === 'History' ? feature.eventTimeField : null;
  return {
    featureName: feature.fullName,
    featureType: feature.featureType,
    tableName: feature.tableName,
    columns: feature.fields.map((f) => ({ name: f.name, type: f.type, required: f.isKey || f.name === eventTime })),
    keyColumns: feature.keyFields,
    eventTimeColumn: eventTime,
  };
}

export function emitDuckDb(ir: IR): FileMap {
  const files = new Map<string, string>();
  for (const feature of ir.features) {
    files.set(`duckdb/${feature.namespace}/${feature.name}-v${feature.version}.sql`, `${preamble('dash', [feature.location.file])}${duckdbCreateTable(duckdbTableOf(feature))}\n`);
  }
  return files;
}
