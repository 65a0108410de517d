/** The shared stream flags of `send` and `downsync`: defaults, the environment, and each refusal. */
import { describe, expect, it } from 'vitest';
import { parseStreamFlags, streamOptionsOf } from '../../cli/stream-flags.ts';
import { UsageError } from '../../generator/diagnostics.ts';

describe('parseStreamFlags', () => {
  it('defaults to Kafka on 127.0.0.1:9092 and the manifest topic', () => {
    expect(parseStreamFlags({}, 'feature-commands', {})).toEqual({ kind: 'kafka', brokers: ['127.0.0.1:9092'], topic: 'feature-commands' });
  });

  it('takes KAFKA_BROKERS, and --brokers over it, and --topic over the manifest', () => {
    expect(parseStreamFlags({}, 't', { KAFKA_BROKERS: 'a:1, b:2' })).toMatchObject({ brokers: ['a:1', 'b:2'] });
    expect(parseStreamFlags({ brokers: '[::1]:9092', topic: 'other.topic' }, 't', { KAFKA_BROKERS: 'a:1' })).toEqual({
      kind: 'kafka',
      brokers: ['[::1]:9092'],
      topic: 'other.topic',
    });
    expect(streamOptionsOf({ kind: 'kafka', brokers: ['a:1'], topic: 't' })).toEqual({ kind: 'kafka', brokers: ['a:1'], clientId: 'featurestore-cli' });
  });

  it('parses memory without brokers', () => {
    expect(parseStreamFlags({ stream: 'memory', brokers: 'nonsense' }, 't', {})).toEqual({ kind: 'memory', topic: 't' });
  });

  it('refuses an unknown stream, bad brokers (naming where they came from) and bad topics, as usage errors', () => {
    expect(() => parseStreamFlags({ stream: 'rabbit' }, 't', {})).toThrow(new UsageError('invalid --stream "rabbit": expected kafka or memory'));
    expect(() => parseStreamFlags({ brokers: 'a:1,b' }, 't', {})).toThrow(/^invalid --brokers "a:1,b": "b" is not host:port/);
    expect(() => parseStreamFlags({}, 't', { KAFKA_BROKERS: 'x:99999' })).toThrow(/^invalid KAFKA_BROKERS "x:99999"/);
    expect(() => parseStreamFlags({ topic: 'a b' }, 't', {})).toThrow(UsageError);
    expect(() => parseStreamFlags({}, '..', {})).toThrow(/invalid --topic/);
  });
});
