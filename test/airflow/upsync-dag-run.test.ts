/**
 * The generated upsync DAG run for real: Airflow 3 (the services venv) runs `airflow dags test` on a
 * DAG that codegen wrote for a temp project, with the featurestore-airflow package of this checkout
 * installed in the venv. The transform task is the Google provider's BigQueryInsertJobOperator,
 * pointed at the BigQuery emulator the standard way (BIGQUERY_EMULATOR_HOST, read by
 * google-cloud-bigquery, and an anonymous google_cloud_default connection), running a transform SQL
 * that fills the offline table `featurestore migrate` created; the upsync task runs this repository's
 * CLI (bin/featurestore.mjs on the dist/ the global setup built) into a SQLite online store, mapped
 * over two shards. The rows are then read back through the generated typed client.
 *
 * Run 1 copies eight rows; run 2, after the transform adds one row and updates another, is incremental:
 * its summaries (the tasks' XCom) show that only the new rows were read, plus the one row per shard
 * at that shard's watermark (the watermark is inclusive, by design of the offline read). Run 3 drops
 * the offline table: the upsync task fails (after the DAG's retries), the DAG run fails, and the
 * task log holds the CLI's error and its summary.
 *
 * Slow (each `dags test` parses the DAG, boots Airflow's in-process API and runs the tasks: ~20-40 s)
 * and in the BigQuery tier (a fresh emulator for this file; its timestamps and int64 are exercised).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnlineRuntime, type FeatureReader } from '../../runtime/index.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { ensureOperatorPackage, requireAirflow, runIn, SERVICES_AIRFLOW_HOME, venvBin, type PythonResult } from './airflow-venv.ts';

const FEATURE = 'fsit::user-score-v1';
const TABLE = 'fsit__user_score_v1';
const DAG_ID = 'featurestore_upsync__fsit';
const SHARDS = 2;
/** 2^53 + 1 (not a double), and the int64 extremes the emulator can parse as literals. */
const BIG = 9_007_199_254_740_993n;
const MAX = 9_223_372_036_854_775_807n;
const MIN_PLUS_ONE = -9_223_372_036_854_775_807n;

const YAML = `${FEATURE}:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    score: { type: Long }
    label: { type: Text, default_value: "" }
  upsync: { enabled: true, incremental_update: true, schedule: "@hourly", shards: ${SHARDS} }
  access: { read: [app], write: [upsync-worker] }
`;

/** Keys 6..9 of run 1: plain rows, so both shards surely get some. */
const PLAIN_KEYS = [6n, 7n, 8n, 9n];
const RUN1_ROWS = 4 + PLAIN_KEYS.length;
/** Run 1: rows an hour apart (more than the CLI's 10 min overlap), so a re-read of old rows is countable. */
const RUN1_SQL = `-- fills {{ params.target_table }} for {{ params.feature }}
INSERT INTO \`{{ params.target_table }}\` (user_id, score, label, fs_updated_at)
SELECT ${BIG}, ${MAX}, 'big key, max score', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 5 HOUR)
UNION ALL SELECT 2, -5, 'héllo ✓', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 4 HOUR)
UNION ALL SELECT 3, ${MIN_PLUS_ONE}, 'min', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 3 HOUR)
UNION ALL SELECT 4, 40, 'four', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 2 HOUR)
${PLAIN_KEYS.map((k, i) => `UNION ALL SELECT ${k}, ${k * 10n}, 'plain', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${6 + i} HOUR)`).join('\n')}
`;
/** Run 2: key 2 changes (a newer snapshot row), key 5 is new. */
const RUN2_SQL = `INSERT INTO \`{{ params.target_table }}\` (user_id, score, label, fs_updated_at)
SELECT 2, 22, 'two, updated', CURRENT_TIMESTAMP()
UNION ALL SELECT 5, ${BIG}, 'five', CURRENT_TIMESTAMP()
`;

