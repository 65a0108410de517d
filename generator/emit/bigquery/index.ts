/** BigQuery emitter: the offline store's dataset and one partitioned, clustered table per feature. */
import { BIGQUERY_COLUMN_TYPES } from '../../../core/field-types.ts';
import type { FieldType, ScalarType } from '../../../core/field-types.ts';
import type { FeatureIR, IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { preamble } from '../../write/preamble.ts';
import { render } from '../render.ts';

export const BQ_UPDATED_AT = 'fs_updated_at';
/** BigQuery allows at most four clustering columns. */
export const BQ_MAX_CLUSTER_COLUMNS = 4;
/** BigQuery's limits: 1,024 characters for a column description, 16,384 for a table's. */
const MAX_COLUMN_DESCRIPTION = 1024;
const MAX_TABLE_DESCRIPTION = 16384;
const MAX_LABEL = 63;
const DAY_MS = 86_400_000;

const SCALAR = BIGQUERY_COLUMN_TYPES;

export function bqType(type: FieldType): string {
  return type.kind === 'scalar' ? SCALAR[type.scalar] : `ARRAY<${SCALAR[type.element]}>`;
}

/**
 * A label key or value: lowercase letters, digits, `_` and `-`, at most 63 characters. Anything else
 * becomes `_` (ASCII only: international letters are allowed but fold unpredictably).
 */
export function bqLabel(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, MAX_LABEL);
}

/** Cuts at a code point, never inside a surrogate pair, so the literal stays valid UTF-8. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length >= code points: the common case is free
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 3).join('')}...`;
}

export function partitionExpirationDays(feature: FeatureIR): number | null {
  return feature.retentionMs === null ? null : Math.max(1, Math.ceil(feature.retentionMs / DAY_MS));
}

function tableView(ir: IR, feature: FeatureIR) {
  const eventTime = feature.featureType === 'History' ? feature.eventTimeField : null;
  const columns = feature.fields.map((f) => {
    if (f.name.toLowerCase() === BQ_UPDATED_AT) {
      // BigQuery column names are case-insensitive, so `FS_UPDATED_AT` collides too.
      throw new Error(`internal: ${feature.fullName}: field ${f.name} collides with ${BQ_UPDATED_AT}`);
    }
    const notNull = f.isKey || f.name === eventTime;
    if (notNull && f.type.kind === 'list') {
      throw new Error(`internal: ${feature.fullName}: key or event-time field ${f.name} cannot be a list`);
    }
    return { name: f.name, type: bqType(f.type), notNull, description: truncate(f.description, MAX_COLUMN_DESCRIPTION) };
  });
  const keys = feature.keyFields;
  return {
    preamble: preamble('dash', [feature.location.file]),
    fullName: feature.fullName,
    featureType: feature.featureType,
    owner: feature.owner,
    eventTime,
    project: ir.project.bigquery.project,
    dataset: ir.project.bigquery.dataset,
    table: feature.tableName,
    columns,
    partitionColumn: eventTime ?? BQ_UPDATED_AT,
    clusterBy: keys.slice(0, BQ_MAX_CLUSTER_COLUMNS),
    clusterDropped: keys.length > BQ_MAX_CLUSTER_COLUMNS ? keys.slice(BQ_MAX_CLUSTER_COLUMNS) : null,
    partitionExpirationDays: partitionExpirationDays(feature),
    description: truncate(feature.description, MAX_TABLE_DESCRIPTION),
    labels: [
      { key: 'owner', value: bqLabel(feature.owner) },
      { key: 'feature', value: bqLabel(feature.tableName) },
    ],
  };
}

/** `bigquery/000_dataset.sql` and `bigquery/<namespace>/<name>-v<N>.sql`. */
// The migrations emitter reuses these statements, so one run renders them once.
const rendered = new WeakMap<IR, FileMap>();

export function emitBigQuery(ir: IR): FileMap {
  let files = rendered.get(ir);
  if (!files) {
    files = renderBigQuery(ir);
    rendered.set(ir, files);
  }
  return files;
}

function renderBigQuery(ir: IR): FileMap {
  const { project, dataset, location } = ir.project.bigquery;
  const files = new Map<string, string>();
  files.set(
    'bigquery/000_dataset.sql',
    render('bigquery', 'dataset', {
      preamble: preamble('dash', []),
      project,
      dataset,
      location,
      description: 'Offline store of the feature store: one table per feature version.',
    }),
  );
  for (const feature of ir.features) {
    const path = `bigquery/${feature.namespace}/${feature.name}-v${feature.version}.sql`;
    files.set(path, render('bigquery', 'table', tableView(ir, feature)));
  }
  return files;
}
