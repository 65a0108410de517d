/** Naming rules shared by the spec, the IR builder and the emitters. Identifiers are validated here, once, at codegen. */

/** `<namespace>::<name>-v<N>`; namespace and name: lowercase letters, digits, single dashes, starting with a letter. */
export const FEATURE_NAME_PATTERN = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)::([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-v([1-9][0-9]{0,5})$/;

/** Field names become CQL/BigQuery columns, Avro fields and (camelCased) TypeScript properties. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Columns the tool adds itself start with this prefix, so user fields may not. */
export const RESERVED_FIELD_PREFIX = 'fs_';

export const CONSUMER_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/** Cassandra refuses table names longer than this. */
export const MAX_TABLE_NAME_LENGTH = 48;

/** BigQuery's field-name limit. */
export const MAX_FIELD_NAME_LENGTH = 300;

export function tableNameOf(namespace: string, name: string, version: number): string {
  return `${namespace.replaceAll('-', '_')}__${name.replaceAll('-', '_')}_v${version}`;
}

/** `user_id` → `userId`, `hakuna-host-stat` → `hakunaHostStat`; leading underscores are kept. */
export function camelCase(name: string): string {
  const lead = /^_*/.exec(name)?.[0] ?? '';
  const parts = name.slice(lead.length).split(/[-_]+/).filter(Boolean);
  return lead + parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('');
}

export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}
