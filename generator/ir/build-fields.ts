/** Fields of one feature: names, types, keys, event time and defaults, checked and normalised. */
import { closest } from '../diagnostics.ts';
import type { FeatureSpec, FieldSpec } from '../spec/feature-spec.ts';
import { isKeyColumnType, KEY_COLUMN_TYPES, parseTypeLabel, type FieldType } from '../../core/field-types.ts';
import { camelCase } from '../../core/naming.ts';
import { FIELD_NAME_PATTERN, MAX_FIELD_NAME_LENGTH, RESERVED_FIELD_PREFIX } from '../spec/names.ts';
import { checkDefault } from './defaults.ts';
import type { FeatureReporter } from './reporter.ts';
import type { FieldIR } from './types.ts';

export function parseFieldType(text: FieldSpec['type']): FieldType {
  const type = parseTypeLabel(text);
  // The spec's enum holds exactly the labels parseTypeLabel reads.
  if (!type) throw new Error(`internal: field type ${text} passed the spec but is not a type label`);
  return type;
}

export function buildFields(spec: FeatureSpec, r: FeatureReporter, partial = false): FieldIR[] {
  const fields: FieldIR[] = [];
  const byLower = new Map<string, string>();
  const byTs = new Map<string, string>();
  for (const [name, f] of Object.entries(spec.schema)) {
    const path = ['schema', name];
    checkName(name, path, r);
    const lower = name.toLowerCase();
    const sameLower = byLower.get(lower);
    if (sameLower !== undefined) {
      r.error(path, `field "${name}" collides with "${sameLower}" (line ${r.line(['schema', sameLower]).line}): BigQuery and CQL column names are case-insensitive`, 'rename one of them', 'key');
    }
    byLower.set(lower, name);
    const tsName = camelCase(name);
    const sameTs = byTs.get(tsName);
    if (sameTs !== undefined && sameLower === undefined) {
      r.error(path, `field "${name}" and "${sameTs}" both become the TypeScript property "${tsName}"`, 'rename one of them', 'key');
    }
    byTs.set(tsName, name);

    const type = parseFieldType(f.type);
    const isKey = f.is_key_field === true;
    const isEventTime = f.is_event_time === true;
    const nullable = f.nullable === true;
    if (isKey) checkKey(name, f, type, r);
    if (isEventTime) checkEventTime(spec, f, type, r, path, partial);
    const hasDefault = Object.hasOwn(f, 'default_value') && f.default_value !== undefined;
    let defaultValue: FieldIR['defaultValue'];
    if (hasDefault && !isKey) {
      const sourceOf = (i?: number) => r.scalarSource(i === undefined ? [...path, 'default_value'] : [...path, 'default_value', i]);
      const checked = checkDefault(type, f.default_value, sourceOf);
      if (!checked.ok) r.error([...path, 'default_value'], checked.message, checked.hint);
      else if (checked.value === null && !nullable) r.error([...path, 'default_value'], 'default_value is null but the field is not nullable', 'add nullable: true or give a value');
      else if (checked.value !== null && nullable) r.error([...path, 'default_value'], 'a nullable field defaults to null', 'remove default_value, or remove nullable: true');
      else defaultValue = checked.value;
    }
    fields.push({
      name,
      tsName,
      type,
      description: f.description ?? '',
      isKey,
      isEventTime,
      nullable,
      ...(defaultValue !== undefined ? { defaultValue } : nullable ? { defaultValue: null } : {}),
      location: { file: r.source.file, ...r.line(path) },
    });
  }
  return fields;
}

function checkName(name: string, path: string[], r: FeatureReporter): void {
  if (!FIELD_NAME_PATTERN.test(name)) {
    r.error(path, `field name "${name}" is not a valid identifier`, 'use letters, digits and underscores, starting with a letter, e.g. user_id', 'key');
  } else if (name.toLowerCase().startsWith(RESERVED_FIELD_PREFIX)) {
    r.error(path, `field name "${name}" starts with "${RESERVED_FIELD_PREFIX}", which is reserved for the columns the feature store adds`, 'choose another name', 'key');
  } else if (name.length > MAX_FIELD_NAME_LENGTH) {
    r.error(path, `field name "${name}" is longer than ${MAX_FIELD_NAME_LENGTH} characters`, undefined, 'key');
  }
}

function checkKey(name: string, f: FieldSpec, type: FieldType, r: FeatureReporter): void {
  const path = ['schema', name];
  if (type.kind === 'list' || !isKeyColumnType(type.scalar)) {
    r.error([...path, 'type'], `key field "${name}" cannot be of type ${f.type}`, `key types: ${KEY_COLUMN_TYPES.join(', ')}`);
  }
  if (f.nullable === true) r.error([...path, 'nullable'], `key field "${name}" cannot be nullable`, 'remove nullable: true; every row needs its key');
  if (Object.hasOwn(f, 'default_value')) r.error([...path, 'default_value'], `key field "${name}" cannot have a default_value`, 'remove default_value; a key is always given');
  if (f.is_event_time === true) r.error([...path, 'is_event_time'], `key field "${name}" cannot also be the event time`, 'the event time orders events within a key');
}

function checkEventTime(spec: FeatureSpec, f: FieldSpec, type: FieldType, r: FeatureReporter, path: string[], partial: boolean): void {
  if (spec.feature_type !== 'History' && !partial) {
    r.error([...path, 'is_event_time'], 'is_event_time is only for History features', 'remove it, or set feature_type: History');
  }
  if (type.kind !== 'scalar' || type.scalar !== 'Timestamp') {
    r.error([...path, 'type'], `the event-time field must be of type Timestamp, not ${f.type}`, 'type: Timestamp');
  }
  if (f.nullable === true) r.error([...path, 'nullable'], 'the event-time field cannot be nullable', 'every event has a time');
}

/** The key-field hint for features with none: the most key-like field name, if any. */
export function suggestKey(spec: FeatureSpec): string | undefined {
  return closest('user_id', Object.keys(spec.schema)) ?? closest('id', Object.keys(spec.schema));
}
