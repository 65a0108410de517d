/**
 * The DuckDB DDL of an offline table. The builder lives in core/ddl/duckdb-ddl.ts, shared with codegen
 * (generated/duckdb/…), so the emitted file and what this store runs at open can never disagree; see
 * that file for the type mapping and what differs from the BigQuery DDL on purpose.
 */
export { duckdbCreateTable, duckdbIdent, duckdbTablePath, duckdbType } from '../../../core/ddl/duckdb-ddl.ts';
