/**
 * Which test files need the real backing services (Cassandra, Kafka, Redis, the BigQuery emulator,
 * Airflow): the integration tier. Everything else is the unit tier, which runs in seconds with no
 * server (`npm test -- --project unit`). A file lands here by what it connects to, not by folder;
 * the tier check (test/build/tiers.test.ts) fails when a unit-tier file reaches a service.
 */
export const INTEGRATION_TESTS: readonly string[] = [
  'test/services/**/*.test.ts',
  'test/airflow/**/*.test.ts',
  'test/conformance/cassandra*.test.ts',
  'test/conformance/bigquery*.test.ts',
  'test/conformance/kafka*.test.ts',
  'test/conformance/redis*.test.ts',
  'test/commands/kafka-*.test.ts',
  'test/downsync/cassandra-*.test.ts',
  'test/downsync/kafka-*.test.ts',
  'test/downsync/redis-*.test.ts',
  'test/upsync/*-bigquery.test.ts',
  'test/emit/cql.test.ts',
  'test/emit/identifiers.test.ts',
  'test/hostile/cache-*.test.ts',
  'test/hostile/splitter-*.test.ts',
  'test/runtime/read-through-cache.test.ts',
  'test/runtime/redis-outage.test.ts',
  'test/runtime/schema-evolution.test.ts',
  'test/runtime/typed-accessors-cassandra.test.ts',
  'test/server/http-reader.test.ts',
  'test/server/ops-routes.test.ts',
];

/**
 * The integration files that use the BigQuery emulator. Its SQL engine runs in one 32-bit
 * WebAssembly heap and serves requests slowly under load, so these files run one after another,
 * beside the rest of the integration tier, and keep their batches small.
 */
export const BIGQUERY_EMULATOR_TESTS: readonly string[] = [
  'test/airflow/upsync-dag-run.test.ts',
  'test/upsync/*-bigquery.test.ts',
  'test/conformance/bigquery*.test.ts',
  'test/downsync/kafka-bigquery-*.test.ts',
  'test/emit/identifiers.test.ts',
  'test/hostile/splitter-*.test.ts',
  'test/services/bigquery-ddl.test.ts',
  'test/services/migrate-bigquery.test.ts',
];
