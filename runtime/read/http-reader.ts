/**
 * A FeatureReader over the HTTP Read API, so the same generated typed clients read from a remote server:
 * `createFeatures(createHttpFeatureReader({ baseUrl, apiKey })).live.hakunaHostStatV1.get({ userId: '1001' })`.
 * The descriptors say how each field travels in JSON (see runtime/server/json-scalars.ts): Long as a
 * decimal string → bigint, Timestamp as ISO-8601 → Date, Bytes as base64 → Uint8Array, and camelCase
 * properties ↔ YAML field names. Node's fetch (undici) keeps connections alive between calls.
 */
import { isKeyColumnType, parseTypeLabel, scalarOf, type KeyColumnType, type ScalarType } from '../../core/field-types.ts';
import { parseAvroType } from '../../core/serde/index.ts';
import type { KeyValues } from '../online/online-store.ts';
import type { FeatureDescriptor, FeatureReader, FieldDescriptor } from './feature-reader.ts';
import { AvroValueDecoder, decodeFeatureValuesEnvelope } from './http-avro.ts';
import { AccessDeniedError, FeatureStoreError, UnknownFeatureError } from './online-runtime.ts';
import { fieldDefaults, type FieldDefaults } from './value-defaults.ts';

/** The Read API's Avro media type (runtime/server/avro-envelope.ts; not imported: this module loads no server code). */
const AVRO_TYPE = 'application/avro';

export interface HttpFeatureReaderOptions {
  /** e.g. `http://feature-store.internal:8080` (a path prefix is kept). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** Another fetch (tests, a custom undici Agent); default the global one. */
  readonly fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /**
   * How values travel: `json` (default) or `avro` (`Accept: application/avro`, 69-90 % smaller bodies,
   * no number parsing: longs are read as 64-bit integers from the bytes). Either way the accessors return
   * the same typed values.
   */
  readonly format?: 'json' | 'avro';
}

/**
 * A non-2xx answer that is not an ACL or unknown-feature error: status, the server's code and message.
 * Also no answer at all: `status` 0 with code `UNREACHABLE` (connection refused, DNS, reset; the
 * transport's error is the `cause`) or `TIMEOUT` (no complete answer within `timeoutMs`), the message
 * naming the URL.
 */
export class ReadApiError extends FeatureStoreError {
  override readonly name = 'ReadApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly feature: string | undefined,
    readonly field: string | undefined,
    readonly requestId: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `code` of a ReadApiError that carries no HTTP status (`status` 0). */
export const TRANSPORT_ERROR_CODES = { unreachable: 'UNREACHABLE', timeout: 'TIMEOUT' } as const;

export const HTTP_READER_ERRORS = {
  badResponse: (feature: string, detail: string) => `unexpected Read API response for ${feature}: ${detail}`,
  notJson: (status: number) => `Read API answered HTTP ${status} with a body that is not the JSON error object`,
  unreachable: (url: string, reason: string) => `cannot reach the Read API at ${url}: ${reason} (is featurestore serve running there?)`,
  timeout: (url: string, ms: number) => `the Read API at ${url} did not answer within ${ms} ms (timeoutMs)`,
  badBaseUrl: (url: string) => `invalid baseUrl "${url}": expected an http:// or https:// URL such as http://feature-store:8080`,
  credentialsInBaseUrl: 'invalid baseUrl: it contains user:password@ (fetch refuses such URLs; pass the key as apiKey)',
  badFormat: (format: string) => `invalid format "${format}": expected "json" or "avro"`,
} as const;

type Json = unknown;
type FromJson = (value: Json) => unknown;
type ToJson = (value: unknown) => Json;

const SCALAR_FROM_JSON: Readonly<Record<ScalarType, FromJson>> = {
  Text: (v) => v,
  Long: (v) => BigInt(v as string),
  Int: (v) => v,
  Double: parseFloatJson,
  Float: parseFloatJson,
  Boolean: (v) => v,
  Timestamp: (v) => new Date(v as string),
  // A Buffer (a Uint8Array), as the in-process reader's Avro decoding returns, so both transports compare equal.
  Bytes: (v) => Buffer.from(v as string, 'base64'),
};

/** Key values to JSON; null where the runtime value is its JSON form already. */
const SCALAR_TO_JSON: Readonly<Record<KeyColumnType, ToJson | null>> = {
  Text: null,
  Long: (v) => (v as bigint).toString(),
  Int: null,
  Boolean: null,
  Timestamp: (v) => (v as Date).toISOString(),
};

/** Non-finite floats travel as "NaN" / "Infinity" / "-Infinity". */
function parseFloatJson(v: Json): number {
  return typeof v === 'string' ? Number(v) : (v as number);
}

interface Codec {
  readonly keyToJson: (key: KeyValues) => Record<string, Json>;
  readonly valueFromJson: (value: Json) => unknown;
}

export function createHttpFeatureReader(options: HttpFeatureReaderOptions): FeatureReader {
  const doFetch = options.fetch ?? fetch;
  const base = checkedBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const avro = options.format === 'avro';
  if (options.format !== undefined && options.format !== 'json' && !avro) throw new TypeError(HTTP_READER_ERRORS.badFormat(String(options.format)));
  const authorization = `Bearer ${options.apiKey}`;
  const postHeaders = { 'content-type': 'application/json', accept: avro ? AVRO_TYPE : 'application/json', authorization };
  const codecs = new WeakMap<object, Codec>();
  const codecOf = (d: FeatureDescriptor<unknown, unknown>): Codec => {
    let codec = codecs.get(d);
    if (!codec) codecs.set(d, (codec = buildCodec(d)));
    return codec;
  };

  /** The response, or a ReadApiError: no answer (status 0), or a non-2xx answer in the JSON error shape. */
  async function send(url: string, feature: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw transportError(url, feature, timeoutMs, e);
    }
    if (!response.ok) throw errorFrom(response.status, await response.json().catch(() => undefined));
    return response;
  }

