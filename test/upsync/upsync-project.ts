/**
 * A small project for the upsync tests: a config, four features (an incremental Object with every
 * scalar kind, a History feature, an Object without incremental updates, one without upsync) and
 * codegen's output, in a temp folder of its own. No server: the stores are files in that folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

export const OBJ = 't::obj-v1';
export const EVENTS = 't::events-v1';
export const FULL_ONLY = 't::full-only-v1';
export const NO_UPSYNC = 't::no-upsync-v1';

export const FEATURES_YAML = `
${OBJ}:
  feature_type: Object
  owner: tests
  description: Every scalar kind, incremental.
  schema:
    user_id: { type: Long, description: key, is_key_field: true }
    score: { type: Int, description: an Int, default_value: 0 }
    amount: { type: Long, description: a Long, default_value: 0 }
    name: { type: Text, description: nullable text, nullable: true }
    ratio: { type: Double, description: a Double, default_value: 0 }
    tags: { type: List<Text>, description: a list, default_value: [] }
    seen_at: { type: Timestamp, description: nullable time, nullable: true }
  upsync: { enabled: true, incremental_update: true, schedule: "@hourly" }
  cache: { ttl: 5m }
  access: { read: [reader], write: [upsync-worker] }

${EVENTS}:
  feature_type: History
  owner: tests
  description: Events.
  schema:
    user_id: { type: Long, description: key, is_key_field: true }
    event_at: { type: Timestamp, description: event time, is_event_time: true }
    amount: { type: Long, description: amount, default_value: 0 }
  history: { max_events: 100 }
  upsync: { enabled: true, incremental_update: true, schedule: "@hourly" }
  access: { read: [reader], write: [upsync-worker] }

${FULL_ONLY}:
  feature_type: Object
  owner: tests
  description: Full loads only.
  schema:
    user_id: { type: Long, description: key, is_key_field: true }
    score: { type: Int, description: an Int, default_value: 0 }
  upsync: { enabled: true, incremental_update: false, schedule: "@daily" }
  access: { read: [reader], write: [upsync-worker, other-writer] }

${NO_UPSYNC}:
  feature_type: Object
  owner: tests
  description: Not upsynced.
  schema:
    user_id: { type: Long, description: key, is_key_field: true }
    score: { type: Int, description: an Int, default_value: 0 }
  access: { read: [reader], write: [upsync-worker] }
`;

export interface UpsyncProject {
  readonly root: string;
  readonly config: string;
  readonly generated: string;
  readonly sqlite: string;
  readonly duckdb: string;
}

export async function upsyncProject(prefix: string, options: { readonly keyspace?: string; readonly dataset?: string; readonly bigqueryProject?: string } = {}): Promise<UpsyncProject> {
  const root = await tempDir(prefix);
  const features = path.join(root, 'features');
  await mkdir(features, { recursive: true });
  const config = path.join(root, 'featurestore.yaml');
  await writeFile(
    config,
    [
      `cassandra: { keyspace: ${options.keyspace ?? 'upsync_tests'} }`,
      `bigquery: { project: ${options.bigqueryProject ?? 'test-project'}, dataset: ${options.dataset ?? 'upsync_tests'}, location: US }`,
      'consumers:',
      '  reader: {}',
      '  upsync-worker: {}',
      '  other-writer: {}',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(features, 't.yaml'), FEATURES_YAML);
  const generated = path.join(root, 'generated');
  const r = await runCli(['codegen', '--features', features, '--out', generated, '--config', config]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return { root, config, generated, sqlite: path.join(root, 'featurestore.sqlite'), duckdb: path.join(root, 'featurestore.duckdb') };
}
