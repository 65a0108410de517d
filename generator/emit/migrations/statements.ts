/** The DDL statements of one migration, per target, reusing the emitted CREATE statements verbatim. */
import type { IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { bqType, partitionExpirationDays } from '../bigquery/index.ts';
import { ttlSeconds } from '../cql/index.ts';
import { bqIdent, bqPath, bqString, cqlIdent } from '../identifiers.ts';
import type { DdlChange } from './ddl-changes.ts';

/** The statement of an emitted DDL file, without the do-not-edit preamble (a migration has its own). */
function statementOf(files: FileMap, path: string): string {
  const text = files.get(path);
  if (text === undefined) throw new Error(`internal: no emitted DDL at ${path}`);
  return text.replace(/^(?:-- (?:Code generated|Source:|Edit the YAML).*\n)+/, '').trimEnd();
}

const featurePath = (dir: string, f: { namespace: string; name: string; version: number }, ext: string) =>
  `${dir}/${f.namespace}/${f.name}-v${f.version}.${ext}`;

export function cqlStatements(changes: readonly DdlChange[], ir: IR, initial: boolean, cql: FileMap): string[] {
  const ks = cqlIdent(ir.project.cassandra.keyspace);
  const out = initial ? [statementOf(cql, 'cql/000_keyspace.cql')] : [];
  for (const c of changes) {
    if (c.kind === 'feature-added') out.push(statementOf(cql, featurePath('cql', c.feature, 'cql')));
    else if (c.kind === 'retention-changed') {
      out.push(`ALTER TABLE ${ks}.${cqlIdent(c.feature.tableName)} WITH default_time_to_live = ${ttlSeconds(c.feature)};`);
    } else if (c.kind === 'feature-removed') {
      out.push(`-- ${c.fullName} is no longer defined. Its table is kept: nothing is dropped automatically.\n-- Once no reader needs it: DROP TABLE ${ks}.${cqlIdent(c.tableName)};`);
    }
    // field-added: values are Avro blobs, so the online table needs no DDL.
  }
  return out;
}

export function bigQueryStatements(changes: readonly DdlChange[], ir: IR, initial: boolean, bq: FileMap): string[] {
  const { project, dataset } = ir.project.bigquery;
  const table = (name: string) => bqPath(project, dataset, name);
  const out = initial ? [statementOf(bq, 'bigquery/000_dataset.sql')] : [];
  for (const c of changes) {
    if (c.kind === 'feature-added') out.push(statementOf(bq, featurePath('bigquery', c.feature, 'sql')));
    else if (c.kind === 'field-added') {
      // Always NULLABLE: BigQuery cannot add a REQUIRED column, and existing rows have no value.
      const description = c.field.description ? ` OPTIONS(description=${bqString(c.field.description)})` : '';
      out.push(`ALTER TABLE ${table(c.feature.tableName)}\n  ADD COLUMN IF NOT EXISTS ${bqIdent(c.field.name)} ${bqType(c.field.type)}${description};`);
    } else if (c.kind === 'column-type-changed') {
      out.push(`ALTER TABLE ${table(c.feature.tableName)}\n  ALTER COLUMN ${bqIdent(c.field.name)} SET DATA TYPE ${bqType(c.field.type)};`);
    } else if (c.kind === 'retention-changed') {
      const days = partitionExpirationDays(c.feature);
      out.push(`ALTER TABLE ${table(c.feature.tableName)}\n  SET OPTIONS(partition_expiration_days=${days === null ? 'NULL' : days});`);
    } else {
      out.push(`-- ${c.fullName} is no longer defined. Its table is kept: nothing is dropped automatically.\n-- Once no reader needs it: DROP TABLE ${table(c.tableName)};`);
    }
  }
  return out;
}
