/**
 * Shape checks of request bodies, by hand rather than with Fastify's JSON schema: Ajv's defaults coerce
 * types (a number would silently become a Text key) and its messages name neither feature nor field.
 * Each check is a few `typeof`s; key fields are checked per feature in feature-plans.ts.
 */
import type { KeyValues } from '../online/online-store.ts';
import type { FeaturePlan } from './feature-plans.ts';
import { badRequest, describeJsonType, ERROR_CODES, HttpError, SERVER_ERRORS } from './http-errors.ts';
import { parseIsoTimestamp } from './json-scalars.ts';
import { sanitizeInput } from './quoted-input.ts';

export interface RequestLimits {
  /** Bytes of a request body (Fastify `bodyLimit`). */
  readonly bodyLimit: number;
  /** Keys in one request (`/get` and get-online-features). */
  readonly maxKeys: number;
  /** Features in one get-online-features request. */
  readonly maxFeatures: number;
  /** features × keys in one get-online-features request. */
  readonly maxLookups: number;
  /** `n` of `/latest` when the feature sets no `max_events`. */
  readonly maxEvents: number;
}

export const DEFAULT_LIMITS: RequestLimits = {
  bodyLimit: 1024 * 1024,
  maxKeys: 1000,
  maxFeatures: 50,
  maxLookups: 10_000,
  maxEvents: 1000,
};

/** `latest` without `n`, as the typed accessors default it. */
export const DEFAULT_EVENT_COUNT = 20;

type Body = Record<string, unknown>;

function objectBody(body: unknown, allowed: readonly string[]): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(SERVER_ERRORS.bodyNotObject(body === undefined ? 'nothing' : describeJsonType(body)));
  }
  for (const name in body) {
    if (!allowed.includes(name)) throw badRequest(SERVER_ERRORS.unknownProperty(name, allowed));
  }
  return body as Body;
}

function required(body: Body, name: string): unknown {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  if (value === undefined) throw badRequest(SERVER_ERRORS.missingProperty(name));
  return value;
}

function keyArray(value: unknown, limits: RequestLimits): readonly unknown[] {
  if (!Array.isArray(value)) throw badRequest(SERVER_ERRORS.notArray('"keys"', describeJsonType(value)));
  if (value.length === 0) throw badRequest(SERVER_ERRORS.emptyArray('"keys"'));
  if (value.length > limits.maxKeys) {
    throw new HttpError(400, ERROR_CODES.tooManyKeys, SERVER_ERRORS.tooManyKeys(value.length, limits.maxKeys));
  }
  return value;
}

/** `POST /v1/features/{feature}/get`: `{ "keys": [ {…}, … ] }`. */
export function parseGetBody(body: unknown, plan: FeaturePlan, limits: RequestLimits): KeyValues[] {
  const keys = keyArray(required(objectBody(body, ['keys']), 'keys'), limits);
  const out = new Array<KeyValues>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = plan.parseKey(keys[i], `keys[${i}]`, true);
  return out;
}

/** `POST /v1/features/{feature}/latest`: `{ "key": {…}, "n"?: 1..max }`. */
export function parseLatestBody(body: unknown, plan: FeaturePlan, limits: RequestLimits): { key: KeyValues; n: number } {
  const b = objectBody(body, ['key', 'n']);
  const key = plan.parseKey(required(b, 'key'), 'key', true);
  const max = plan.info.maxEvents ?? limits.maxEvents;
  const raw = b['n'];
  if (raw === undefined) return { key, n: Math.min(plan.info.maxEvents ?? DEFAULT_EVENT_COUNT, max) };
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > max) {
    throw badRequest(SERVER_ERRORS.eventCount(plan.fullName, max), { feature: plan.fullName, field: 'n' });
  }
  return { key, n: raw };
}

/** `POST /v1/features/{feature}/range`: `{ "key": {…}, "from": ISO, "to": ISO }`, from <= eventTime < to. */
export function parseRangeBody(body: unknown, plan: FeaturePlan): { key: KeyValues; from: Date; to: Date } {
  const b = objectBody(body, ['key', 'from', 'to']);
  const key = plan.parseKey(required(b, 'key'), 'key', true);
  const time = (name: 'from' | 'to'): Date => {
    const raw = required(b, name);
    const date = typeof raw === 'string' ? parseIsoTimestamp(raw) : null;
    if (date === null) throw badRequest(SERVER_ERRORS.timestamp(name), { feature: plan.fullName, field: name });
    return date;
  };
  const from = time('from');
  const to = time('to');
  if (from.getTime() > to.getTime()) throw badRequest(SERVER_ERRORS.rangeOrder, { feature: plan.fullName });
  return { key, from, to };
}

export interface OnlineFeaturesRequest {
  readonly plans: readonly FeaturePlan[];
  /** keys[f][k]: key k as feature f's KeyValues. */
  readonly keys: readonly KeyValues[][];
  readonly keyCount: number;
}

/**
 * `POST /v1/get-online-features`: `{ "features": [names], "keys": [ {…}, … ] }`. Each feature takes its
 * own key fields from every key object; a key object lacking one is an error naming feature, field and
 * index, and a field no requested feature uses is an error too (almost always a misspelt field name).
 */
export function parseOnlineFeaturesBody(
  body: unknown,
  lookup: (name: string) => FeaturePlan,
  limits: RequestLimits,
): OnlineFeaturesRequest {
  const b = objectBody(body, ['features', 'keys']);
  const names = required(b, 'features');
  if (!Array.isArray(names)) throw badRequest(SERVER_ERRORS.notArray('"features"', describeJsonType(names)));
  if (names.length === 0) throw badRequest(SERVER_ERRORS.emptyArray('"features"'));
  if (names.length > limits.maxFeatures) {
    throw new HttpError(400, ERROR_CODES.tooManyFeatures, SERVER_ERRORS.tooManyFeatures(names.length, limits.maxFeatures));
  }
  const keys = keyArray(required(b, 'keys'), limits);
  if (names.length * keys.length > limits.maxLookups) {
    throw new HttpError(400, ERROR_CODES.tooManyKeys, SERVER_ERRORS.tooManyLookups(names.length * keys.length, limits.maxLookups));
  }
  const plans: FeaturePlan[] = [];
  const seen = new Set<string>();
  names.forEach((name: unknown, i) => {
    if (typeof name !== 'string') throw badRequest(SERVER_ERRORS.featureNotString(`features[${i}]`, describeJsonType(name)));
    if (seen.has(name)) throw badRequest(SERVER_ERRORS.duplicateFeature(name), { feature: sanitizeInput(name) });
    seen.add(name);
    plans.push(lookup(name));
  });
  const used = new Set(plans.flatMap((p) => p.keyFieldNames));
  keys.forEach((key, k) => {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) return; // parseKey reports it, naming a feature
    for (const field in key) {
      if (!used.has(field)) throw new HttpError(400, ERROR_CODES.invalidKey, SERVER_ERRORS.keyFieldUnused(`keys[${k}]`, field), {
          field: sanitizeInput(field),
        });
    }
  });
  return { plans, keys: plans.map((p) => keys.map((key, k) => p.parseKey(key, `keys[${k}]`, false))), keyCount: keys.length };
}
