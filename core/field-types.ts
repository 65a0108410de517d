/**
 * The field types of the YAML, the IR, the manifest and every runtime table keyed by type. A table
 * written `Record<ScalarType, …>` fails to compile when a type is added here, which is the point:
 * a new type must be taught to every emitter, store and codec at once.
 */

export const SCALAR_TYPES = ['Text', 'Long', 'Int', 'Double', 'Float', 'Boolean', 'Timestamp', 'Bytes'] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

/**
 * The scalar types a key field may have (codegen refuses the others): each becomes a typed key column
 * of the online stores and a part of the cache key, so every store and the cache handle exactly these.
 */
export const KEY_COLUMN_TYPES = ['Text', 'Long', 'Int', 'Boolean', 'Timestamp'] as const satisfies readonly ScalarType[];
export type KeyColumnType = (typeof KEY_COLUMN_TYPES)[number];

/** A field type: a scalar, or a list of one scalar (`List<T>`). */
export type FieldType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'list'; readonly element: ScalarType };

/** The type as YAML writes it and the runtime's field descriptors carry it: `Long`, `List<Text>`. */
export type FieldTypeLabel = ScalarType | `List<${ScalarType}>`;

const SCALARS: ReadonlySet<string> = new Set(SCALAR_TYPES);
const KEY_TYPES: ReadonlySet<string> = new Set(KEY_COLUMN_TYPES);

export function isScalarType(name: string): name is ScalarType {
  return SCALARS.has(name);
}

export function isKeyColumnType(name: string): name is KeyColumnType {
  return KEY_TYPES.has(name);
}

export function typeLabel(type: FieldType): FieldTypeLabel {
  return type.kind === 'scalar' ? type.scalar : `List<${type.element}>`;
}

/** The inverse of typeLabel; undefined for anything else (an unknown scalar, `List<List<T>>`, spaces). */
export function parseTypeLabel(label: FieldTypeLabel): FieldType;
export function parseTypeLabel(label: string): FieldType | undefined;
export function parseTypeLabel(label: string): FieldType | undefined {
  if (isScalarType(label)) return { kind: 'scalar', scalar: label };
  const element = /^List<(\w+)>$/.exec(label)?.[1];
  return element !== undefined && isScalarType(element) ? { kind: 'list', element } : undefined;
}

/** The scalar a field holds: itself, or a list's element type. */
export function scalarOf(type: FieldType): ScalarType {
  return type.kind === 'scalar' ? type.scalar : type.element;
}

/** The BigQuery (GoogleSQL) column type of each scalar: the offline table's DDL and the offline store's SQL share it. */
export const BIGQUERY_COLUMN_TYPES: Readonly<Record<ScalarType, string>> = {
  Text: 'STRING',
  Long: 'INT64',
  Int: 'INT64',
  Double: 'FLOAT64',
  Float: 'FLOAT64',
  Boolean: 'BOOL',
  Timestamp: 'TIMESTAMP',
  Bytes: 'BYTES',
};
