// Readiness probes with the project's own clients: node scripts/services/probe.mjs SERVICE ENDPOINT
// Exit 0 and print one line when the service answers a real request, non-zero otherwise.
//   cassandra 127.0.0.1:9042          -> SELECT release_version FROM system.local
//   kafka     127.0.0.1:9092          -> create topic __services_probe + fetch its metadata
//   redis     redis://127.0.0.1:6379  -> PING
//   bigquery  http://127.0.0.1:9050   -> SELECT 1 through @google-cloud/bigquery
// The Google clients must not look for a GCE metadata server (a non-loopback address) on this machine.
process.env.METADATA_SERVER_DETECTION ??= 'none';
const [service, endpoint] = process.argv.slice(2);
const deadline = setTimeout(() => fail('timed out'), Number(process.env.PROBE_TIMEOUT_MS ?? 15000));

function fail(msg) {
  console.error(`${service} probe failed: ${msg}`);
  process.exit(1);
}

async function cassandra() {
  const { default: driver } = await import('cassandra-driver');
  const user = process.env.CASSANDRA_USERNAME ?? 'cassandra';
  const client = new driver.Client({
    contactPoints: endpoint.split(','),
    localDataCenter: process.env.CASSANDRA_LOCAL_DC ?? 'datacenter1',
    authProvider: new driver.auth.PlainTextAuthProvider(user, process.env.CASSANDRA_PASSWORD ?? 'cassandra'),
  });
  try {
    await client.connect();
    const rs = await client.execute('SELECT release_version FROM system.local');
    return `cassandra ${rs.first().release_version}`;
  } finally {
    await client.shutdown().catch(() => {});
  }
}

async function kafka() {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'services-probe', brokers: endpoint.split(','), logLevel: logLevel.NOTHING,
    retry: { retries: 1 } }).admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: '__services_probe', numPartitions: 1 }], waitForLeaders: true });
    const meta = await admin.fetchTopicMetadata({ topics: ['__services_probe'] });
    const cluster = await admin.describeCluster();
    return `kafka ${cluster.brokers.length} broker(s), probe topic partitions=${meta.topics[0].partitions.length}`;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function redis() {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(endpoint, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return `redis ${await client.ping()}`;
  } finally {
    client.disconnect();
  }
}

async function bigquery() {
  const { BigQuery } = await import('@google-cloud/bigquery');
  const bq = new BigQuery({ projectId: process.env.BIGQUERY_PROJECT ?? 'test-project', apiEndpoint: endpoint });
  const [rows] = await bq.query({ query: 'SELECT 1 AS ok' });
  return `bigquery SELECT 1 -> ${rows[0].ok}`;
}

const probes = { cassandra, kafka, redis, bigquery };
if (!probes[service] || !endpoint) fail(`usage: probe.mjs ${Object.keys(probes).join('|')} ENDPOINT`);
probes[service]()
  .then((line) => { clearTimeout(deadline); console.log(line); process.exit(0); })
  .catch((e) => fail(e?.message ?? String(e)));
