/** BigQuery emulator access for tests: the project the emulator serves, and unique datasets. */
import { BigQuery } from '@google-cloud/bigquery';
import { bigQueryOptions } from '../../runtime/connect/bigquery.ts';

/** The emulator serves one project (BIGQUERY_PROJECT from the services harness). */
export function emulatorProject(): string {
  return process.env['BIGQUERY_PROJECT'] ?? 'test-project';
}

export function testBigQueryClient(): BigQuery {
  return new BigQuery(bigQueryOptions(emulatorProject()));
}

export function uniqueDataset(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
