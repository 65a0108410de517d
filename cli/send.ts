/**
 * `featurestore send --feature X --file rows.jsonl`: commands for one feature from a JSON Lines file,
 * for operators (backfills of a few keys, fixing a value by hand, trying the downsync worker). Each
 * line is `{"key": {...}, "value": {...}, "eventTime"?: "ISO-8601"}` by YAML field names in the Read
 * API's JSON forms (Longs as decimal strings, Timestamps ISO-8601 with a zone, Bytes base64), checked
 * exactly as the by-name write API checks (CommandProducer.encodeByName).
 *
 * All or nothing up to the stream: every line is read, parsed and encoded before the first is sent, so
 * an invalid line (exit 1, naming the file, the line, the field and a hint) sends nothing. Then the
 * commands go out in batches of --batch-size, each acknowledged (acks=all) before the next; a failure
 * midway reports how many were acknowledged (exit 1). Sending them again is harmless: the worker applies
 * commands last-writer-wins by event time, so a repeated command changes nothing.
 *
 * `--stream memory` is refused: an in-process stream ends with this process, and no worker in another
 * process could ever see the commands.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, didYouMean } from '../generator/diagnostics.ts';
import { CommandProducer, UnknownConsumerError, type PreparedCommand } from '../runtime/downsync/producer/index.ts';
import { loadFeatureCatalog, type FeatureCatalog } from '../runtime/manifest/feature-catalog.ts';
import { AccessDeniedError, FeatureStoreError } from '../runtime/read/online-runtime.ts';
import { parseIsoTimestamp } from '../runtime/server/json-scalars.ts';
import type { FeatureStream, StreamRecord } from '../runtime/stream/feature-stream.ts';
import { openFeatureStream } from '../runtime/stream/open-feature-stream.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';
import { locateServeProject } from './serve-project.ts';
import { parseStreamFlags, streamOptionsOf, type StreamFlags } from './stream-flags.ts';
import { manifestTopic } from '../runtime/downsync/producer/create-command-producer.ts';

export interface SendFlags extends StreamFlags {
  readonly feature: string;
  readonly file: string;
  readonly consumer?: string;
  readonly generated?: string;
  readonly config?: string;
  readonly batchSize: string;
  readonly json: boolean;
}

export const SEND_DEFAULTS = { batchSize: '500' } as const;

/** Invalid lines reported at most (the count of the others follows). */
const MAX_REPORTED_LINES = 10;

export const SEND_ERRORS = {
  memoryStream:
    '--stream memory cannot be used with send: the in-process stream ends with this process and no downsync worker elsewhere would see the commands (hint: use --stream kafka; to use the in-process stream, send from the process running the worker, with createCommandProducer)',
  unknownFeature: (feature: string, hint: string | undefined) =>
    `unknown feature "${feature}" in the manifest${hint ? ` (${hint})` : ''} (hint: full names are namespace::name-vN, e.g. live::hakuna-host-stat-v1)`,
  noWriter: (feature: string) => `${feature} has no consumer in access.write: nobody may send it (add one to its YAML and run featurestore codegen)`,
  chooseConsumer: (feature: string, writers: readonly string[]) =>
    `--consumer is required: ${feature} may be written by ${writers.map((w) => `"${w}"`).join(', ')} (pass --consumer NAME)`,
  unreadableFile: (file: string, problem: string) => `cannot read --file ${file}: ${problem}`,
  emptyFile: (file: string) => `${file} holds no lines: nothing to send`,
  badBatchSize: (value: string) => `invalid --batch-size "${value}": expected an integer from 1 to 10000`,
  notJson: (problem: string) => `not JSON: ${problem}`,
  notARow: 'expected an object {"key": {...}, "value": {...}, "eventTime"?: "ISO-8601"}',
  unknownProperty: (name: string) => `unknown property "${name}" (a line has key, value and optionally eventTime)`,
  badEventTime: (value: unknown) => `eventTime must be an ISO-8601 timestamp with a zone, e.g. "2024-05-01T12:00:00Z", got ${JSON.stringify(value)}`,
  invalidLines: (file: string, bad: number, total: number) => `${file}: ${bad} of ${total} line${total === 1 ? '' : 's'} invalid; nothing was sent`,
  lineHint:
    'hint: each line is {"key": {...}, "value": {...}, "eventTime"?: "..."} by YAML field names; Longs as decimal strings ("9007199254740993"), Timestamps ISO-8601 with a zone, Bytes base64; fields with a default may be left out (docs/commands.md)',
  sendFailed: (acknowledged: number, total: number, problem: string) =>
    `sent ${acknowledged} of ${total} commands, then the stream failed: ${problem} (sending the file again is safe: commands apply last-writer-wins by event time)`,
} as const;

const ROW_PROPERTIES = new Set(['key', 'value', 'eventTime']);