  const featureUrl = (feature: string, op: string) => `${base}/v1/features/${encodeURIComponent(feature)}/${op}`;
  const badResponse = (status: number, feature: string, detail: string, cause?: unknown) =>
    new ReadApiError(status, 'BAD_RESPONSE', HTTP_READER_ERRORS.badResponse(feature, detail), feature, undefined, undefined, cause === undefined ? undefined : { cause });

  const decoder = new AvroValueDecoder(async (feature) => {
    const response = await send(featureUrl(feature, 'schema'), feature, { headers: { accept: 'application/json', authorization } });
    return response.text();
  });

  async function postValues<K, V>(descriptor: FeatureDescriptor<K, V>, op: string, body: Json): Promise<(V | null)[]> {
    const feature = descriptor.fullName;
    const url = featureUrl(feature, op);
    const response = await send(url, feature, { method: 'POST', headers: postHeaders, body: JSON.stringify(body) });
    if (avro) {
      const type = response.headers.get('content-type') ?? '';
      if (!type.toLowerCase().startsWith(AVRO_TYPE)) throw badResponse(response.status, feature, `Content-Type ${JSON.stringify(type)} instead of ${AVRO_TYPE}`);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await response.arrayBuffer());
      } catch (e) {
        throw transportError(url, feature, timeoutMs, e);
      }
      try {
        return await decoder.decode(descriptor, decodeFeatureValuesEnvelope(bytes));
      } catch (e) {
        if (e instanceof ReadApiError) throw e;
        throw badResponse(response.status, feature, e instanceof Error ? e.message : String(e), e);
      }
    }
    const payload: unknown = await response.json().catch(() => undefined);
    const values = (payload as { values?: unknown } | undefined)?.values;
    if (!Array.isArray(values)) throw badResponse(response.status, feature, 'no "values" array');
    const codec = codecOf(anyDescriptor(descriptor));
    return values.map((v: Json) => (v === null ? null : (codec.valueFromJson(v) as V)));
  }

  // The descriptor types are erased at this boundary: values are built from the descriptor's own fields.
  const anyDescriptor = <K, V>(d: FeatureDescriptor<K, V>) => d as unknown as FeatureDescriptor<unknown, unknown>;
  const keyJson = <K, V>(d: FeatureDescriptor<K, V>, key: KeyValues) => codecOf(anyDescriptor(d)).keyToJson(key);
  /** History answers hold events only; a null would be a server bug, reported as such. */
  const events = <V>(feature: string, values: readonly (V | null)[]): V[] => {
    if (values.some((v) => v === null)) throw badResponse(200, feature, 'a null event');
    return values as V[];
  };

  const getMany = async <K, V>(feature: FeatureDescriptor<K, V>, keys: readonly KeyValues[]): Promise<(V | null)[]> =>
    postValues(feature, 'get', { keys: keys.map((k) => keyJson(feature, k)) });
  // Plain functions, not methods: a reader passed around unbound (`const { get } = reader`) still works.
  return {
    get: async (feature, key) => (await getMany(feature, [key]))[0] ?? null,
    getMany,
    latest: async <K, V>(feature: FeatureDescriptor<K, V>, key: KeyValues, n: number) =>
      events(feature.fullName, await postValues(feature, 'latest', { key: keyJson(feature, key), n })),
    range: async <K, V>(feature: FeatureDescriptor<K, V>, key: KeyValues, from: Date, to: Date) =>
      events(feature.fullName, await postValues(feature, 'range', { key: keyJson(feature, key), from: from.toISOString(), to: to.toISOString() })),
  };
}