interface FeatureSummary {
  feature: string;
  shard: string;
  mode: string;
  rowsRead: number;
  written: number;
  quarantined: number;
  watermarkBefore: string | null;
  watermarkAfter: string | null;
}
interface UpsyncSummary { ok: boolean; features: FeatureSummary[] }
/** What this test uses of the client codegen wrote into the temp project (imported at run time). */
interface GeneratedClient {
  createFeatures(reader: FeatureReader): { fsit: { userScoreV1: { get(key: { userId: bigint }): Promise<{ score: bigint; label: string } | null> } } };
}
interface DagRun { result: PythonResult; state: string | undefined; summaries: Map<number, UpsyncSummary> }

const dataset = uniqueDataset('airflow_run');
const bigquery = testBigQueryClient();
afterAll(() => bigquery.dataset(dataset).delete({ force: true }).catch(() => {}));

let root = '';
let airflowEnv: Record<string, string> = {};
let setupError: unknown;
const runs: DagRun[] = [];

function airflowDb(): string {
  return path.join(root, 'airflow-home', 'airflow.db');
}

/** `airflow dags test` once, then the run's state and the upsync tasks' XCom (the CLI's summaries) from the metadata DB. */
function runDag(): DagRun {
  const result = runIn(venvBin('airflow'), ['dags', 'test', DAG_ID], { env: airflowEnv, timeout: 300_000, cwd: root });
  const db = new Database(airflowDb(), { readonly: true });
  try {
    const run = db.prepare('SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1').get(DAG_ID) as { run_id: string; state: string } | undefined;
    const rows = db
      .prepare("SELECT map_index, value FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = 'featurestore_upsync' AND key = 'return_value'")
      .all(DAG_ID, run?.run_id ?? '') as { map_index: number; value: string }[];
    return { result, state: run?.state, summaries: new Map(rows.map((r) => [r.map_index, JSON.parse(r.value) as UpsyncSummary])) };
  } finally {
    db.close();
  }
}

async function writeTransform(sql: string): Promise<void> {
  await writeFile(path.join(root, 'transforms', `${TABLE}.sql`), sql);
}

/** Each mapped task's summary, in shard order; fails with the run's output when one is missing. */
function shardSummaries(run: DagRun): FeatureSummary[] {
  const out: FeatureSummary[] = [];
  for (let i = 0; i < SHARDS; i++) {
    const summary = run.summaries.get(i);
    expect(summary, `no XCom summary for shard ${i}/${SHARDS}\n${run.result.all.slice(-6000)}`).toBeDefined();
    expect(summary?.ok).toBe(true);
    expect(summary?.features).toHaveLength(1);
    out.push(summary!.features[0]!);
  }
  return out;
}

function requireSetup(): void {
  if (setupError !== undefined) throw setupError;
}

