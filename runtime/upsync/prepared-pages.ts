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
import type { OfflineReadItem, OfflineReadOptions, OfflineRow, OfflineStore, OfflineTable, OfflineValues } from '../offline/offline-store.ts';
import { isUnreadableRow } from '../offline/offline-store.ts';
import type { PlannedFeature } from './upsync-plan.ts';
import { jsonSafe, jsonSafeValues, type QuarantineEntry } from './quarantine.ts';
import { CompactRows, RowEncoder, type EncodedHistoryRow, type EncodedObjectRow, type EncodedPage } from './row-encoder.ts';

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

/** A store that can count a read's rows cheaply before reading them (DuckDB): progress gets an ETA. */
interface CountingStore {
  count(table: OfflineTable, options: OfflineReadOptions): Promise<number>;
}

function canCount(store: OfflineStore): store is OfflineStore & CountingStore {
  return typeof (store as Partial<CountingStore>).count === 'function';
}

function readOptions(read: PageRead): OfflineReadOptions & { readonly unreadable: 'yield' } {
  return {
    since: read.since,
    ...(read.until ? { until: read.until } : {}),
    pageSize: read.pageSize,
    ...(read.shard && read.shard.count > 1 ? { shard: read.shard } : {}),
    unreadable: 'yield',
  };
}

/** Calls `onTotal` with the read's row count when the store counts cheaply; nothing otherwise (BigQuery). */
export async function countRead(store: OfflineStore, table: OfflineTable, read: PageRead, onTotal: ((rows: number) => void) | undefined): Promise<void> {
  if (onTotal && canCount(store)) onTotal(await store.count(table, readOptions(read)));
}

export async function* inlinePages(store: OfflineStore, table: OfflineTable, feature: PlannedFeature, read: PageRead, runId: string, onTotal?: (rows: number) => void): AsyncGenerator<PreparedPage> {
  const encoder = new RowEncoder(feature.catalog, feature.manifest);
  await countRead(store, table, read, onTotal);
  for await (const page of store.read(table, readOptions(read))) yield preparePage(encoder, feature, page, runId);
}

export function preparePage(encoder: RowEncoder, feature: PlannedFeature, page: readonly OfflineReadItem<OfflineValues>[], runId: string): PreparedPage {
  const { readable, quarantine, newestMs } = splitPage(feature, page, runId);
  const encoded = feature.catalog.featureType === 'Object' ? encoder.encodeObjects(readable) : encoder.encodeEvents(readable);
  quarantineRefused(feature, runId, encoded.refused, quarantine);
  return { rowsRead: page.length, rows: encoded.rows, quarantine, newestMs };
}

/** The read worker's page: like preparePage, the rows in the compact form it posts (CompactRows). */
export interface CompactPage {
  readonly rowsRead: number;
  readonly rows: CompactRows;
  readonly quarantine: readonly QuarantineEntry[];
  readonly newestMs: number | null;
}

export async function* compactPages(store: OfflineStore, table: OfflineTable, feature: PlannedFeature, read: PageRead, runId: string, onTotal?: (rows: number) => void): AsyncGenerator<CompactPage> {
  const encoder = new RowEncoder(feature.catalog, feature.manifest);
  const history = feature.catalog.featureType === 'History';
  // The next page's buffer starts at the size the last one needed (plus a little): no regrowth after the first.
  let bytesHint = read.pageSize * 32;
  await countRead(store, table, read, onTotal);
  for await (const page of store.read(table, readOptions(read))) {
    const { readable, quarantine, newestMs } = splitPage(feature, page, runId);
    const rows = new CompactRows(readable.length, bytesHint, history);
    quarantineRefused(feature, runId, encoder.encodeCompact(readable, rows), quarantine);
    bytesHint = Math.max(bytesHint, rows.at + (rows.at >> 3));
    yield { rowsRead: page.length, rows, quarantine, newestMs };
  }
}

function quarantineRefused(feature: PlannedFeature, runId: string, refused: EncodedPage<unknown>['refused'], quarantine: QuarantineEntry[]): void {
  for (const { row, problem } of refused) {
    quarantine.push({ feature: feature.name, runId, reason: problem.reason, column: problem.column, row: jsonSafeValues(row.values), updatedAt: jsonSafe(row.updatedAt) as string | null });
  }
}

function splitPage(feature: PlannedFeature, page: readonly OfflineReadItem<OfflineValues>[], runId: string) {
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
  return { readable, quarantine, newestMs };
}
