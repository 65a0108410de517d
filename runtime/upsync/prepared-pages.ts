/**
 * Pages as the write loop takes them: the rows already checked and encoded, the quarantine entries of
 * the rows that were not, and the page's newest update time (for the watermark). Two sources make them:
 *
 * - `inlinePages`: the offline store's read and the row encoder on this thread (the library default,
 *   and what a caller with an OfflineStore object of its own gets);
 * - `workerPages` (read-worker.ts): the same work on a worker thread, which opens the offline store
 *   itself. The online write is synchronous on SQLite and CPU-bound in cassandra-driver, and decoding
 *   offline values costs about as much per row as writing them: on a thread of its own the read and
 *   the encode overlap with the writes instead of taking turns with them.
 */
import type { OfflineReadItem, OfflineRow, OfflineStore, OfflineTable, OfflineValues } from '../offline/offline-store.ts';
import { isUnreadableRow } from '../offline/offline-store.ts';
import type { PlannedFeature } from './upsync-plan.ts';
import { jsonSafe, jsonSafeValues, type QuarantineEntry } from './quarantine.ts';
import { RowEncoder, type EncodedHistoryRow, type EncodedObjectRow } from './row-encoder.ts';

export interface PreparedPage {
  /** Rows the offline store returned for this page, unreadable ones included. */
  readonly rowsRead: number;
  readonly rows: readonly (EncodedObjectRow | EncodedHistoryRow)[];
  readonly quarantine: readonly QuarantineEntry[];
  /** The newest readable fs_updated_at of the page (ms), null if none was readable. */
  readonly newestMs: number | null;
}

export interface PageRead {
  readonly since: Date | null;
  readonly until?: Date;
  readonly pageSize: number;
  readonly shard?: { readonly index: number; readonly count: number };
}

export async function* inlinePages(store: OfflineStore, table: OfflineTable, feature: PlannedFeature, read: PageRead, runId: string): AsyncGenerator<PreparedPage> {
  const encoder = new RowEncoder(feature.catalog, feature.manifest);
  const pages = store.read(table, {
    since: read.since,
    ...(read.until ? { until: read.until } : {}),
    pageSize: read.pageSize,
    ...(read.shard && read.shard.count > 1 ? { shard: read.shard } : {}),
    unreadable: 'yield',
  });
  for await (const page of pages) yield preparePage(encoder, feature, page, runId);
}

export function preparePage(encoder: RowEncoder, feature: PlannedFeature, page: readonly OfflineReadItem<OfflineValues>[], runId: string): PreparedPage {
  const readable: OfflineRow<OfflineValues>[] = [];
  const quarantine: QuarantineEntry[] = [];
  let newestMs: number | null = null;
  for (const item of page) {
    if (isUnreadableRow(item)) {
      quarantine.push({ feature: feature.name, runId, reason: item.reason, column: item.column, row: item.raw, updatedAt: item.updatedAt?.toISOString() ?? null });
      const t = item.updatedAt?.getTime();
      if (t !== undefined && !Number.isNaN(t) && (newestMs === null || t > newestMs)) newestMs = t;
      continue;
    }
    readable.push(item);
    const t = item.updatedAt.getTime();
    if (!Number.isNaN(t) && (newestMs === null || t > newestMs)) newestMs = t;
  }
  const encoded = feature.catalog.featureType === 'Object' ? encoder.encodeObjects(readable) : encoder.encodeEvents(readable);
  for (const { row, problem } of encoded.refused) {
    quarantine.push({ feature: feature.name, runId, reason: problem.reason, column: problem.column, row: jsonSafeValues(row.values), updatedAt: jsonSafe(row.updatedAt) as string | null });
  }
  return { rowsRead: page.length, rows: encoded.rows, quarantine, newestMs };
}
