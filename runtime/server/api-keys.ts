/**
 * API keys → consumer names. Keys come from the environment variables the project config names per
 * consumer (`consumers.<name>.api_keys_env`, comma-separated), read once at startup. A presented key is
 * hashed and compared against every known digest with `timingSafeEqual`, so the time taken does not
 * depend on how much of a key an attacker guessed, nor on which consumer it belongs to.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const API_KEY_ERRORS = {
  duplicateKey: (a: string, b: string) => `the same API key is configured for consumers "${a}" and "${b}"`,
  unsetEnv: (consumer: string, variable: string) =>
    `consumer "${consumer}": ${variable} is not set, so it cannot call the Read API`,
} as const;

/** One key value configured for two consumers: a caller holding it would act as either. */
export class DuplicateApiKeyError extends Error {
  override readonly name = 'DuplicateApiKeyError';
  constructor(
    readonly first: string,
    readonly second: string,
  ) {
    super(API_KEY_ERRORS.duplicateKey(first, second));
  }
}

/** Longest credential header value looked at; anything longer is rejected without hashing. */
const MAX_KEY_LENGTH = 512;

export interface ApiKeyTable {
  /** The consumer owning `key`, or null. */
  consumerFor(key: string): string | null;
  /** Consumers that have at least one key (for the startup log). */
  readonly consumers: readonly string[];
}

/** The config's consumer entries as this module needs them (`featurestore.yaml` → `consumers`). */
export type ConsumerKeyConfig = Readonly<Record<string, { readonly api_keys_env?: string | undefined } | null>>;

/** Keys of each consumer from the environment; `warn` gets one line per consumer whose variable is unset. */
export function apiKeysFromEnv(
  consumers: ConsumerKeyConfig,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [consumer, spec] of Object.entries(consumers)) {
    const variable = spec?.api_keys_env;
    if (!variable) continue;
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') {
      warn(API_KEY_ERRORS.unsetEnv(consumer, variable));
      continue;
    }
    keys.set(consumer, raw.split(',').map((k) => k.trim()).filter((k) => k !== ''));
  }
  return keys;
}

export function createApiKeyTable(keysByConsumer: ReadonlyMap<string, readonly string[]>): ApiKeyTable {
  const entries: { digest: Buffer; consumer: string }[] = [];
  const owner = new Map<string, string>();
  for (const [consumer, keys] of keysByConsumer) {
    for (const key of keys) {
      const previous = owner.get(key);
      if (previous !== undefined && previous !== consumer) throw new DuplicateApiKeyError(previous, consumer);
      owner.set(key, consumer);
      entries.push({ digest: sha256(key), consumer });
    }
  }
  return {
    consumers: [...new Set(entries.map((e) => e.consumer))].sort(),
    consumerFor(key) {
      if (key.length === 0 || key.length > MAX_KEY_LENGTH) return null;
      const digest = sha256(key);
      let found: string | null = null;
      // No early exit: every digest is compared whatever matches.
      for (const entry of entries) {
        if (timingSafeEqual(entry.digest, digest)) found = entry.consumer;
      }
      return found;
    },
  };
}

/** The key in `Authorization: Bearer <key>` or `X-API-Key: <key>`; undefined when neither is present. */
export function presentedKey(authorization: string | undefined, xApiKey: string | string[] | undefined): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    // A malformed Authorization header is a wrong credential, not a missing one.
    return match ? match[1]! : '';
  }
  if (typeof xApiKey === 'string') return xApiKey.trim();
  if (Array.isArray(xApiKey)) return '';
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
