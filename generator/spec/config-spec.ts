/** The optional project config file (`featurestore.yaml`); every key has a default so none is needed. */
import { z } from 'zod';
import { CONSUMER_NAME_PATTERN } from './names.ts';

const identifier = z.string().regex(/^[a-z][a-z0-9_]{0,47}$/);

export const consumerSpec = z.strictObject({
  description: z.string().optional(),
  cassandra_role: identifier.optional().describe('Cassandra role the consumer logs in as (default: the consumer name, dashes as underscores)'),
  bigquery_member: z
    .string()
    .regex(/^(user|serviceAccount|group|domain):\S+$/)
    .optional()
    .describe('BigQuery IAM member, e.g. serviceAccount:recsys@proj.iam.gserviceaccount.com; no offline grant when absent'),
  api_keys_env: z.string().optional().describe('Environment variable holding the consumer\'s Read API keys (comma-separated)'),
});

/**
 * What generated TypeScript imports the runtime from: a bare package specifier (`featurestore/runtime`,
 * `@acme/featurestore/runtime`) or a package import (`#featurestore`), never a path. A path would tie the
 * output to where the toolchain is installed, so `codegen --check` would differ between machines.
 */
export const RUNTIME_IMPORT_PATTERN = /^(?:#[A-Za-z0-9._~/-]+|(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(?:\/[A-Za-z0-9._~-]+)*)$/;
export const DEFAULT_RUNTIME_IMPORT = 'featurestore/runtime';

export const codegenSpec = z.strictObject({
  runtime_import: z
    .string()
    .regex(RUNTIME_IMPORT_PATTERN, {
      error: 'use a package specifier such as featurestore/runtime or a package import such as #featurestore; a path would make the output depend on where the toolchain is installed',
    })
    .default(DEFAULT_RUNTIME_IMPORT)
    .describe('Module specifier generated TypeScript imports the runtime from (default featurestore/runtime)'),
});

export const configSpec = z.strictObject({
  cassandra: z
    .strictObject({
      keyspace: identifier.default('feature_store'),
      replication_factor: z.int().min(1).max(9).default(1),
    })
    .default({ keyspace: 'feature_store', replication_factor: 1 }),
  bigquery: z
    .strictObject({
      project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/).default('local-project'),
      dataset: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/).default('feature_store'),
      location: z.string().default('US'),
    })
    .default({ project: 'local-project', dataset: 'feature_store', location: 'US' }),
  kafka: z
    .strictObject({ topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('featurestore.commands') })
    .default({ topic: 'featurestore.commands' }),
  consumers: z.record(z.string().regex(CONSUMER_NAME_PATTERN), consumerSpec.nullable()).default({}),
  codegen: codegenSpec.default({ runtime_import: DEFAULT_RUNTIME_IMPORT }),
});

export type ConfigSpec = z.infer<typeof configSpec>;

export const CONFIG_FILE_NAMES = ['featurestore.yaml', 'featurestore.yml'] as const;
