/** Rules about the shape of a feature version's tables: keys, feature type and event time. */
import { typeLabel } from '../../../core/field-types.ts';
import type { FieldIR } from '../../ir/types.ts';
import { sameType } from './promotions.ts';
import type { EvolutionRule, Violation } from './rule.ts';

const NOT_FOUND = 'rows stored under the old key could not be found';
const KEY_CONSEQUENCE = `the key fields are the primary key of the online and offline tables, so ${NOT_FOUND}`;

export const KEY_FIELDS_CHANGED: EvolutionRule = {
  id: 'KEY_FIELDS_CHANGED',
  purpose: 'The key fields (names, types or order) changed: they are the primary key of the online and offline tables, so stored rows could not be found.',
  severity: 'error',
  check: (before, after) => {
    const out: Violation[] = [];
    const fieldOf = (name: string): FieldIR | undefined => after.fields.find((f) => f.name === name);
    const was = new Set(before.keyFields);
    const is = new Set(after.keyFields);
    for (const name of before.keyFields.filter((k) => !is.has(k))) {
      const now = fieldOf(name);
      out.push({
        location: now?.location ?? after.location,
        field: name,
        message: `${now ? `"${name}" is no longer a key field` : `key field "${name}" was removed`}: ${KEY_CONSEQUENCE}`,
      });
    }
    for (const name of after.keyFields.filter((k) => !was.has(k))) {
      const existed = before.fields.some((f) => f.name === name);
      out.push({
        location: fieldOf(name)?.location ?? after.location,
        field: name,
        message: `${existed ? `"${name}" became a key field` : `key field "${name}" was added`}: ${KEY_CONSEQUENCE}`,
      });
    }
    for (const field of after.fields.filter((f) => f.isKey && was.has(f.name))) {
      const old = before.fields.find((f) => f.name === field.name);
      // Even a widening (Int → Long) changes the CQL column type and the partition token.
      if (old && !sameType(old.type, field.type)) {
        out.push({
          location: field.location,
          field: field.name,
          message: `key field "${field.name}" changed type ${typeLabel(old.type)} → ${typeLabel(field.type)}: ${KEY_CONSEQUENCE}`,
        });
      }
    }
    const sameSet = out.length === 0 && before.keyFields.length === after.keyFields.length;
    if (sameSet && before.keyFields.some((k, i) => after.keyFields[i] !== k)) {
      const first = fieldOf(after.keyFields.find((k, i) => before.keyFields[i] !== k) ?? '');
      out.push({
        location: first?.location ?? after.location,
        ...(first ? { field: first.name } : {}),
        message: `key order changed (${before.keyFields.join(', ')}) → (${after.keyFields.join(', ')}): the partition key is a different column tuple, so ${NOT_FOUND}`,
      });
    }
    return out;
  },
};

export const FEATURE_TYPE_CHANGED: EvolutionRule = {
  id: 'FEATURE_TYPE_CHANGED',
  purpose: 'feature_type changed between Object and History: the tables have a different primary key (History clusters by event time) and the client a different API.',
  severity: 'error',
  check: (before, after) =>
    before.featureType === after.featureType
      ? []
      : [
          {
            location: after.location,
            message: `feature_type changed ${before.featureType} → ${after.featureType}: the tables have a different primary key and readers a different API`,
          },
        ],
};

export const EVENT_TIME_FIELD_CHANGED: EvolutionRule = {
  id: 'EVENT_TIME_FIELD_CHANGED',
  purpose: "A History feature's event-time field changed: it is the clustering column online and the partitioning column offline.",
  severity: 'error',
  check: (before, after) => {
    // An Object ↔ History change is FEATURE_TYPE_CHANGED; reporting its event time too would be noise.
    if (before.featureType !== 'History' || after.featureType !== 'History') return [];
    if (before.eventTimeField === after.eventTimeField) return [];
    const now = after.fields.find((f) => f.name === after.eventTimeField);
    return [
      {
        location: now?.location ?? after.location,
        ...(after.eventTimeField ? { field: after.eventTimeField } : {}),
        message: `the event-time field changed "${before.eventTimeField}" → "${after.eventTimeField}": it orders every stored event online and partitions the offline table`,
      },
    ];
  },
};

export const FEATURE_RULES: readonly EvolutionRule[] = [KEY_FIELDS_CHANGED, FEATURE_TYPE_CHANGED, EVENT_TIME_FIELD_CHANGED];
