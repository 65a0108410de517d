// Real client round-trips against the local services (or the external endpoints in the env):
//   node scripts/services/smoke.mjs [cassandra] [kafka] [redis] [bigquery]
// Cassandra: keyspace/table/insert/select + role GRANT (when auth is on); Kafka: produce + consume in a
// group; Redis: SET/GET; BigQuery: one line per DDL feature (works / fails: message).
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
  const bq = new BigQuery({ projectId, apiEndpoint: env.BIGQUERY_API_ENDPOINT ?? 'http://127.0.0.1:9050' });
  const ds = run;
  await bq.createDataset(ds);
  ok('bigquery', `createDataset ${ds}`);
  const t = `\`${projectId}.${ds}`;
  // [label, sql, required]: required ones count as failures, the others only report support
  const steps = [
    ['CREATE TABLE basic', `CREATE TABLE ${t}.basic\` (id STRING, ts TIMESTAMP, score FLOAT64)`, true],
    ['INSERT + SELECT', `INSERT INTO ${t}.basic\` (id, ts, score) VALUES ('u1', CURRENT_TIMESTAMP(), 1.5)`, true],
    ['CREATE TABLE IF NOT EXISTS', `CREATE TABLE IF NOT EXISTS ${t}.basic\` (id STRING)`, false],
    ['PARTITION BY DATE(ts)', `CREATE TABLE ${t}.part\` (id STRING, ts TIMESTAMP) PARTITION BY DATE(ts)`, false],
    ['CLUSTER BY', `CREATE TABLE ${t}.clus\` (id STRING, ts TIMESTAMP) CLUSTER BY id`, false],
    ['PARTITION BY + CLUSTER BY + OPTIONS(partition_expiration_days, description)',
      `CREATE TABLE IF NOT EXISTS ${t}.full\` (id STRING NOT NULL, ts TIMESTAMP, score FLOAT64) PARTITION BY DATE(ts) CLUSTER BY id OPTIONS(partition_expiration_days=30, description="feature table")`, false],
    ['OPTIONS(description) only', `CREATE TABLE ${t}.opt\` (id STRING) OPTIONS(description="d")`, false],
    ['column OPTIONS(description)', `CREATE TABLE ${t}.colopt\` (id STRING OPTIONS(description="entity"))`, false],
    ['REPEATED (ARRAY<STRING>) + STRUCT columns', `CREATE TABLE ${t}.arr\` (id STRING, tags ARRAY<STRING>, s STRUCT<a INT64, b STRING>)`, false],
    ['INSERT ARRAY value', `INSERT INTO ${t}.arr\` (id, tags) VALUES ('u1', ['x', 'y'])`, false],
    ['ALTER TABLE ADD COLUMN', `ALTER TABLE ${t}.basic\` ADD COLUMN extra STRING`, false],
    ['ALTER TABLE ADD COLUMN IF NOT EXISTS', `ALTER TABLE ${t}.basic\` ADD COLUMN IF NOT EXISTS extra2 INT64`, false],
    ['ALTER TABLE SET OPTIONS', `ALTER TABLE ${t}.basic\` SET OPTIONS(description="changed")`, false],
    ['GRANT (DCL)', `GRANT \`roles/bigquery.dataViewer\` ON TABLE ${t}.basic\` TO "user:someone@example.com"`, false],
    ['CREATE VIEW', `CREATE VIEW ${t}.v\` AS SELECT id FROM ${t}.basic\``, false],
    ['MERGE', `MERGE ${t}.basic\` T USING (SELECT 'u1' AS id, 2.0 AS score) S ON T.id = S.id WHEN MATCHED THEN UPDATE SET score = S.score WHEN NOT MATCHED THEN INSERT (id, score) VALUES (S.id, S.score)`, false],
  ];
  for (const [label, sql, required] of steps) {
    try {
      await bq.query({ query: sql });
      ok('bigquery', `${label}: works`);
    } catch (e) {
      const msg = `${label}: fails (${String(e.message).split('\n')[0].slice(0, 160)})`;
      required ? bad('bigquery', msg) : console.log(`no   bigquery: ${msg}`);
    }
  }
  try {
    const [rows] = await bq.query({ query: `SELECT id, score FROM ${t}.basic\`` });
    rows.length >= 1 ? ok('bigquery', `SELECT returned ${rows.length} row(s)`) : bad('bigquery', 'SELECT returned no rows');
    const [meta] = await bq.dataset(ds).table('full').getMetadata().catch(() => [null]);
    if (meta) {
      console.log(`info bigquery: table metadata of "full": timePartitioning=${JSON.stringify(meta.timePartitioning ?? null)} ` +
        `clustering=${JSON.stringify(meta.clustering ?? null)} description=${JSON.stringify(meta.description ?? null)}`);
    }
    await bq.dataset(ds).table('basic').insert([{ id: 'u2', score: 3 }]);
    ok('bigquery', 'tabledata.insertAll (streaming insert)');
  } catch (e) {
    bad('bigquery', e.message);
  } finally {
    await bq.dataset(ds).delete({ force: true }).catch(() => {});
  }
}

const all = { cassandra, kafka, redis, bigquery };
for (const name of wanted) {
  if (!all[name]) { bad(name, 'unknown service'); continue; }
  try { await all[name](); } catch (e) { bad(name, e?.message ?? String(e)); }
}
console.log(failures ? `${failures} failure(s)` : 'all smoke checks passed');
process.exit(failures ? 1 : 0);
