/**
 * The runtime's view of the generated artifacts: every feature's online table, fields, Avro reader
 * schema and writer-schema history, and who may read or write it. Built once at startup from
 * generated/manifest.json and generated/acl/acl.json; everything after that is map lookups.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isKeyColumnType, typeLabel, type KeyColumnType } from '../../core/field-types.ts';
import type { ManifestConsumer, ManifestFeature, ManifestField } from '../../core/manifest/manifest-schema.ts';
import { ManifestError, parseManifest } from '../../core/manifest/parse-manifest.ts';
import { parseAvroSchemaText } from '../../core/serde/avro-schema-text.ts';
import { WriterSchemaRegistry } from '../../core/serde/writer-schema-registry.ts';
import type { OnlineTable } from '../online/online-store.ts';
import type { RuntimeFeatureInfo, RuntimeFieldInfo } from '../read/online-runtime.ts';
import { aclSchema, type AclJson } from './acl-schema.ts';

export const CATALOG_ERRORS = {
  unreadable: (file: string, problem: string) => `${file}: ${problem} (run featurestore codegen, or pass the generated folder)`,
  invalid: (file: string, problems: readonly string[]) => `${file} is not a manifest this runtime can read: ${problems.join('; ')}`,
  unsupportedKeyType: (feature: string, field: string, type: string) =>
    `${feature}.${field}: key fields of type ${type} are not supported by the online stores`,
  missingField: (feature: string, field: string) => `${feature}: field "${field}" is named as key or event time but not defined`,
  missingReaderSchema: (feature: string, id: string) => `${feature}: writerSchemas lacks the current schema ${id}`,
  aclMismatch: (feature: string) => `${feature}: acl.json and manifest.json disagree on who may access it; regenerate both`,
} as const;

export interface CatalogField extends RuntimeFieldInfo {
  /** The camelCase property of the generated TypeScript types. */
  readonly tsName: string;
}

interface CatalogFeatureBase {
  readonly fullName: string;
  readonly info: RuntimeFeatureInfo;
  readonly table: OnlineTable;
  readonly keyFields: readonly CatalogField[];
  readonly valueFields: readonly CatalogField[];
  readonly maxEvents: number | null;
  readonly cacheTtlMs: number | null;
  readonly serde: WriterSchemaRegistry;
}

/** A feature as the runtime serves it: discriminated like the manifest's, so a History one has its event time. */
export type CatalogFeature =
  | (CatalogFeatureBase & { readonly featureType: 'Object'; readonly eventTimeField: null })
  | (CatalogFeatureBase & {
      readonly featureType: 'History';
      /** The value field holding the event time (the clustering column). */
      readonly eventTimeField: string;
    });

export interface FeatureCatalog {
  /** The manifest's Cassandra keyspace (the default for the Cassandra store). */
  readonly keyspace: string;
  readonly features: ReadonlyMap<string, CatalogFeature>;
  /** Consumers the ACL manifest names. */
  readonly consumers: readonly string[];
  /**
   * Per consumer of the manifest, the environment variable holding its Read API keys (`api_keys_env`),
   * null for a consumer without one; null altogether for a manifest written before codegen recorded them.
   */
  readonly apiKeyVariables: ReadonlyMap<string, string | null> | null;
  canRead(consumer: string, feature: string): boolean;
  canWrite(consumer: string, feature: string): boolean;
}

/** Reads `<dir>/manifest.json` and `<dir>/acl/acl.json`. */
export async function loadFeatureCatalog(generatedDir: string): Promise<FeatureCatalog> {
  const manifestFile = path.join(generatedDir, 'manifest.json');
  const aclFile = path.join(generatedDir, 'acl', 'acl.json');
  // One after the other, so a missing generated folder is reported as its manifest, every time.
  const manifest = await readJson(manifestFile);
  const acl = await readJson(aclFile);
  return buildFeatureCatalog(manifest, acl, { manifestFile, aclFile });
}

export function buildFeatureCatalog(
  manifestJson: unknown,
  aclJson: unknown,
  files: { readonly manifestFile: string; readonly aclFile: string } = { manifestFile: 'manifest.json', aclFile: 'acl.json' },
): FeatureCatalog {
  const manifest = parseCurrentManifest(manifestJson, files.manifestFile);
  const acl = parseAcl(aclJson, files.aclFile);
  const features = new Map<string, CatalogFeature>();
  for (const [name, feature] of Object.entries(manifest.features)) {
    features.set(name, catalogFeature(feature));
    const granted = acl.features[name];
    if (!granted || !sameMembers(granted.read, feature.access.read) || !sameMembers(granted.write, feature.access.write)) {
      throw new Error(CATALOG_ERRORS.aclMismatch(name));
    }
  }
  const grants = accessIndex(acl);
  return {
    keyspace: manifest.project.cassandra.keyspace,
    features,
    consumers: Object.keys(acl.consumers).sort(),
    apiKeyVariables: apiKeyVariables(manifest.project.consumers),
    canRead: (consumer, feature) => grants.read.get(consumer)?.has(feature) === true,
    canWrite: (consumer, feature) => grants.write.get(consumer)?.has(feature) === true,
  };
}

