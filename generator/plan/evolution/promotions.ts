/**
 * Type changes a field may make within a version: the widenings Avro schema resolution performs
 * (int → long → float → double). Bytes ↔ Text and Long ↔ Timestamp also resolve in Avro but are left out
 * on purpose: BigQuery cannot convert those columns, and the TypeScript type changes kind.
 */
import type { FieldType, ScalarType } from '../../../core/field-types.ts';

export const SCALAR_PROMOTIONS: Readonly<Record<ScalarType, readonly ScalarType[]>> = {
  Int: ['Long', 'Float', 'Double'],
  Long: ['Float', 'Double'],
  Float: ['Double'],
  Double: [],
  Text: [],
  Boolean: [],
  Timestamp: [],
  Bytes: [],
};

/**
 * Inside lists only the widenings that keep the BigQuery column type (INT64 or FLOAT64): BigQuery can
 * change INT64 to FLOAT64 in place, but not ARRAY<INT64> to ARRAY<FLOAT64>, so sampled rows of the new
 * type could no longer be written offline.
 */
export const LIST_PROMOTIONS: Readonly<Record<ScalarType, readonly ScalarType[]>> = {
  ...SCALAR_PROMOTIONS,
  Int: ['Long'],
  Long: [],
};

export function sameType(a: FieldType, b: FieldType): boolean {
  return a.kind === b.kind && scalarOf(a) === scalarOf(b);
}

/** True when values of `from` decode as `to` (same type, or an allowed widening). */
export function isAllowedTypeChange(from: FieldType, to: FieldType): boolean {
  if (from.kind !== to.kind) return false;
  const a = scalarOf(from);
  const b = scalarOf(to);
  return a === b || (from.kind === 'list' ? LIST_PROMOTIONS : SCALAR_PROMOTIONS)[a].includes(b);
}

function scalarOf(type: FieldType): ScalarType {
  return type.kind === 'scalar' ? type.scalar : type.element;
}
