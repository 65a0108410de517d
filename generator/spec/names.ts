/**
 * What the YAML may name things: the patterns and limits checked once, at codegen. The names derived
 * from a valid name (table, TypeScript and Avro names) are in core/naming.ts, where the runtime finds them too.
 */

/** `<namespace>::<name>-v<N>`; namespace and name: lowercase letters, digits, single dashes, starting with a letter. */
export const FEATURE_NAME_PATTERN = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)::([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-v([1-9][0-9]{0,5})$/;

/** Field names become CQL/BigQuery columns, Avro fields and (camelCased) TypeScript properties. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Columns the tool adds itself start with this prefix, so user fields may not. */
export const RESERVED_FIELD_PREFIX = 'fs_';

export const CONSUMER_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/** BigQuery's field-name limit. */
export const MAX_FIELD_NAME_LENGTH = 300;