/** Checked once here: a URL fetch can never use would otherwise fail every call as "unreachable". */
function checkedBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(HTTP_READER_ERRORS.badBaseUrl(baseUrl));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(HTTP_READER_ERRORS.badBaseUrl(baseUrl));
  if (url.username !== '' || url.password !== '') throw new TypeError(HTTP_READER_ERRORS.credentialsInBaseUrl);
  return baseUrl.replace(/\/+$/, '');
}

function buildCodec(descriptor: FeatureDescriptor<unknown, unknown>): Codec {
  const keyFields = descriptor.keyFields.map((f) => ({ f, to: isKeyColumnType(f.type) ? SCALAR_TO_JSON[f.type] : null }));
  const defaults = fieldDefaults(parseAvroType(descriptor.avroSchema));
  const valueFields = descriptor.valueFields.map((f) => ({ f, from: fromJsonFor(f), fill: defaultOf(defaults, f) }));
  return {
    keyToJson(key) {
      const out: Record<string, Json> = {};
      for (let i = 0; i < keyFields.length; i++) {
        const { f, to } = keyFields[i]!;
        const v = key[i];
        out[f.name] = to ? to(v) : v;
      }
      return out;
    },
    valueFromJson(value) {
      const source = value as Readonly<Record<string, Json>>;
      const out: Record<string, unknown> = {};
      for (const { f, from, fill } of valueFields) {
        const v = source[f.name];
        // A field the server does not know yet (older server schema): its Avro default, as a decode would.
        out[f.tsName] = v === undefined ? fill() : v === null ? null : from(v);
      }
      return out;
    },
  };
}

function fromJsonFor(field: FieldDescriptor): FromJson {
  const type = parseTypeLabel(field.type);
  const scalar = SCALAR_FROM_JSON[scalarOf(type)];
  return type.kind === 'list' ? (v) => (v as readonly Json[]).map(scalar) : scalar;
}

/**
 * A field's value when an older server's answer lacks it: the default of the descriptor's schema, the
 * one Avro resolution fills in (value-defaults.ts); null for a nullable field without one.
 */
function defaultOf(defaults: FieldDefaults, field: FieldDescriptor): () => unknown {
  const fill = defaults.get(field.name);
  if (fill) return fill;
  return field.nullable ? () => null : () => undefined;
}

/**
 * No HTTP answer. fetch (undici) reports every transport failure as `TypeError: fetch failed` with the
 * reason in `cause` (an AggregateError when every address of a name refused, whose message is empty).
 */
function transportError(shown: string, feature: string, timeoutMs: number, e: unknown): ReadApiError {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
    return new ReadApiError(0, TRANSPORT_ERROR_CODES.timeout, HTTP_READER_ERRORS.timeout(shown, timeoutMs), feature, undefined, undefined, { cause: e });
  }
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const text = cause instanceof Error && cause.message !== '' ? cause.message : (code ?? String(cause));
  return new ReadApiError(0, TRANSPORT_ERROR_CODES.unreachable, HTTP_READER_ERRORS.unreachable(shown, text), feature, undefined, undefined, { cause: e });
}

function errorFrom(status: number, payload: unknown): Error {
  if (typeof payload !== 'object' || payload === null) {
    return new ReadApiError(status, 'BAD_RESPONSE', HTTP_READER_ERRORS.notJson(status), undefined, undefined, undefined);
  }
  const p = payload as { code?: unknown; message?: unknown; feature?: unknown; field?: unknown; consumer?: unknown; requestId?: unknown };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const feature = str(p.feature);
  // The same error classes an in-process reader throws, so callers handle both transports alike.
  if (status === 403 && feature && str(p.consumer)) return new AccessDeniedError(str(p.consumer)!, feature, 'read');
  if (status === 404 && feature && p.code === 'UNKNOWN_FEATURE') return new UnknownFeatureError(feature);
  return new ReadApiError(status, str(p.code) ?? 'HTTP_ERROR', str(p.message) ?? `HTTP ${status}`, feature, str(p.field), str(p.requestId));
}
