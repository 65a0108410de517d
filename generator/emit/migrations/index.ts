/**
 * Migration files: `migrations/{cql,bigquery}/NNNN_<slug>.{cql,sql}`. Files from earlier runs are
 * carried over unchanged (they may already be applied somewhere); a new pair is added when the YAML
 * changed DDL-relevant things since the last codegen. `featurestore migrate` applies them in order, once.
 */
import type { IR } from '../../ir/types.ts';
import { MIGRATIONS_DIR, type PreviousState } from '../../plan/previous-state.ts';
import type { FileMap } from '../../write/file-map.ts';
import { preamble } from '../../write/preamble.ts';
import { emitBigQuery } from '../bigquery/index.ts';
import { emitCql } from '../cql/index.ts';
import { ddlChanges, describeChange, type DdlChange } from './ddl-changes.ts';
import { bigQueryStatements, cqlStatements } from './statements.ts';

export const MIGRATION_FILE = /^migrations\/(cql|bigquery)\/(\d{4})_[a-z0-9_]+\.(cql|sql)$/;

export function emitMigrations(ir: IR, previous: PreviousState): FileMap {
  const files = new Map(previous.migrations);
  // No migration yet: the baseline is an empty cluster, whatever an older manifest says.
  const baseline = files.size === 0 ? undefined : previous.manifest;
  const changes = ddlChanges(baseline, ir);
  if (changes.length === 0) return files;

  const number = nextNumber([...files.keys()]);
  const slug = baseline ? slugOf(changes) : 'initial';
  const sources = [...new Set(ir.features.map((f) => f.location.file))];
  const header = (style: 'dash') =>
    preamble(style, sources) +
    `-- Migration ${number}: ${baseline ? 'changes since the previous codegen' : 'the initial schema'}.\n` +
    changes.map((c) => `--   ${describeChange(c)}\n`).join('') +
    '-- Applied once, in order, by `featurestore migrate`; never edit it after it was applied anywhere.\n';

  const cql = cqlStatements(changes, ir, baseline === undefined, emitCql(ir));
  const bq = bigQueryStatements(changes, ir, baseline === undefined, emitBigQuery(ir));
  if (cql.length > 0) files.set(`${MIGRATIONS_DIR}/cql/${number}_${slug}.cql`, header('dash') + '\n' + cql.join('\n\n') + '\n');
  if (bq.length > 0) files.set(`${MIGRATIONS_DIR}/bigquery/${number}_${slug}.sql`, header('dash') + '\n' + bq.join('\n\n') + '\n');
  return files;
}

function nextNumber(paths: readonly string[]): string {
  const used = paths.map((p) => Number(MIGRATION_FILE.exec(p)?.[2] ?? 0));
  return String(Math.max(0, ...used) + 1).padStart(4, '0');
}

/** A readable, bounded file-name slug from the first change. */
function slugOf(changes: readonly DdlChange[]): string {
  const first = changes[0]!;
  const base =
    first.kind === 'feature-added' ? `add_${first.feature.tableName}`
    : first.kind === 'feature-removed' ? `remove_${first.tableName}`
    : first.kind === 'field-added' ? `add_${first.field.name.toLowerCase()}_to_${first.feature.tableName}`
    : first.kind === 'column-type-changed' ? `widen_${first.field.name.toLowerCase()}_in_${first.feature.tableName}`
    : `retention_${first.feature.tableName}`;
  const slug = base.replace(/[^a-z0-9_]/g, '_').slice(0, 60);
  return changes.length > 1 ? `${slug}_and_more` : slug;
}
