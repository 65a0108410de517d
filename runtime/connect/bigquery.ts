/**
 * BigQuery client from the environment: BIGQUERY_API_ENDPOINT points at an emulator (or a proxy);
 * unset, the real service with Application Default Credentials. @google-cloud/bigquery is loaded on
 * first use (runtime/connect/optional-drivers.ts); it is the slowest of the drivers to import.
 */
import type { BigQuery, BigQueryOptions } from '@google-cloud/bigquery';
import { DRIVER_USES, loadDriver } from './optional-drivers.ts';

export function bigQueryOptions(projectId: string, env: NodeJS.ProcessEnv = process.env): BigQueryOptions {
  const endpoint = env['BIGQUERY_API_ENDPOINT'];
  return { projectId, ...(endpoint ? { apiEndpoint: endpoint } : {}) };
}

/** `usedBy` names what needs the client library in the error when it is not installed. */
export async function createBigQueryClient(projectId: string, env: NodeJS.ProcessEnv = process.env, usedBy: string = DRIVER_USES.bigqueryMigrate): Promise<BigQuery> {
  const { BigQuery: Client } = await loadDriver('@google-cloud/bigquery', usedBy, () => import('@google-cloud/bigquery'));
  return new Client(bigQueryOptions(projectId, env));
}
