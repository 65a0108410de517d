/** BigQuery emulator access for tests: the project the emulator serves, and unique datasets. */
import { createBigQueryClient } from '../../runtime/connect/bigquery.ts';
import type { BigQuery } from '@google-cloud/bigquery';

/** The emulator serves one project (BIGQUERY_PROJECT from the services harness). */
export function emulatorProject(): string {
  return process.env['BIGQUERY_PROJECT'] ?? 'test-project';
}

export function testBigQueryClient(): BigQuery {
  return createBigQueryClient(emulatorProject());
}

export function uniqueDataset(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
