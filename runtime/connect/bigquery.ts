/**
 * BigQuery client from the environment: BIGQUERY_API_ENDPOINT points at an emulator (or a proxy);
 * unset, the real service with Application Default Credentials.
 */
import { BigQuery } from '@google-cloud/bigquery';

export function createBigQueryClient(projectId: string, env: NodeJS.ProcessEnv = process.env): BigQuery {
  const endpoint = env['BIGQUERY_API_ENDPOINT'];
  return new BigQuery({ projectId, ...(endpoint ? { apiEndpoint: endpoint } : {}) });
}
