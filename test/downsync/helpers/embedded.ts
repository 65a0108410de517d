/**
 * The embedded trio for worker tests: the in-process stream, a SQLite online store (with the sampler
 * state in the same file) and a DuckDB offline store, all in a fresh temp folder.
 */
import path from 'node:path';
import { DownsyncWorker, type DownsyncWorkerOptions } from '../../../runtime/downsync/index.ts';
import { SqliteSamplerStateStore } from '../../../runtime/downsync/sqlite-sampler-state.ts';
import type { OfflineRow, OfflineStore, OfflineTable } from '../../../runtime/offline/offline-store.ts';
import { offlineTableOf } from '../../../runtime/offline/offline-table.ts';
import { openOfflineStore } from '../../../runtime/offline/open-offline-store.ts';
import type { OnlineStore } from '../../../runtime/online/online-store.ts';
import { SqliteOnlineStore } from '../../../runtime/online/sqlite/sqlite-online-store.ts';
import type { StreamMessage } from '../../../runtime/stream/feature-stream.ts';
import { MemoryFeatureStream } from '../../../runtime/stream/memory/memory-feature-stream.ts';
import { WritePath } from '../../../runtime/write/write-path.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import type { Fixture } from './fixture.ts';

export const TOPIC = 'featurestore.commands';

export interface Embedded {
  readonly stream: MemoryFeatureStream;
  readonly online: OnlineStore;
  readonly offline: OfflineStore;
  readonly state: SqliteSamplerStateStore;
  readonly logs: { event: string; fields: Readonly<Record<string, unknown>> }[];
  worker(options?: Partial<DownsyncWorkerOptions>): Promise<DownsyncWorker>;
  offlineRows(feature: string): Promise<OfflineRow[]>;
  /** Everything published to a topic so far, read by a throwaway group. */
  topic(name: string): Promise<StreamMessage[]>;
  close(): Promise<void>;
}

export async function embedded(fx: Fixture, options: { readonly partitions?: number; readonly maxBatchSize?: number } = {}): Promise<Embedded> {
  const dir = await tempDir('downsync');
  const file = path.join(dir, 'online.sqlite');
  const online = new SqliteOnlineStore({ path: file, tables: [...fx.catalog.features.values()].map((f) => f.table) });
  const tables = new Map<string, OfflineTable>(Object.values(fx.manifest.features).map((f) => [f.fullName, offlineTableOf(f)]));
  const offline = await openOfflineStore({ kind: 'duckdb', path: path.join(dir, 'offline.duckdb'), tables: [...tables.values()] });
  const state = new SqliteSamplerStateStore(file);
  const stream = new MemoryFeatureStream({ partitions: options.partitions ?? 4, maxBatchSize: options.maxBatchSize ?? 100, retryDelayMs: 20 });
  stream.createTopic(TOPIC);
  const workers: DownsyncWorker[] = [];
  const logs: Embedded['logs'] = [];
  let groups = 0;
  return {
    stream,
    online,
    offline,
    state,
    logs,
    async worker(extra = {}) {
      const w = new DownsyncWorker({
        stream,
        topic: TOPIC,
        groupId: 'downsync',
        catalog: fx.catalog,
        features: fx.features,
        writePath: new WritePath(fx.catalog, online),
        cache: null,
        offline,
        samplerState: state,
        samplingSeed: 'test-seed',
        flushRows: 1_000,
        flushMs: 50,
        log: (event, fields) => logs.push({ event, fields }),
        ...extra,
      });
      workers.push(w);
      await w.start();
      return w;
    },
    async offlineRows(feature) {
      const rows: OfflineRow[] = [];
      for await (const page of offline.read(tables.get(feature)!, { since: null })) rows.push(...page);
      return rows;
    },
    async topic(name) {
      const seen: StreamMessage[] = [];
      const sub = await stream.subscribe({ topic: name, groupId: `reader-${groups++}`, handler: async (b) => void seen.push(...b.messages) });
      // The in-process stream delivers synchronously queued batches within a few ticks.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sub.close();
      return seen.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
    },
    async close() {
      for (const w of workers) await w.stop().catch(() => {});
      await stream.close();
      await state.close();
      await offline.close();
      await online.close();
    },
  };
}
