/**
 * ACL emitter: who may read and write which feature, as data (acl.json, read by the Read API and
 * the runtime) and as grants for the online store (CQL) and the offline store (BigQuery IAM).
 */
import type { ConsumerIR, FeatureIR, IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { JSON_NOTICE, preamble } from '../../write/preamble.ts';
import { render } from '../render.ts';

type Access = 'read' | 'write';
const ACCESS: readonly Access[] = ['read', 'write'];
const BQ_ROLE: Record<Access, string> = { read: 'roles/bigquery.dataViewer', write: 'roles/bigquery.dataEditor' };
const CQL_PERMISSION: Record<Access, string> = { read: 'SELECT', write: 'MODIFY' };

/** Code-unit order, not locale order: the output must not depend on the machine's locale. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(byCodeUnit);
}

function consumerIndex(ir: IR): Map<string, ConsumerIR> {
  const index = new Map(ir.project.consumers.map((c) => [c.name, c] as const));
  for (const feature of ir.features) {
    for (const name of [...feature.access.read, ...feature.access.write]) {
      if (!index.has(name)) throw new Error(`internal: ${feature.fullName}: access names unknown consumer ${name}`);
    }
  }
  return index;
}

function sortedFeatures(ir: IR): FeatureIR[] {
  return [...ir.features].sort((a, b) => byCodeUnit(a.fullName, b.fullName));
}

/** Full names of the features a consumer may read (or write), sorted. */
function featuresOf(features: readonly FeatureIR[], consumer: string, access: Access): string[] {
  return features.filter((f) => f.access[access].includes(consumer)).map((f) => f.fullName);
}

/**
 * Consumer names start with a letter and feature names contain `::`, so no key is integer-like and
 * plain objects keep insertion order: JSON.stringify is deterministic here.
 */
function aclJson(consumers: readonly ConsumerIR[], features: readonly FeatureIR[]): string {
  const accessOf = (pick: (a: Access) => string[]) => Object.fromEntries(ACCESS.map((a) => [a, pick(a)]));
  const tree = {
    $comment: JSON_NOTICE,
    sources: sortedUnique(features.map((f) => f.location.file)),
    consumers: Object.fromEntries(consumers.map((c) => [c.name, accessOf((a) => featuresOf(features, c.name, a))])),
    features: Object.fromEntries(features.map((f) => [f.fullName, accessOf((a) => sortedUnique(f.access[a]))])),
  };
  return `${JSON.stringify(tree, null, 2)}\n`;
}

function cassandraGrants(ir: IR, consumers: readonly ConsumerIR[], features: readonly FeatureIR[], sources: string[]): string {
  const keyspace = ir.project.cassandra.keyspace;
  return render('acl', 'cassandra-grants', {
    preamble: preamble('dash', sources),
    consumers: consumers.map((c) => ({
      name: c.name,
      description: c.description,
      role: c.cassandraRole,
      grants: ACCESS.flatMap((access) =>
        features
          .filter((f) => f.access[access].includes(c.name))
          .map((f) => ({ permission: CQL_PERMISSION[access], keyspace, table: f.tableName, role: c.cassandraRole })),
      ),
    })),
  });
}

function bigqueryGrants(ir: IR, index: Map<string, ConsumerIR>, features: readonly FeatureIR[], sources: string[]): string {
  const { project, dataset } = ir.project.bigquery;
  return render('acl', 'bigquery-grants', {
    preamble: preamble('dash', sources),
    tables: features.map((f) => ({
      fullName: f.fullName,
      lines: ACCESS.flatMap((access) =>
        sortedUnique(f.access[access]).map((consumer) => ({
          consumer,
          access,
          member: index.get(consumer)?.bigqueryMember ?? null,
          role: BQ_ROLE[access],
          project,
          dataset,
          table: f.tableName,
        })),
      ),
    })),
  });
}

/** `acl/acl.json`, `acl/cassandra-grants.cql`, `acl/bigquery-grants.sql`. */
export function emitAcl(ir: IR): FileMap {
  const index = consumerIndex(ir);
  const consumers = [...ir.project.consumers].sort((a, b) => byCodeUnit(a.name, b.name));
  const features = sortedFeatures(ir);
  const sources = sortedUnique(features.map((f) => f.location.file));
  return new Map([
    ['acl/acl.json', aclJson(consumers, features)],
    ['acl/bigquery-grants.sql', bigqueryGrants(ir, index, features, sources)],
    ['acl/cassandra-grants.cql', cassandraGrants(ir, consumers, features, sources)],
  ]);
}
