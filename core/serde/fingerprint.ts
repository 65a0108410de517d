/**
 * Writer-schema ids: the Avro spec's 64-bit Rabin fingerprint (CRC-64-AVRO, the one single-object
 * encoding uses) of a schema's Parsing Canonical Form, as a signed 64-bit bigint — the same number Java's
 * `SchemaNormalization.parsingFingerprint64` returns, and what a CQL `bigint` column holds.
 */
import type avro from 'avsc';
import type { AvroSchemaJson } from './avro-json.ts';

const EMPTY = 0xc15d213aa4d7a795n;

// The spec's 256-entry table, split into 32-bit halves: hashing then needs no bigint arithmetic per byte
// (codegen fingerprints every feature on every run).
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  fp = BigInt.asUintN(64, fp);
  TABLE_HI[i] = Number(fp >> 32n);
  TABLE_LO[i] = Number(fp & 0xffffffffn);
}

/** CRC-64-AVRO of raw bytes, as a signed 64-bit bigint. */
export function rabinFingerprint64(bytes: Uint8Array): bigint {
  let hi = Number(EMPTY >> 32n);
  let lo = Number(EMPTY & 0xffffffffn);
  for (const byte of bytes) {
    const i = (lo ^ byte) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ (TABLE_LO[i] ?? 0)) >>> 0;
    hi = ((hi >>> 8) ^ (TABLE_HI[i] ?? 0)) >>> 0;
  }
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * The spec's Parsing Canonical Form, computed from the schema JSON: primitives in simple form, full names,
 * only name/type/fields/symbols/items/values/size in that order, no whitespace. Done here rather than via
 * avsc (`Type#schema()` gives the same text) because building an avsc Type compiles code per record,
 * about a millisecond each, and codegen fingerprints every feature on every run.
 */
export function canonicalForm(schema: AvroSchemaJson | avro.Type): string {
  const json: unknown = isType(schema) ? schema.schema() : schema;
  return pcf(json, '', new Set());
}

type JsonObject = { readonly [key: string]: unknown };

function pcf(schema: unknown, namespace: string, defined: Set<string>): string {
  if (typeof schema === 'string') {
    return JSON.stringify(PRIMITIVES.has(schema) ? schema : qualify(schema, namespace));
  }
  if (Array.isArray(schema)) return `[${schema.map((s) => pcf(s, namespace, defined)).join(',')}]`;
  if (typeof schema !== 'object' || schema === null) {
    throw new TypeError(`invalid Avro schema: ${String(schema)}`);
  }
  const o = schema as JsonObject;
  const type = o['type'];
  // `{"type": {...}}` / `{"type": [...]}` wrap another schema.
  if (typeof type !== 'string') return pcf(type, namespace, defined);
  switch (type) {
    case 'array':
      return `{"type":"array","items":${pcf(o['items'], namespace, defined)}}`;
    case 'map':
      return `{"type":"map","values":${pcf(o['values'], namespace, defined)}}`;
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed':
      return named(o, type, namespace, defined);
    default:
      // A primitive (a logicalType and other attributes are stripped) or a reference to a named type.
      return pcf(type, namespace, defined);
  }
}

function named(o: JsonObject, type: string, enclosing: string, defined: Set<string>): string {
  const explicit = o['namespace'];
  const fullName = qualify(String(o['name']), typeof explicit === 'string' ? explicit : enclosing);
  // A name defined before is written as a reference, as Java's SchemaNormalization does.
  if (defined.has(fullName)) return JSON.stringify(fullName);
  defined.add(fullName);
  const namespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
  const head = `{"name":${JSON.stringify(fullName)},"type":"${type === 'error' ? 'record' : type}"`;
  if (type === 'enum') return `${head},"symbols":${JSON.stringify(o['symbols'])}}`;
  if (type === 'fixed') return `${head},"size":${Number(o['size'])}}`;
  const fields = (o['fields'] as readonly JsonObject[]).map(
    (f) => `{"name":${JSON.stringify(f['name'])},"type":${pcf(f['type'], namespace, defined)}}`,
  );
  return `${head},"fields":[${fields.join(',')}]}`;
}

function qualify(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

const byType = new WeakMap<object, bigint>();

/** The writer-schema id of `schema`: CRC-64-AVRO of its canonical form (UTF-8), signed. */
export function schemaFingerprint(schema: AvroSchemaJson | avro.Type): bigint {
  const cacheable = typeof schema === 'object' && schema !== null;
  let fp = cacheable ? byType.get(schema) : undefined;
  if (fp === undefined) {
    fp = rabinFingerprint64(Buffer.from(canonicalForm(schema), 'utf8'));
    if (cacheable) byType.set(schema, fp);
  }
  return fp;
}

function isType(value: AvroSchemaJson | avro.Type): value is avro.Type {
  return typeof value === 'object' && value !== null && typeof (value as { schema?: unknown }).schema === 'function';
}
