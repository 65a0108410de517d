// Real client round-trips against the local services (or the external endpoints in the env):
//   node scripts/services/smoke.mjs [cassandra] [kafka] [redis] [bigquery]
// Cassandra: keyspace/table/insert/select + role GRANT (when auth is on); Kafka: produce + consume in a
// group; Redis: SET/GET; BigQuery: one line per statement (ok: accepted [and its effect seen] / no: fails,
// or accepted without effect / info: metadata seen); only the basic CREATE/INSERT/SELECT/insertAll count as failures.
// The Google clients must not look for a GCE metadata server (a non-loopback address) on this machine.
process.env.METADATA_SERVER_DETECTION ??= 'none';
const env = process.env;
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['cassandra', 'kafka', 'redis', 'bigquery'];
const run = `smoke_${Date.now()}`;
let failures = 0;
const ok = (svc, msg) => console.log(`ok   ${svc}: ${msg}`);
const bad = (svc, msg) => { failures++; console.log(`FAIL ${svc}: ${msg}`); };

async function cassandra() {
  const { default: driver } = await import('cassandra-driver');
  const auth = new driver.auth.PlainTextAuthProvider(env.CASSANDRA_USERNAME ?? 'cassandra', env.CASSANDRA_PASSWORD ?? 'cassandra');
  const client = new driver.Client({ contactPoints: (env.CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042').split(','),
    localDataCenter: env.CASSANDRA_LOCAL_DC ?? 'datacenter1', authProvider: auth });
  await client.connect();
  try {
    await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${run} WITH replication = {'class':'SimpleStrategy','replication_factor':1}`);
    await client.execute(`CREATE TABLE ${run}.features (entity_id text PRIMARY KEY, score double, tags list<text>)`);
    await client.execute(`INSERT INTO ${run}.features (entity_id, score, tags) VALUES (?, ?, ?)`, ['u1', 0.5, ['a']], { prepare: true });
    const row = (await client.execute(`SELECT score FROM ${run}.features WHERE entity_id = 'u1'`)).first();
    row?.score === 0.5 ? ok('cassandra', 'create/insert/select') : bad('cassandra', `select returned ${row?.score}`);
    try {
      await client.execute(`CREATE ROLE IF NOT EXISTS ${run}_reader WITH PASSWORD = 'pw' AND LOGIN = true`);
      await client.execute(`GRANT SELECT ON TABLE ${run}.features TO ${run}_reader`);
      const perms = await client.execute(`LIST ALL PERMISSIONS OF ${run}_reader`);
      perms.rowLength === 1 ? ok('cassandra', 'CREATE ROLE + GRANT SELECT + LIST PERMISSIONS') : bad('cassandra', `permissions: ${perms.rowLength}`);
      await client.execute(`DROP ROLE ${run}_reader`);
    } catch (e) {
      if (/AllowAll|support PASSWORD/.test(e.message)) ok('cassandra', `auth is off (CASSANDRA_AUTH=0), GRANT unsupported: ${e.message}`);
      else throw e;
    }
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${run}`).catch(() => {});
    await client.shutdown();
  }
}

