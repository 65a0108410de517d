/**
 * Messages and the error of upsync (offline → online). Each is one line, named by a constant the tests
 * use, so a message changes in one place. Problems with the request (an unknown feature, a bad window)
 * are UpsyncError with a code; a store failing mid-run is the store's own error, as the summary reports it.
 */

export const UPSYNC_UNKNOWN_FEATURE = 'UPSYNC_UNKNOWN_FEATURE';
export const UPSYNC_NOT_ENABLED = 'UPSYNC_NOT_ENABLED';
export const UPSYNC_NO_CONSUMER = 'UPSYNC_NO_CONSUMER';
export const UPSYNC_INVALID_OPTIONS = 'UPSYNC_INVALID_OPTIONS';
export const UPSYNC_TOO_MANY_QUARANTINED = 'UPSYNC_TOO_MANY_QUARANTINED';

export type UpsyncErrorCode =
  | typeof UPSYNC_UNKNOWN_FEATURE
  | typeof UPSYNC_NOT_ENABLED
  | typeof UPSYNC_NO_CONSUMER
  | typeof UPSYNC_INVALID_OPTIONS
  | typeof UPSYNC_TOO_MANY_QUARANTINED;

export const UPSYNC_ERRORS = {
  unknownFeature: (name: string, suggestion: string | null) =>
    `unknown feature ${name}${suggestion ? ` (did you mean ${suggestion}?)` : ''}: upsync takes the manifest's feature names, <namespace>::<name>-v<N>`,
  notEnabled: (name: string) => `feature ${name} does not have upsync.enabled: true in its definition (set it and run featurestore codegen)`,
  noFeatures: 'name at least one feature: --features a,b or --feature a',
  duplicateFeature: (name: string) => `feature ${name} is named more than once`,
  noConsumer: (features: readonly string[]) => `no consumer may write all of ${features.join(', ')} (access.write): upsync them in separate runs, or grant one consumer`,
  ambiguousConsumer: (candidates: readonly string[]) => `several consumers may write the features (${candidates.join(', ')}): pass --consumer NAME`,
  consumerCannotWrite: (consumer: string, feature: string) => `consumer ${consumer} may not write ${feature} (its access.write does not name it)`,
  unknownConsumer: (consumer: string, known: readonly string[]) => `unknown consumer ${consumer} (known: ${known.join(', ')})`,
  badShard: (text: string) => `invalid --shard "${text}": expected i/n with integers 0 <= i < n <= 100000, e.g. 0/4`,
  badTime: (flag: string, text: string) => `invalid ${flag} "${text}": expected an ISO 8601 time such as 2026-01-31T00:00:00Z`,
  badWindow: (since: string, until: string) => `--since ${since} is not before --until ${until}`,
  badDuration: (flag: string, text: string) => `invalid ${flag} "${text}": expected a duration such as 500ms, 30s, 10m, 12h or 7d`,
  badCount: (flag: string, text: string) => `invalid ${flag} "${text}": expected a positive integer`,
  badCountOrZero: (flag: string, text: string) => `invalid ${flag} "${text}": expected a non-negative integer`,
  fullAndIncremental: '--full and --incremental exclude each other',
  tooManyQuarantined: (count: number, max: number) => `${count} rows quarantined, more than --max-quarantined ${max}: stopped`,
} as const;

export const ROW_REASONS = {
  nullKey: (field: string) => `key field ${field} is null`,
  nullEventTime: (field: string) => `event-time field ${field} is null`,
  nullField: (field: string) => `${field} is null but the field is not nullable`,
  nullElement: (field: string, index: number) => `${field}[${index}] is null (list elements cannot be null)`,
  notAList: (field: string) => `${field} is not a list`,
  wrongType: (field: string, expected: string, got: string) => `${field}: expected ${expected}, got ${got}`,
  intRange: (field: string, value: number) => `${field}: ${value} is outside the 32-bit range of Int`,
  longRange: (field: string, value: bigint) => `${field}: ${value} is outside the signed 64-bit range of Long`,
  badTime: (field: string) => `${field}: not a valid timestamp`,
  badUpdatedAt: 'fs_updated_at is not a valid timestamp',
  unencodable: (problem: string) => `the value does not encode under the feature's Avro schema: ${problem}`,
} as const;

export class UpsyncError extends Error {
  override readonly name = 'UpsyncError';
  constructor(
    readonly code: UpsyncErrorCode,
    message: string,
  ) {
    super(message);
  }
}
