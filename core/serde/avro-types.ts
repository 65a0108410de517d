/**
 * One way to turn an Avro schema into an avsc Type for the whole runtime: longs are bigints,
 * timestamp-millis are Dates, unions are unwrapped (`null | T`, as the generated TS types say).
 */
import avro from 'avsc';
import { stringifyAvroSchema, type AvroSchemaJson } from './avro-json.ts';
import { bigintLongType } from './long-type.ts';
import { isInstantiatingTimestamp, TimestampMillisType } from './timestamp-type.ts';

type ForSchemaOptions = NonNullable<Parameters<typeof avro.Type.forSchema>[1]>;
type AvscSchema = Parameters<typeof avro.Type.forSchema>[0];

// `registry` only covers the string form `"long"`; avsc builds `{"type": "long"}` objects (including the
// underlying type of a logical type) with its number-based long, so the hook catches those.
function typeHook(schema: unknown): avro.Type | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const { type, logicalType } = schema as { type?: unknown; logicalType?: unknown };
  if (type !== 'long') return undefined;
  // Let avsc's `logicalTypes` build our timestamp type; its underlying long comes back here.
  if (logicalType === 'timestamp-millis' && !isInstantiatingTimestamp(schema)) return undefined;
  // Unknown logical types fall back to the underlying type, as the spec says.
  return bigintLongType;
}

function options(): Partial<ForSchemaOptions> {
  return {
    // avsc adds named types to the registry: each parse needs its own.
    registry: { long: bigintLongType },
    logicalTypes: { 'timestamp-millis': TimestampMillisType },
    typeHook: typeHook as ForSchemaOptions['typeHook'],
    // A broken logical type must fail loudly, not silently decode as a plain long.
    assertLogicalTypes: true,
    wrapUnions: false,
  };
}

const byIdentity = new WeakMap<object, avro.Type>();
const byText = new Map<string, avro.Type>();

/**
 * The avsc Type of `schema`, cached per schema (by identity for the generated schema constants, else by
 * its exact JSON text), so hot read paths never re-parse.
 */
export function parseAvroType(schema: AvroSchemaJson): avro.Type {
  const isObject = typeof schema === 'object' && schema !== null;
  if (isObject) {
    const cached = byIdentity.get(schema);
    if (cached) return cached;
  }
  const text = stringifyAvroSchema(schema);
  let type = byText.get(text);
  if (!type) {
    type = avro.Type.forSchema(schema as AvscSchema, options());
    byText.set(text, type);
  }
  if (isObject) byIdentity.set(schema, type);
  return type;
}