beforeAll(async () => {
  try {
    requireAirflow();
    ensureOperatorPackage();
    root = await tempDir('airflow-run');
    await mkdir(path.join(root, 'features', 'fsit'), { recursive: true });
    await mkdir(path.join(root, 'transforms'));
    await mkdir(path.join(root, 'airflow-home'));
    const config = path.join(root, 'featurestore.yaml');
    await writeFile(config, `bigquery: { project: ${emulatorProject()}, dataset: ${dataset} }\nconsumers:\n  upsync-worker: { description: the Airflow upsync }\n  app: { description: reads }\n`);
    await writeFile(path.join(root, 'features', 'fsit', 'fsit.yaml'), YAML);
    const generated = path.join(root, 'generated');
    const codegen = await runCli(['codegen', '--features', path.join(root, 'features'), '--out', generated, '--config', config]);
    if (codegen.code !== 0) throw new Error(`codegen failed: ${codegen.stderr}`);
    const migrate = await runCli(['migrate', '--target', 'bigquery', '--generated', generated, '--json']);
    if (migrate.code !== 0) throw new Error(`migrate --target bigquery failed: ${migrate.stderr}`);

    // A metadata DB of its own: a copy of the services' migrated one when there is one (instant), else migrated here.
    const home = path.join(root, 'airflow-home');
    airflowEnv = {
      AIRFLOW_HOME: home,
      AIRFLOW__CORE__DAGS_FOLDER: path.join(generated, 'airflow'),
      AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${airflowDb()}`,
      AIRFLOW__LOGGING__BASE_LOG_FOLDER: path.join(home, 'logs'),
      // Plain log lines: vitest sets DEV, which turns on Airflow's boxed rich tracebacks (messages split over lines).
      DEV: '',
      NO_COLOR: '1',
      // The DAG retries twice; 1 s instead of 5 min between tries keeps the failing run short.
      AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY: '1',
      FEATURESTORE_SQL_DIR: path.join(root, 'transforms'),
      // The Google provider's hook passes no endpoint, but google-cloud-bigquery's Client reads this one.
      BIGQUERY_EMULATOR_HOST: process.env['BIGQUERY_API_ENDPOINT'] ?? 'http://127.0.0.1:9050',
      AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT: JSON.stringify({ conn_type: 'google_cloud_platform', extra: { is_anonymous: true, project: emulatorProject() } }),
      FEATURESTORE_BIN: path.resolve('bin/featurestore.mjs'),
      FEATURESTORE_SKIP_DIST_CHECK: '1', // the global setup built dist/ for this run
      FEATURESTORE_UPSYNC_ARGS: `--generated ${generated} --config ${config} --offline bigquery --store sqlite:${path.join(root, 'online.sqlite')}`,
    };
    const services = path.join(SERVICES_AIRFLOW_HOME, 'airflow.db');
    if (existsSync(services)) await copyFile(services, airflowDb());
    else {
      const m = runIn(venvBin('airflow'), ['db', 'migrate'], { env: airflowEnv, timeout: 300_000 });
      if (m.status !== 0) throw new Error(`airflow db migrate failed:\n${m.all}`);
    }
  } catch (e) {
    setupError = e;
  }
}, 600_000);

describe('the generated upsync DAG, run by Airflow', () => {
  it('run 1: the transform fills the BigQuery table and the sharded upsync copies every row', async () => {
    requireSetup();
    await writeTransform(RUN1_SQL);
    const run = runDag();
    runs.push(run);
    expect(run.result.status, run.result.all.slice(-8000)).toBe(0);
    expect(run.state).toBe('success');
    // The operator's command line, as logged by the mapped tasks.
    for (let i = 0; i < SHARDS; i++) {
      expect(run.result.all).toMatch(new RegExp(`Running: \\S+featurestore\\.mjs upsync --feature ${FEATURE} --incremental --until \\S+ --shard ${i}/${SHARDS} --generated \\S+ .*--json`));
    }
    const shards = shardSummaries(run);
    expect(shards.map((s) => [s.feature, s.shard, s.mode, s.watermarkBefore])).toEqual(
      Array.from({ length: SHARDS }, (_, i) => [FEATURE, `${i}/${SHARDS}`, 'incremental', null]),
    );
    expect(shards.reduce((n, s) => n + s.rowsRead, 0)).toBe(RUN1_ROWS);
    expect(shards.reduce((n, s) => n + s.written, 0)).toBe(RUN1_ROWS);
    expect(shards.every((s) => s.rowsRead > 0), 'both shards got rows (keys hash apart)').toBe(true);
  }, 360_000);

  it('reads the rows back through the generated typed client, 64-bit Longs exact', async () => {
    requireSetup();
    expect(runs[0]?.state, 'run 1 did not succeed').toBe('success');
    const { createFeatures } = (await import(path.join(root, 'generated', 'ts', 'index.ts'))) as GeneratedClient;
    const runtime = await createOnlineRuntime({ generatedDir: path.join(root, 'generated'), store: { kind: 'sqlite', path: path.join(root, 'online.sqlite') } });
    try {
      const app = createFeatures(runtime.reader('app')).fsit.userScoreV1;
      expect(await app.get({ userId: BIG })).toEqual({ score: MAX, label: 'big key, max score' });
      expect(await app.get({ userId: 2n })).toEqual({ score: -5n, label: 'héllo ✓' });
      expect(await app.get({ userId: 3n })).toEqual({ score: MIN_PLUS_ONE, label: 'min' });
      expect(await app.get({ userId: 4n })).toEqual({ score: 40n, label: 'four' });
      for (const userId of PLAIN_KEYS) expect(await app.get({ userId })).toEqual({ score: userId * 10n, label: 'plain' });
      expect(await app.get({ userId: 5n })).toBeNull();
    } finally {
      await runtime.close();
    }
  });

  it('run 2 is incremental: only the new rows are read (plus each shard\'s row at its watermark), and they arrive', async () => {
    requireSetup();
    const first = runs[0];
    expect(first?.state, 'run 1 did not succeed').toBe('success');
    await writeTransform(RUN2_SQL);
    const run = runDag();
    runs.push(run);
    expect(run.result.status, run.result.all.slice(-8000)).toBe(0);
    const before = shardSummaries(first!);
    const shards = shardSummaries(run);
    for (let i = 0; i < SHARDS; i++) {
      expect(shards[i]?.watermarkBefore, `shard ${i}: starts from run 1's watermark`).toBe(before[i]?.watermarkAfter);
      // A shard that got a new row moves past run 1's rows (hours older); one that got none stays.
      const moved = Date.parse(shards[i]?.watermarkAfter ?? '') > Date.parse(before[i]?.watermarkAfter ?? '');
      expect(moved, `shard ${i}`).toBe((shards[i]?.rowsRead ?? 0) > 1);
    }
    expect(Math.max(...shards.map((s) => Date.parse(s.watermarkAfter ?? '')))).toBeGreaterThan(Math.max(...before.map((s) => Date.parse(s.watermarkAfter ?? ''))));
    // Run 1's rows are hours apart, so each shard re-reads exactly its newest old row (since is inclusive).
    const total = shards.reduce((n, s) => n + s.rowsRead, 0);
    expect(total).toBe(2 + SHARDS);
    expect(total).toBeLessThan(RUN1_ROWS + 2); // a full re-read would be every offline row

    const { createFeatures } = (await import(path.join(root, 'generated', 'ts', 'index.ts'))) as GeneratedClient;
    const runtime = await createOnlineRuntime({ generatedDir: path.join(root, 'generated'), store: { kind: 'sqlite', path: path.join(root, 'online.sqlite') } });
    try {
      const app = createFeatures(runtime.reader('app')).fsit.userScoreV1;
      expect(await app.get({ userId: 2n })).toEqual({ score: 22n, label: 'two, updated' });
      expect(await app.get({ userId: 5n })).toEqual({ score: BIG, label: 'five' });
      expect(await app.get({ userId: BIG })).toEqual({ score: MAX, label: 'big key, max score' });
    } finally {
      await runtime.close();
    }
  }, 360_000);

  it('run 3: with the offline table gone the upsync task fails, and so does the DAG run, with the CLI\'s error in the log', async () => {
    requireSetup();
    await writeTransform('SELECT 1 AS nothing_to_transform\n');
    await bigquery.dataset(dataset).table(TABLE).delete();
    const run = runDag();
    expect(run.result.status, run.result.all.slice(-8000)).not.toBe(0);
    expect(run.state).toBe('failed');
    expect(run.summaries.size, 'a failed task returns no XCom').toBe(0);
    const log = run.result.all;
    expect(log).toMatch(/featurestore upsync failed with exit code 1/);
    expect(log).toContain(`offline table ${TABLE} does not exist in BigQuery`);
    expect(log).toMatch(/summary: \{"ok": false/);
    // Every try of every shard ran the CLI (1 + 2 retries each).
    expect(log.match(/Running: \S+featurestore\.mjs upsync /g)?.length).toBe(3 * SHARDS);
  }, 360_000);
});
