/**
 * The read routes. JSON responses are built as one string by the per-feature writers; Avro responses
 * are the envelopes of avro-envelope.ts around the bytes the runtime returns, Object values and History
 * events alike (reader-schema bytes, passed through as stored when written with that schema). Handlers
 * are thin: parse (request-bodies.ts: keys checked once, into KeyValues), call the runtime's checked
 * reads (which do not validate again), write.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessDeniedError, type FieldRecord, type OnlineRuntime } from '../read/online-runtime.ts';
import {
  AVRO_CONTENT_TYPE,
  encodeFeatureValues,
  encodeOnlineFeatures,
  envelopeHead,
  ENVELOPE_HEADER,
  FEATURE_VALUES_SCHEMA,
  FINGERPRINT_HEADER,
  ONLINE_FEATURES_SCHEMA,
} from './avro-envelope.ts';
import { responseFormat } from './content-negotiation.ts';
import type { FeaturePlan } from './feature-plans.ts';
import { ERROR_CODES, HttpError, SERVER_ERRORS } from './http-errors.ts';
import { sanitizeInput } from './quoted-input.ts';
import { MANY_FEATURES, UNKNOWN_FEATURE_LABEL, type ReadMetrics } from './read-metrics.ts';
import {
  parseGetBody,
  parseLatestBody,
  parseOnlineFeaturesBody,
  parseRangeBody,
  type RequestLimits,
} from './request-bodies.ts';

export interface ReadRouteContext {
  readonly runtime: OnlineRuntime;
  readonly plans: ReadonlyMap<string, FeaturePlan>;
  readonly limits: RequestLimits;
  readonly metrics: ReadMetrics;
}

const JSON_TYPE = 'application/json; charset=utf-8';

type FeatureRequest = FastifyRequest<{ Params: { feature: string } }>;

/** Plans with their Avro envelope head (feature name + fingerprint, encoded once). */
interface RoutePlan {
  readonly plan: FeaturePlan;
  readonly head: Buffer;
  readonly fingerprint: string;
}

