/**
 * The stream flags shared by the commands that talk to the command topic (`featurestore send`,
 * `featurestore downsync`): `--stream kafka|memory`, `--brokers host:port,...` (default: the KAFKA_BROKERS
 * variable, else 127.0.0.1:9092, the local services), `--topic` (default: the manifest's
 * `project.kafka.topic`, so producers and the worker agree by construction). Checked before anything is
 * opened: each problem is a UsageError (exit 2) naming the flag. Whether `memory` makes sense is the
 * command's call (it never does across processes), so the parsed kind is returned, not judged, here.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../generator/diagnostics.ts';
import type { FeatureStreamOptions } from '../runtime/stream/open-feature-stream.ts';

export const STREAM_KINDS = ['kafka', 'memory'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export const DEFAULT_BROKERS = '127.0.0.1:9092';
export const BROKERS_ENV = 'KAFKA_BROKERS';

export interface StreamFlags {
  readonly stream?: string;
  readonly brokers?: string;
  readonly topic?: string;
}

export const STREAM_FLAG_ERRORS = {
  badStream: (value: string) => `invalid --stream "${value}": expected ${STREAM_KINDS.join(' or ')}`,
  badBrokers: (source: string, value: string, entry: string) =>
    `invalid ${source} "${value}": "${entry}" is not host:port (hint: --brokers 127.0.0.1:9092,kafka-2:9092)`,
  badTopic: (value: string) =>
    `invalid --topic "${value}": a Kafka topic is 1 to 249 characters of letters, digits, '.', '_' and '-'`,
} as const;

/** Adds the three flags to a command (their help names the defaults). */
export function addStreamOptions(cmd: Command, defaultKind: StreamKind = 'kafka'): Command {
  return cmd
    .addOption(new Option('--stream <kind>', 'the command stream: kafka or memory (in-process)').default(defaultKind))
    .option('--brokers <list>', `Kafka brokers, host:port,... (default: $${BROKERS_ENV}, else ${DEFAULT_BROKERS})`)
    .option('--topic <name>', "the command topic (default: the manifest's project.kafka.topic)");
}

export type StreamSpec =
  | { readonly kind: 'kafka'; readonly brokers: readonly string[]; readonly topic: string }
  | { readonly kind: 'memory'; readonly topic: string };

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * The checked flags. `manifestTopic` is the default topic; `env` is where KAFKA_BROKERS is read
 * (process.env by default, injectable for tests).
 */
export function parseStreamFlags(
  flags: StreamFlags,
  manifestTopic: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StreamSpec {
  const kind = flags.stream ?? 'kafka';
  if (!(STREAM_KINDS as readonly string[]).includes(kind)) throw new UsageError(STREAM_FLAG_ERRORS.badStream(kind));
  const topic = flags.topic ?? manifestTopic;
  if (!TOPIC.test(topic) || topic === '.' || topic === '..') throw new UsageError(STREAM_FLAG_ERRORS.badTopic(topic));
  if (kind === 'memory') return { kind: 'memory', topic };
  const fromEnv = env[BROKERS_ENV];
  const [source, value] = flags.brokers !== undefined ? ['--brokers', flags.brokers] : fromEnv ? [BROKERS_ENV, fromEnv] : ['--brokers', DEFAULT_BROKERS];
  return { kind: 'kafka', brokers: parseBrokers(source, value), topic };
}

function parseBrokers(source: string, value: string): string[] {
  const entries = value.split(',').map((s) => s.trim());
  for (const entry of entries) {
    const m = HOST_PORT.exec(entry);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) throw new UsageError(STREAM_FLAG_ERRORS.badBrokers(source, value, entry));
  }
  return entries;
}

/** openFeatureStream's options for a checked spec. */
export function streamOptionsOf(spec: StreamSpec, clientId = 'featurestore-cli'): FeatureStreamOptions {
  return spec.kind === 'kafka' ? { kind: 'kafka', brokers: spec.brokers, clientId } : { kind: 'memory' };
}
