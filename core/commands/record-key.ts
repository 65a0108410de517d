/**
 * The Kafka record key of a command: UTF-8 of the feature's full name, one 0x00, then the key record's
 * Avro bytes. Kafka's default partitioner hashes the whole record key (murmur2 in the Java client and
 * kafkajs alike), so every command for one entity of one feature lands in one partition, in send order:
 * per-key order. Including the feature spreads features sharing an entity over partitions. A full name
 * never contains NUL (YAML names are `[a-z0-9-]`), so the split is unambiguous.
 */
import { COMMAND_ERRORS, CommandDecodeError, CommandEncodeError } from './command-errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function commandRecordKey(feature: string, keyBytes: Uint8Array): Uint8Array {
  if (feature.includes('\0')) throw new CommandEncodeError(COMMAND_ERRORS.nulInFeatureName(feature));
  const name = encoder.encode(feature);
  const out = Buffer.allocUnsafe(name.byteLength + 1 + keyBytes.byteLength);
  out.set(name, 0);
  out[name.byteLength] = 0;
  out.set(keyBytes, name.byteLength + 1);
  return out;
}

/** The inverse of commandRecordKey; `key` is a view into `recordKey`. */
export function splitCommandRecordKey(recordKey: Uint8Array): { readonly feature: string; readonly key: Uint8Array } {
  const nul = recordKey.indexOf(0);
  if (nul < 0) throw new CommandDecodeError('the command record key', 'no 0x00 separator after the feature name');
  let feature: string;
  try {
    feature = decoder.decode(recordKey.subarray(0, nul));
  } catch {
    throw new CommandDecodeError('the command record key', COMMAND_ERRORS.invalidUtf8('feature'));
  }
  return { feature, key: recordKey.subarray(nul + 1) };
}