export function registerReadRoutes(app: FastifyInstance, ctx: ReadRouteContext): void {
  const { runtime, limits, metrics } = ctx;
  const routePlans = new Map<string, RoutePlan>();
  for (const [name, plan] of ctx.plans) {
    routePlans.set(name, { plan, head: envelopeHead(name, plan.info.avroFingerprint), fingerprint: plan.info.avroFingerprint.toString() });
  }

  const lookup = (name: string): RoutePlan => {
    const found = routePlans.get(name);
    if (!found) {
      throw new HttpError(404, ERROR_CODES.unknownFeature, SERVER_ERRORS.unknownFeature(name), { feature: sanitizeInput(name) });
    }
    return found;
  };

  /** The plan of the path's feature, with the metric label set and the feature type checked. */
  const featureOf = (request: FeatureRequest, type: 'Object' | 'History', op: string): RoutePlan => {
    const name = request.params.feature;
    const found = routePlans.get(name);
    request.featureLabel = found ? name : UNKNOWN_FEATURE_LABEL;
    const rp = lookup(name);
    if (rp.plan.info.featureType !== type) {
      throw new HttpError(400, ERROR_CODES.wrongFeatureType, SERVER_ERRORS.wrongFeatureType(name, rp.plan.info.featureType, op), { feature: name });
    }
    return rp;
  };

  app.post('/v1/features/:feature/get', async (request: FeatureRequest, reply) => {
    const rp = featureOf(request, 'Object', 'get');
    const avro = wantsAvro(request);
    const keys = parseGetBody(request.body, rp.plan, limits);
    countKeys(request, metrics, rp.plan.fullName, keys.length);
    if (avro) {
      const values = await runtime.checked.getManyAvro(request.consumer, rp.plan.fullName, keys);
      return sendAvro(reply, encodeFeatureValues(rp.head, values), FEATURE_VALUES_SCHEMA.name, rp.fingerprint);
    }
    const values = await runtime.checked.getMany(request.consumer, rp.plan.fullName, keys);
    return reply.type(JSON_TYPE).send(`{"feature":${rp.plan.nameJson},"values":${writeValues(rp.plan, values)}}`);
  });

  app.post('/v1/features/:feature/latest', async (request: FeatureRequest, reply) => {
    const rp = featureOf(request, 'History', 'latest');
    const avro = wantsAvro(request);
    const { key, n } = parseLatestBody(request.body, rp.plan, limits);
    countKeys(request, metrics, rp.plan.fullName, 1);
    if (avro) return sendAvroEvents(reply, rp, await runtime.checked.latestAvro(request.consumer, rp.plan.fullName, key, n));
    return sendEvents(reply, rp, await runtime.checked.latest(request.consumer, rp.plan.fullName, key, n));
  });

  app.post('/v1/features/:feature/range', async (request: FeatureRequest, reply) => {
    const rp = featureOf(request, 'History', 'range');
    const avro = wantsAvro(request);
    const { key, from, to } = parseRangeBody(request.body, rp.plan);
    countKeys(request, metrics, rp.plan.fullName, 1);
    if (avro) return sendAvroEvents(reply, rp, await runtime.checked.rangeAvro(request.consumer, rp.plan.fullName, key, from, to));
    return sendEvents(reply, rp, await runtime.checked.range(request.consumer, rp.plan.fullName, key, from, to));
  });

  app.post('/v1/get-online-features', async (request, reply) => {
    request.featureLabel = MANY_FEATURES;
    const avro = wantsAvro(request);
    const parsed = parseOnlineFeaturesBody(request.body, (name) => {
      const rp = lookup(name);
      if (rp.plan.info.featureType !== 'Object') {
        throw new HttpError(400, ERROR_CODES.wrongFeatureType, SERVER_ERRORS.wrongFeatureType(name, rp.plan.info.featureType, 'get-online-features'), { feature: name });
      }
      return rp.plan;
    }, limits);
    request.keyCount = parsed.keyCount * parsed.plans.length;
    for (const plan of parsed.plans) metrics.keysRead(plan.fullName, parsed.keyCount);
    const settled = await Promise.allSettled(
      parsed.plans.map((plan, i) =>
        avro
          ? runtime.checked.getManyAvro(request.consumer, plan.fullName, parsed.keys[i]!)
          : runtime.checked.getMany(request.consumer, plan.fullName, parsed.keys[i]!),
      ),
    );
    throwFirstFailure(settled, request.consumer);
    const results = settled.map((s) => (s as PromiseFulfilledResult<(FieldRecord | Uint8Array | null)[]>).value);
    if (avro) {
      const parts = parsed.plans.map((plan, i) => ({ head: lookup(plan.fullName).head, values: results[i] as (Uint8Array | null)[] }));
      return sendAvro(reply, encodeOnlineFeatures(parts), ONLINE_FEATURES_SCHEMA.name, undefined);
    }
    let out = '{"results":{';
    parsed.plans.forEach((plan, i) => {
      out += `${i ? ',' : ''}${plan.nameJson}:${writeValues(plan, results[i] as (FieldRecord | null)[])}`;
    });
    return reply.type(JSON_TYPE).send(`${out}}}`);
  });

  app.get('/v1/features/:feature/schema', async (request: FeatureRequest, reply) => {
    const name = request.params.feature;
    request.featureLabel = routePlans.has(name) ? name : UNKNOWN_FEATURE_LABEL;
    const { plan, fingerprint } = lookup(name);
    const { info } = plan;
    const meta = JSON.stringify({
      feature: info.fullName,
      featureType: info.featureType,
      fingerprint,
      keyFields: info.keyFields,
      valueFields: info.valueFields,
      maxEvents: info.maxEvents,
    });
    // The schema text is spliced in as it is: its Long defaults are exact integers that a parse would round.
    void reply.header(FINGERPRINT_HEADER, fingerprint);
    return reply.type(JSON_TYPE).send(`${meta.slice(0, -1)},"schema":${info.avroSchemaText}}`);
  });

  app.get('/v1/schemas/envelopes', async (_request, reply) =>
    reply.type(JSON_TYPE).send({ [FEATURE_VALUES_SCHEMA.name]: FEATURE_VALUES_SCHEMA, [ONLINE_FEATURES_SCHEMA.name]: ONLINE_FEATURES_SCHEMA }),
  );

  function sendEvents(reply: FastifyReply, rp: RoutePlan, events: readonly FieldRecord[]) {
    return reply.type(JSON_TYPE).send(`{"feature":${rp.plan.nameJson},"values":${writeValues(rp.plan, events)}}`);
  }

  function sendAvroEvents(reply: FastifyReply, rp: RoutePlan, events: readonly Uint8Array[]) {
    return sendAvro(reply, encodeFeatureValues(rp.head, events), FEATURE_VALUES_SCHEMA.name, rp.fingerprint);
  }
}

function countKeys(request: FastifyRequest, metrics: ReadMetrics, feature: string, count: number): void {
  request.keyCount = count;
  metrics.keysRead(feature, count);
}

function writeValues(plan: FeaturePlan, values: readonly (FieldRecord | null)[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) out += (i ? ',' : '') + plan.writeValue(values[i] ?? null);
  return out + ']';
}

/**
 * Avro when Accept prefers it (real negotiation, see content-negotiation.ts); a 406 when it accepts
 * neither. Decided before the keys are checked, so a request that cannot be answered costs no store read.
 */
function wantsAvro(request: FastifyRequest): boolean {
  return responseFormat(request.headers.accept) === 'avro';
}

function sendAvro(reply: FastifyReply, body: Buffer, envelope: string, fingerprint: string | undefined) {
  void reply.header(ENVELOPE_HEADER, `featurestore.read.${envelope}`);
  if (fingerprint !== undefined) void reply.header(FINGERPRINT_HEADER, fingerprint);
  return reply.type(AVRO_CONTENT_TYPE).send(body);
}

/** One 403 naming every feature the consumer may not read; else the first other failure as it is. */
function throwFirstFailure(settled: readonly PromiseSettledResult<unknown>[], consumer: string): void {
  const denied: string[] = [];
  let other: unknown;
  for (const s of settled) {
    if (s.status === 'fulfilled') continue;
    if (s.reason instanceof AccessDeniedError) denied.push(s.reason.feature);
    else other ??= s.reason;
  }
  if (denied.length > 0) {
    throw new HttpError(403, ERROR_CODES.accessDenied, SERVER_ERRORS.accessDenied(consumer, denied), { feature: denied[0]!, features: denied, consumer });
  }
  if (other !== undefined) throw other;
}