export async function sendCommand(flags: SendFlags, io: Io): Promise<number> {
  const batchSize = Number(flags.batchSize);
  if (!/^\d+$/.test(flags.batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError(SEND_ERRORS.badBatchSize(flags.batchSize));
  if (flags.stream === 'memory') throw new UsageError(SEND_ERRORS.memoryStream);
  const project = await locateServeProject(flags);
  const catalog = await loadCatalog(project.generatedDir);
  const spec = parseStreamFlags(flags, await manifestTopic(project.generatedDir));
  const feature = catalog.features.get(flags.feature);
  if (!feature) throw new UsageError(SEND_ERRORS.unknownFeature(flags.feature, didYouMean(flags.feature, [...catalog.features.keys()])));
  const consumer = flags.consumer ?? onlyWriter(catalog, flags.feature);
  const text = await readFile(flags.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(SEND_ERRORS.unreadableFile(flags.file, e.code === 'ENOENT' ? 'not found' : e.message));
  });

  // The producer is built over a stream that is opened only once every line is valid.
  let opened: FeatureStream | null = null;
  const lazyStream: FeatureStream = {
    publish: async (topic: string, records: readonly StreamRecord[]) => {
      opened ??= await openFeatureStream(streamOptionsOf(spec));
      return opened.publish(topic, records);
    },
    subscribe: () => Promise.reject(new Error('send does not subscribe')),
    close: async () => {
      await opened?.close();
    },
  };
  let producer: CommandProducer;
  try {
    producer = new CommandProducer({ catalog, stream: lazyStream, topic: spec.topic, consumer, maxBatchRecords: batchSize });
  } catch (e) {
    // --consumer names nobody in the ACL: a flag problem.
    if (e instanceof UnknownConsumerError) throw new UsageError(e.message);
    throw e;
  }
  try {
    const prepared = prepareLines(producer, flags, text, io);
    if (!prepared) return EXIT_INVALID;
    return await publish(producer, prepared, batchSize, flags, spec, io);
  } catch (e) {
    if (e instanceof AccessDeniedError) return fail(flags, io, e.message);
    throw e;
  } finally {
    await producer.close().catch(() => {});
  }
}

async function loadCatalog(generatedDir: string): Promise<FeatureCatalog> {
  try {
    return await loadFeatureCatalog(generatedDir);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function onlyWriter(catalog: FeatureCatalog, feature: string): string {
  const writers = catalog.consumers.filter((c) => catalog.canWrite(c, feature));
  if (writers.length === 0) throw new UsageError(SEND_ERRORS.noWriter(feature));
  if (writers.length > 1) throw new UsageError(SEND_ERRORS.chooseConsumer(feature, writers));
  return writers[0] as string;
}

/** Every line checked and encoded, or null after reporting the invalid ones. */
function prepareLines(producer: CommandProducer, flags: SendFlags, text: string, io: Io): PreparedCommand[] | null {
  const prepared: PreparedCommand[] = [];
  const problems: string[] = [];
  let total = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    total++;
    try {
      prepared.push(producer.encodeByName(flags.feature, parseLine(line)));
    } catch (e) {
      if (e instanceof AccessDeniedError) throw e;
      if (!(e instanceof FeatureStoreError || e instanceof LineError)) throw e;
      problems.push(`${flags.file}:${i + 1}: ${e.message}`);
    }
  });
  if (total === 0) throw new UsageError(SEND_ERRORS.emptyFile(flags.file));
  if (problems.length === 0) return prepared;
  const shown = problems.slice(0, MAX_REPORTED_LINES);
  const more = problems.length - shown.length;
  const summary = SEND_ERRORS.invalidLines(flags.file, problems.length, total);
  if (flags.json) io.out(`${JSON.stringify({ ok: false, error: summary, lines: problems })}\n`);
  io.err(`${[...shown, ...(more > 0 ? [`… and ${more} more`] : []), SEND_ERRORS.lineHint, summary].join('\n')}\n`);
  return null;
}

class LineError extends Error {}

function parseLine(line: string): { key: Record<string, unknown>; value: Record<string, unknown>; eventTime?: Date } {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (e) {
    throw new LineError(SEND_ERRORS.notJson((e as Error).message));
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new LineError(SEND_ERRORS.notARow);
  const r = row as Record<string, unknown>;
  for (const name of Object.keys(r)) if (!ROW_PROPERTIES.has(name)) throw new LineError(SEND_ERRORS.unknownProperty(name));
  const { key, value, eventTime } = r;
  if (eventTime === undefined) return { key: key as Record<string, unknown>, value: value as Record<string, unknown> };
  const at = typeof eventTime === 'string' ? parseIsoTimestamp(eventTime) : null;
  if (!at) throw new LineError(SEND_ERRORS.badEventTime(eventTime));
  return { key: key as Record<string, unknown>, value: value as Record<string, unknown>, eventTime: at };
}

async function publish(
  producer: CommandProducer,
  prepared: readonly PreparedCommand[],
  batchSize: number,
  flags: SendFlags,
  spec: ReturnType<typeof parseStreamFlags>,
  io: Io,
): Promise<number> {
  const started = performance.now();
  let acknowledged = 0;
  let batches = 0;
  for (let i = 0; i < prepared.length; i += batchSize) {
    const chunk = prepared.slice(i, i + batchSize);
    try {
      await producer.publish(chunk);
    } catch (e) {
      const problem = e instanceof Error ? e.message : String(e);
      return fail(flags, io, SEND_ERRORS.sendFailed(acknowledged, prepared.length, problem.split('\n')[0] ?? problem));
    }
    acknowledged += chunk.length;
    batches++;
  }
  const ms = Math.round(performance.now() - started);
  const where = spec.kind === 'kafka' ? spec.brokers.join(',') : 'memory';
  if (flags.json) io.out(`${JSON.stringify({ ok: true, feature: flags.feature, topic: spec.topic, brokers: where, consumer: producer.consumer, sent: acknowledged, batches, ms })}\n`);
  else io.out(`sent ${acknowledged} command${acknowledged === 1 ? '' : 's'} for ${flags.feature} as ${producer.consumer} to ${spec.topic} at ${where} in ${batches} batch${batches === 1 ? '' : 'es'} (${ms} ms)\n`);
  return EXIT_OK;
}

function fail(flags: SendFlags, io: Io, message: string): number {
  if (flags.json) io.out(`${JSON.stringify({ ok: false, error: message })}\n`);
  io.err(`featurestore: ${message}\n`);
  return EXIT_INVALID;
}
