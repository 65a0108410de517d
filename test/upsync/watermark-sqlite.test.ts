/** The WatermarkStore suite on SQLite: a table in the online store's file, beside the store's own connection. */
import path from 'node:path';
import { expect, it } from 'vitest';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import { SqliteWatermarkStore } from '../../runtime/upsync/sqlite-watermarks.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { watermarkStoreSuite } from './watermark-store.suite.ts';

const dir = await tempDir('watermarks-sqlite');
const file = path.join(dir, 'online.sqlite');

watermarkStoreSuite('SQLite', () => SqliteWatermarkStore.open(file));

it('lives in the same file as an open online store, without blocking it', async () => {
  const online = await openOnlineStore({ kind: 'sqlite', path: file }, { keyspace: 'k', tables: [] });
  const marks = await SqliteWatermarkStore.open(file);
  await marks.set('ns::x-v1', '0/1', new Date(5), 'r');
  await online.ping();
  expect((await marks.get('ns::x-v1', '0/1'))?.at.getTime()).toBe(5);
  await marks.close();
  await online.close();
});
