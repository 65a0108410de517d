/**
 * Names derived from a feature's name, shared by the generator (which writes them into every artifact)
 * and anyone who must find those artifacts again. What a valid YAML name is stays with the YAML spec
 * (generator/spec/names.ts): these functions assume names that passed it.
 */

/** Cassandra refuses table names longer than this (BigQuery allows more; the shorter limit wins). */
export const MAX_TABLE_NAME_LENGTH = 48;

/**
 * Table name in CQL and BigQuery: `<namespace>__<name>_v<N>`, dashes as underscores. Injective because
 * YAML names cannot contain `_` or `--`, so `__` only ever separates namespace and name.
 */
export function tableNameOf(namespace: string, name: string, version: number): string {
  return `${namespace.replaceAll('-', '_')}__${name.replaceAll('-', '_')}_v${version}`;
}

/** Avro full name of a feature's value record: `featurestore.<namespace>.<Name>V<N>`. */
export function avroNameOf(namespace: string, name: string, version: number): string {
  return `featurestore.${namespace.replaceAll('-', '_')}.${pascalCase(`${name}-v${version}`)}`;
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
