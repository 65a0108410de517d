/** Messages and errors of the write path (runtime/write). */
import { FeatureStoreError } from '../read/online-runtime.ts';

export const WRITE_ERRORS = {
  notAnArray: 'rows must be an array',
  notARow: (shape: string, where: string) => `each row must be an object ${shape}${where}`,
  notBytes: (where: string) => `the value must be Avro bytes (a Uint8Array)${where}`,
  unknownSchema: (schemaId: unknown, where: string) =>
    `writer schema id ${String(schemaId)} is not a schema this feature has had (manifest writerSchemas): encode with a schema of this deployment's manifest, or redeploy it with the regenerated one${where}`,
  undecodable: (schemaId: bigint, problem: string, where: string) =>
    `the value bytes do not decode under writer schema ${schemaId}: ${problem}${where}`,
  badTime: (what: string, value: unknown, where: string) => `${what} must be a valid Date, got ${String(value)}${where}`,
  eventTimeMismatch: (field: string, eventTime: Date, inValue: unknown, where: string) =>
    `eventTime ${eventTime.toISOString()} differs from the value's event-time field ${field} (${inValue instanceof Date ? inValue.toISOString() : String(inValue)})${where}`,
  invalidValue: (problems: readonly string[]) => `invalid value: ${problems.join('; ')}`,
  invalidKey: (problems: readonly string[]) => `invalid key: ${problems.join('; ')}`,
  longHint: 'a Long is a bigint: write 5n or BigInt(text), never a number, which rounds above 2^53',
  intHint: 'an Int is a number: a 32-bit integer',
  newerClient: (fingerprint: bigint) =>
    `this client was generated with value schema ${fingerprint}, which the runtime's manifest does not know: redeploy the runtime with the regenerated manifest before writing with it`,
  notAWriter: (feature: string) =>
    `cannot write ${feature}: the accessors are bound to a FeatureReader that does not write (the HTTP Read API is read-only); write through createOnlineRuntime(...).reader(consumer), or configure that reader`,
} as const;

/**
 * A typed write by a client generated from a newer manifest than the runtime's: its value schema is not
 * one this deployment could read back, so nothing is written.
 */
export class UndeployedSchemaError extends FeatureStoreError {
  override readonly name = 'UndeployedSchemaError';
  constructor(
    readonly feature: string,
    readonly fingerprint: bigint,
  ) {
    super(`${feature}: ${WRITE_ERRORS.newerClient(fingerprint)}`);
  }
}

/** A typed put/append through a reader that has no write path (the HTTP client). */
export class WritesUnsupportedError extends FeatureStoreError {
  override readonly name = 'WritesUnsupportedError';
  constructor(readonly feature: string) {
    super(WRITE_ERRORS.notAWriter(feature));
  }
}