function catalogFeature(f: ManifestFeature): CatalogFeature {
  const byName = new Map(f.fields.map((field) => [field.name, field]));
  const need = (name: string): ManifestField => {
    const field = byName.get(name);
    if (!field) throw new Error(CATALOG_ERRORS.missingField(f.fullName, name));
    return field;
  };
  const keyFields = f.keyFields.map((name) => catalogField(need(name)));
  const keyNames = new Set(f.keyFields);
  const valueFields = f.fields.filter((field) => !keyNames.has(field.name)).map(catalogField);
  const eventTimeField = f.featureType === 'History' ? need(f.eventTimeField).name : null;

  // Present in every manifest of the current format; absent only in format 1, refused above.
  const writerSchemas = f.writerSchemas ?? {};
  const readerText = writerSchemas[f.avroFingerprint];
  if (readerText === undefined) throw new Error(CATALOG_ERRORS.missingReaderSchema(f.fullName, f.avroFingerprint));
  const readerId = BigInt(f.avroFingerprint);
  const writers = Object.entries(writerSchemas).map(([id, text]) => [BigInt(id), parseAvroSchemaText(text)] as const);
  const serde = new WriterSchemaRegistry(f.fullName, parseAvroSchemaText(readerText), readerId, writers);

  const table: OnlineTable = {
    featureName: f.fullName,
    tableName: f.tableName,
    keyColumns: keyFields.map((k) => ({ name: k.name, type: keyColumnType(f.fullName, k) })),
    eventTimeColumn: eventTimeField,
    maxEvents: f.maxEvents,
    // Cassandra TTLs are whole seconds; rounding up never expires a row before its retention.
    ttlSeconds: f.retentionMs === null ? 0 : Math.ceil(f.retentionMs / 1000),
  };
  const info: RuntimeFeatureInfo = {
    fullName: f.fullName,
    featureType: f.featureType,
    keyFields: keyFields.map(publicField),
    valueFields: valueFields.map(publicField),
    maxEvents: f.maxEvents,
    cacheTtlMs: f.cacheTtlMs,
    avroSchemaText: readerText,
    avroFingerprint: readerId,
  };
  const base: CatalogFeatureBase = { fullName: f.fullName, info, table, keyFields, valueFields, maxEvents: f.maxEvents, cacheTtlMs: f.cacheTtlMs, serde };
  return eventTimeField === null ? { ...base, featureType: 'Object', eventTimeField } : { ...base, featureType: 'History', eventTimeField };
}

function catalogField(field: ManifestField): CatalogField {
  return { name: field.name, tsName: field.tsName, type: typeLabel(field.type), nullable: field.nullable };
}

function publicField(field: CatalogField): RuntimeFieldInfo {
  return { name: field.name, type: field.type, nullable: field.nullable };
}

function keyColumnType(feature: string, field: CatalogField): KeyColumnType {
  if (!isKeyColumnType(field.type)) throw new Error(CATALOG_ERRORS.unsupportedKeyType(feature, field.name, field.type));
  return field.type;
}

function accessIndex(acl: AclJson): Record<'read' | 'write', Map<string, ReadonlySet<string>>> {
  const read = new Map<string, ReadonlySet<string>>();
  const write = new Map<string, ReadonlySet<string>>();
  for (const [consumer, grants] of Object.entries(acl.consumers)) {
    read.set(consumer, new Set(grants.read));
    write.set(consumer, new Set(grants.write));
  }
  return { read, write };
}

function apiKeyVariables(consumers: readonly ManifestConsumer[]): ReadonlyMap<string, string | null> | null {
  if (consumers.some((c) => c.apiKeysEnv === undefined)) return null;
  return new Map(consumers.map((c) => [c.name, c.apiKeysEnv ?? null]));
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
}

/** The one manifest schema (core/), in the current format only: the runtime needs its writer schemas. */
function parseCurrentManifest(value: unknown, file: string) {
  try {
    return parseManifest(value, file, { formats: 'current' });
  } catch (e) {
    if (e instanceof ManifestError) throw new Error(CATALOG_ERRORS.invalid(file, e.problems));
    throw e;
  }
}

function parseAcl(value: unknown, file: string): AclJson {
  const result = aclSchema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(CATALOG_ERRORS.invalid(file, result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))));
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(CATALOG_ERRORS.unreadable(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(e)));
  }
  try {
    // Plain JSON.parse is safe here: 64-bit numbers live in text (fingerprints, writer schemas).
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(CATALOG_ERRORS.unreadable(file, `invalid JSON (${(e as Error).message})`));
  }
}