async function kafka() {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'smoke', brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
  const topic = `${run}_topic`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
  const consumer = kafka.consumer({ groupId: `${run}_group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const t0 = Date.now();
  const value = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 30000);
    consumer.run({ eachMessage: async ({ message }) => { clearTimeout(timer); resolve(message.value.toString()); } });
  });
  value === 'hello' ? ok('kafka', `produce + consume in a group (${Date.now() - t0} ms to first message)`) : bad('kafka', 'no message in 30 s');
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
}

async function redis() {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await client.set(run, 'v', 'EX', 60);
    (await client.get(run)) === 'v' ? ok('redis', 'SET/GET') : bad('redis', 'GET mismatch');
  } finally {
    client.disconnect();
  }
}

async function bigquery() {
  const { BigQuery } = await import('@google-cloud/bigquery');
  const projectId = env.BIGQUERY_PROJECT ?? 'test-project';
  const apiEndpoint = env.BIGQUERY_API_ENDPOINT ?? 'http://127.0.0.1:9050';
  const bq = new BigQuery({ projectId, apiEndpoint });
  const ds = run;
  const first = (e) => String(e?.errors?.[0]?.errors?.[0]?.message ?? e?.message ?? e).split('\n')[0].slice(0, 160);
  const no = (msg) => console.log(`no   bigquery: ${msg}`);
  const info = (msg) => console.log(`info bigquery: ${msg}`);
  // query LABEL SQL [OPTIONS] [required] -> rows, or null when the emulator refused it
  const query = async (label, sql, opts = {}, required = false) => {
    const started = Date.now();
    try {
      const [rows] = await bq.query({ query: sql, ...opts });
      ok('bigquery', `${label}: accepted (${Date.now() - started} ms)`);
      return rows;
    } catch (e) {
      const msg = `${label}: fails (${first(e)})`;
      required ? bad('bigquery', msg) : no(msg);
      return null;
    }
  };
  const meta = async (table) => (await bq.dataset(ds).table(table).getMetadata())[0];
  const columns = (m) => m.schema.fields.map((f) => `${f.name}:${f.type}${f.mode && f.mode !== 'NULLABLE' ? `/${f.mode}` : ''}`).join(',');
  // an accepted statement whose effect is missing is reported as such (the emulator accepts several as no-ops)
  const effect = (label, seen, what) => (seen ? ok('bigquery', `${label}: ${what}`) : no(`${label}: accepted but no effect (${what})`));

  // CREATE SCHEMA: checked on a fresh name; the emulator's catalog is only changed by the REST API
  const schema = `${ds}_schema`;
  if (await query('CREATE SCHEMA IF NOT EXISTS', `CREATE SCHEMA IF NOT EXISTS ${schema}`)) {
    const [exists] = await bq.dataset(schema).exists();
    effect('CREATE SCHEMA IF NOT EXISTS', exists, exists ? 'dataset created' : 'datasets.get answers 404, CREATE TABLE in it fails "dataset not found"');
    if (exists) await bq.dataset(schema).delete({ force: true }).catch(() => {});
  }
  await bq.createDataset(ds);
  ok('bigquery', `createDataset ${ds} (REST)`);

  try {
    const ddl = `CREATE TABLE IF NOT EXISTS ${ds}.t (a INT64 NOT NULL, b ARRAY<STRING>, ts TIMESTAMP NOT NULL OPTIONS(description="x")) ` +
      'PARTITION BY DATE(ts) CLUSTER BY a OPTIONS(partition_expiration_days=30, description="d", labels=[("owner","x")])';
    if (await query('CREATE TABLE IF NOT EXISTS + NOT NULL + column OPTIONS + PARTITION BY + CLUSTER BY + table OPTIONS', ddl)) {
      const m = await meta('t');
      info(`DDL table metadata: columns=${columns(m)} timePartitioning=${JSON.stringify(m.timePartitioning ?? null)} ` +
        `clustering=${JSON.stringify(m.clustering ?? null)} description=${JSON.stringify(m.description ?? null)} labels=${JSON.stringify(m.labels ?? null)}`);
      effect('PARTITION BY / CLUSTER BY in metadata', m.timePartitioning && m.clustering, 'timePartitioning + clustering');
      effect('NOT NULL in metadata', m.schema.fields[0].mode === 'REQUIRED', 'mode REQUIRED');
    }
    await query('CREATE TABLE IF NOT EXISTS on the existing table (must be a no-op)', ddl);
    await query('CREATE TABLE basic', `CREATE TABLE ${ds}.basic (id STRING, ts TIMESTAMP, score FLOAT64)`, {}, true);
    await query('INSERT literal', `INSERT INTO ${ds}.basic (id, ts, score) VALUES ('u1', CURRENT_TIMESTAMP(), 1.5)`, {}, true);
    await query('unqualified SELECT ds.t', `SELECT COUNT(*) AS n FROM ${ds}.basic`);
    await query('project-qualified SELECT `project.ds.t`', `SELECT COUNT(*) AS n FROM \`${projectId}.${ds}.basic\``);
    await query('project-qualified CREATE TABLE', `CREATE TABLE \`${projectId}.${ds}.q\` (id STRING)`);

    if (await query('ALTER TABLE ADD COLUMN IF NOT EXISTS c ... OPTIONS(description)', `ALTER TABLE ${ds}.t ADD COLUMN IF NOT EXISTS c FLOAT64 OPTIONS(description="y")`)) {
      effect('ALTER TABLE ADD COLUMN', (await meta('t')).schema.fields.some((f) => f.name === 'c'), 'column c in tables.get');
    }
    if (await query('ALTER TABLE SET OPTIONS(partition_expiration_days=7)', `ALTER TABLE ${ds}.t SET OPTIONS(partition_expiration_days=7)`)) {
      const tp = (await meta('t')).timePartitioning;
      effect('ALTER TABLE SET OPTIONS', tp?.expirationMs === String(7 * 86400000), `timePartitioning.expirationMs=${tp?.expirationMs ?? 'none'}`);
    }

    const insert = `INSERT INTO ${ds}.t (a, ts) VALUES (@a, CURRENT_TIMESTAMP())`;
    await query('parameterized INSERT, params {a: 1} (JS number)', insert, { params: { a: 1 } });
    await query("parameterized INSERT, params {a: '2'} types {a: 'INT64'}", insert, { params: { a: '2' }, types: { a: 'INT64' } });
    await query('parameterized SELECT, STRING / ARRAY<STRING> / TIMESTAMP params', 'SELECT @s AS s, ARRAY_LENGTH(@b) AS n, @t AS t',
      { params: { s: 'x', b: ['p', 'q'], t: new Date() } });

    await query('CREATE TABLE src + INSERT', `CREATE TABLE ${ds}.src (id STRING, score FLOAT64)`);
    await query('INSERT src', `INSERT INTO ${ds}.src (id, score) VALUES ('u1', 2.0), ('u9', 9.0)`);
    const merge = (source) => `MERGE ${ds}.basic T USING ${source} S ON T.id = S.id ` +
      'WHEN MATCHED THEN UPDATE SET score = S.score WHEN NOT MATCHED THEN INSERT (id, score) VALUES (S.id, S.score)';
    if (await query('MERGE ... USING table', merge(`${ds}.src`))) {
      const rows = await query('SELECT after MERGE', `SELECT id, score FROM ${ds}.basic ORDER BY id`, {}, true);
      effect('MERGE ... USING table', rows?.length === 2 && rows[0].score === 2, `rows=${JSON.stringify(rows)}`);
    }
    await query('MERGE ... USING (SELECT ...) subquery', merge(`(SELECT 'u1' AS id, 3.0 AS score)`));
    await query('GRANT `roles/bigquery.dataViewer` ON TABLE ... TO "serviceAccount:..."',
      `GRANT \`roles/bigquery.dataViewer\` ON TABLE ${ds}.basic TO "serviceAccount:x@y.iam.gserviceaccount.com"`);
    await query('DROP TABLE IF EXISTS (missing table)', `DROP TABLE IF EXISTS ${ds}.nope`);
    await query('CREATE OR REPLACE TABLE', `CREATE OR REPLACE TABLE ${ds}.basic2 (id STRING)`);
    await query('CREATE VIEW', `CREATE VIEW ${ds}.v AS SELECT id FROM ${ds}.basic`);

    const rows = await query('SELECT', `SELECT id, score FROM ${ds}.basic`, {}, true);
    if (rows && rows.length < 1) bad('bigquery', 'SELECT returned no rows');
    await bq.dataset(ds).table('basic').insert([{ id: 'u2', score: 3 }]);
    const [after] = await bq.query({ query: `SELECT score FROM ${ds}.basic WHERE id = 'u2'` });
    after.length === 1 ? ok('bigquery', 'tabledata.insertAll (streaming insert) + SELECT') : bad('bigquery', 'insertAll row not found');

    // the same table features through the REST API (tables.insert / tables.patch) instead of DDL
    const schemaFields = [{ name: 'id', type: 'STRING', mode: 'REQUIRED' }, { name: 'ts', type: 'TIMESTAMP' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' }];
    const [rest] = await bq.dataset(ds).createTable('rest', { schema: schemaFields, description: 'via REST',
      timePartitioning: { type: 'DAY', field: 'ts', expirationMs: String(30 * 86400000) }, clustering: { fields: ['id'] } });
    const [m] = await rest.getMetadata();
    info(`REST tables.insert kept timePartitioning=${JSON.stringify(m.timePartitioning ?? null)} ` +
      `clustering=${JSON.stringify(m.clustering ?? null)} description=${JSON.stringify(m.description ?? null)} columns=${columns(m)}`);
    try {
      await rest.setMetadata({ schema: { fields: [...schemaFields, { name: 'extra', type: 'INT64' }] }, description: 'patched' });
      const [m2] = await rest.getMetadata();
      info(`REST tables.patch -> columns=${columns(m2)} description=${JSON.stringify(m2.description ?? null)}`);
    } catch (e) {
      no(`REST tables.patch fails (${first(e)})`);
    }

    // projects other than --project: 404 unless listed in BIGQUERY_EXTRA_PROJECTS
    const otherId = (env.BIGQUERY_EXTRA_PROJECTS ?? '').split(/[,\s]+/).find((p) => p && p !== projectId) ?? 'other-project';
    const other = new BigQuery({ projectId: otherId, apiEndpoint });
    try {
      await other.createDataset(`${ds}_other`);
      await other.query({ query: `CREATE TABLE ${ds}_other.x (a INT64)` });
      await other.query({ query: `INSERT INTO ${ds}_other.x (a) VALUES (7)` });
      const [r] = await bq.query({ query: `SELECT a FROM \`${otherId}.${ds}_other.x\`` });
      ok('bigquery', `second project ${otherId}: createDataset + DDL + INSERT, read from ${projectId} (a=${r[0]?.a})`);
      await other.dataset(`${ds}_other`).delete({ force: true }).catch(() => {});
    } catch (e) {
      no(`second project ${otherId}: ${first(e)} (start the emulator with BIGQUERY_EXTRA_PROJECTS=${otherId})`);
    }
  } catch (e) {
    bad('bigquery', first(e));
  } finally {
    await bq.query({ query: `DROP VIEW IF EXISTS ${ds}.v` }).catch(() => {});
    const t0 = Date.now();
    await bq.dataset(ds).delete({ force: true }).catch((e) => info(`dataset delete failed after ${Date.now() - t0} ms: ${first(e)}`));
  }
}

const all = { cassandra, kafka, redis, bigquery };
for (const name of wanted) {
  if (!all[name]) { bad(name, 'unknown service'); continue; }
  try { await all[name](); } catch (e) { bad(name, e?.message ?? String(e)); }
}
console.log(failures ? `${failures} failure(s)` : 'all smoke checks passed');
process.exit(failures ? 1 : 0);
