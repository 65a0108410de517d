/** CQL emitter: the online store's keyspace and one table per feature (Cassandra 4/5, ScyllaDB). */
import { isKeyColumnType, typeLabel, type KeyColumnType } from '../../../core/field-types.ts';
import type { FeatureIR, FieldIR, IR } from '../../ir/types.ts';
import { keyFieldsOf } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { preamble } from '../../write/preamble.ts';
import { render } from '../render.ts';

/** Columns every table has after the key; a field with one of these names would collide. */
export const CQL_SYSTEM_COLUMNS = ['fs_value', 'fs_schema_id', 'fs_updated_at'] as const;

const KEY_TYPE: Record<KeyColumnType, string> = {
  Text: 'text',
  Long: 'bigint',
  Int: 'int',
  Boolean: 'boolean',
  Timestamp: 'timestamp',
};

/** Cassandra rejects a TTL above 20 years (630,720,000 s). */
const MAX_TTL_SECONDS = 20 * 365 * 24 * 3600;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function keyColumnType(feature: FeatureIR, field: FieldIR): string {
  const type = field.type.kind === 'scalar' && isKeyColumnType(field.type.scalar) ? KEY_TYPE[field.type.scalar] : undefined;
  if (!type) throw new Error(`internal: ${feature.fullName}: key field ${field.name} has a type no CQL key can have`);
  return type;
}

export function ttlSeconds(feature: FeatureIR): number {
  if (feature.retentionMs === null) return 0;
  const seconds = Math.ceil(feature.retentionMs / 1000);
  if (seconds > MAX_TTL_SECONDS) {
    throw new Error(`internal: ${feature.fullName}: retention ${seconds}s exceeds Cassandra's 20-year TTL limit`);
  }
  return seconds;
}

/** TWCS window for ~30 windows over the retention: fewer means large SSTables, more means many reads. */
export function twcsWindow(retentionMs: number): { unit: 'DAYS' | 'HOURS'; size: number } {
  if (retentionMs >= 30 * DAY_MS) return { unit: 'DAYS', size: Math.ceil(Math.ceil(retentionMs / DAY_MS) / 30) };
  return { unit: 'HOURS', size: Math.max(1, Math.ceil(Math.ceil(retentionMs / HOUR_MS) / 30)) };
}

function tableView(ir: IR, feature: FeatureIR) {
  for (const field of feature.fields) {
    if ((CQL_SYSTEM_COLUMNS as readonly string[]).includes(field.name)) {
      throw new Error(`internal: ${feature.fullName}: field ${field.name} collides with a system column`);
    }
  }
  const eventTime = feature.featureType === 'History' ? feature.eventTimeField : null;
  const eventField = feature.fields.find((f) => f.name === eventTime);
  if (eventTime !== null && (!eventField || eventField.isKey || typeLabel(eventField.type) !== 'Timestamp')) {
    throw new Error(`internal: ${feature.fullName}: event-time field ${eventTime} must be a non-key Timestamp field`);
  }
  // Time windows only pay off when everything expires: History with a retention.
  const window = eventTime !== null && feature.retentionMs !== null ? twcsWindow(feature.retentionMs) : null;
  const compaction = window
    ? [
        { key: 'class', value: 'TimeWindowCompactionStrategy' },
        { key: 'compaction_window_unit', value: window.unit },
        { key: 'compaction_window_size', value: String(window.size) },
      ]
    : [{ key: 'class', value: 'LeveledCompactionStrategy' }];
  return {
    preamble: preamble('dash', [feature.location.file]),
    fullName: feature.fullName,
    featureType: feature.featureType,
    owner: feature.owner,
    description: feature.description,
    keyspace: ir.project.cassandra.keyspace,
    table: feature.tableName,
    keyColumns: keyFieldsOf(feature).map((f) => ({ name: f.name, type: keyColumnType(feature, f) })),
    eventTime,
    maxEvents: eventTime !== null ? feature.maxEvents : null,
    ttlSeconds: ttlSeconds(feature),
    twcs: window ? { size: window.size, unitLabel: window.unit === 'DAYS' ? 'day' : 'hour' } : null,
    compaction,
  };
}

/** `cql/000_keyspace.cql` (sorts first, so applying the folder in order works) and `cql/<ns>/<name>-v<N>.cql`. */
// The migrations emitter reuses these statements, so one run renders them once.
const rendered = new WeakMap<IR, FileMap>();

export function emitCql(ir: IR): FileMap {
  let files = rendered.get(ir);
  if (!files) {
    files = renderCql(ir);
    rendered.set(ir, files);
  }
  return files;
}

function renderCql(ir: IR): FileMap {
  const files = new Map<string, string>();
  files.set(
    'cql/000_keyspace.cql',
    render('cql', 'keyspace', {
      preamble: preamble('dash', []),
      keyspace: ir.project.cassandra.keyspace,
      replicationFactor: ir.project.cassandra.replicationFactor,
    }),
  );
  for (const feature of ir.features) {
    files.set(`cql/${feature.namespace}/${feature.name}-v${feature.version}.cql`, render('cql', 'table', tableView(ir, feature)));
  }
  return files;
}
