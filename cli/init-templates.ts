/**
 * What `featurestore init` writes: the project config with one consumer, one example feature, the
 * `.gitignore` entries and the `codegen` script. Plain strings, so a test can codegen them as they are.
 */
import { DEFAULT_SQLITE_FILE } from './serve-project.ts';
import { DEFAULT_DUCKDB_FILE } from './store-flags.ts';
import { QUARANTINE_DIR } from './upsync.ts';

export interface InitNames {
  /** Namespace of the example feature (`<namespace>::user-profile-v1`). */
  readonly namespace: string;
  /** The consumer: the service that reads (and here also writes) the example feature. */
  readonly consumer: string;
}

export const INIT_DEFAULTS: InitNames = { namespace: 'example', consumer: 'my-service' };

/** The example feature's name within its namespace. */
export const EXAMPLE_FEATURE = 'user-profile-v1';

/** `FS_KEYS_<CONSUMER>`: the variable `featurestore serve` reads the consumer's API keys from. */
export function keyVariableOf(consumer: string): string {
  return `FS_KEYS_${consumer.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function configYaml({ consumer }: InitNames): string {
  return `# yaml-language-server: $schema=./generated/schema/featurestore-config.schema.json
# Project config of the feature store. Every key is optional; see the featurestore README.
cassandra:
  keyspace: feature_store
consumers:
  ${consumer}:
    description: The service that reads these features
    # featurestore serve reads this consumer's API keys (comma-separated) from this variable.
    api_keys_env: ${keyVariableOf(consumer)}
`;
}

export function exampleFeatureYaml({ namespace, consumer }: InitNames): string {
  return `# yaml-language-server: $schema=../../generated/schema/features.schema.json
# One feature per key below; run \`npm run codegen\` after every change and commit generated/ with it.
${namespace}::${EXAMPLE_FEATURE}:
  feature_type: Object
  owner: "your-team"
  description: An example feature; rename or replace it.
  schema:
    user_id:
      type: Long
      description: The user the profile belongs to
      is_key_field: true
    display_name:
      type: Text
      description: Name shown in the app
      default_value: ""
    score:
      type: Double
      description: A model score
      default_value: 0.0
    updated_at:
      type: Timestamp
      description: When the profile last changed
      nullable: true
  retention: 30d
  access:
    read: [${consumer}]
    write: [${consumer}]
`;
}

/** Lines `init` makes sure `.gitignore` has (each added once; nothing is ever removed). */
export const GITIGNORE_HEADER = '# featurestore: the embedded stores (online SQLite, offline DuckDB), upsync\'s quarantine and what codegen leaves behind';
export const GITIGNORE_ENTRIES = [
  DEFAULT_SQLITE_FILE,
  `${DEFAULT_SQLITE_FILE}-wal`,
  `${DEFAULT_SQLITE_FILE}-shm`,
  DEFAULT_DUCKDB_FILE,
  `${DEFAULT_DUCKDB_FILE}.wal`,
  `${QUARANTINE_DIR}/`,
  // codegen's lock and its staging and retired folders beside generated/ (removed when a run ends).
  '.generated.lock',
  '.generated.staging-*',
  '.generated.retired-*',
  // Python bytecode left by Airflow loading generated/airflow/.
  '__pycache__/',
  '*.pyc',
] as const;

export const CODEGEN_SCRIPT = 'featurestore codegen';
