/**
 * The tables the conformance suite exercises, taken from real manifests (the example features and the
 * golden fixture's edge cases), so adapters are tested on the shapes codegen actually emits.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildFeatureCatalog } from '../../runtime/manifest/index.ts';
import type { OnlineTable } from '../../runtime/online/online-store.ts';

export const GENERATED_DIR = 'generated';
export const GOLDEN_DIR = 'test/fixtures/golden/expected';

export interface ConformanceTables {
  /** Object, one Text key. */
  readonly hostStat: OnlineTable;
  /** Object, composite Long + Long key. */
  readonly interaction: OnlineTable;
  /** Object, Text + Long key named after reserved words (`select`, `order`), 1 s TTL. */
  readonly reservedWords: OnlineTable;
  /** Object, one Int key, no TTL. */
  readonly plain: OnlineTable;
  /** History, one Long key, 50 events served. */
  readonly watchHistory: OnlineTable;
  /** History, five keys: Text, Long, Int, Boolean, Timestamp; 7 events served. */
  readonly fiveKeys: OnlineTable;
}

async function tablesOf(dir: string): Promise<Map<string, OnlineTable>> {
  const read = async (file: string): Promise<unknown> => JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  const catalog = buildFeatureCatalog(await read('manifest.json'), await read('acl/acl.json'));
  return new Map([...catalog.features.values()].map((f) => [f.fullName, f.table]));
}

export async function conformanceTables(): Promise<ConformanceTables> {
  const generated = await tablesOf(GENERATED_DIR);
  const golden = await tablesOf(GOLDEN_DIR);
  const pick = (tables: Map<string, OnlineTable>, name: string): OnlineTable => {
    const table = tables.get(name);
    if (!table) throw new Error(`conformance: no feature ${name}`);
    return table;
  };
  return {
    hostStat: pick(generated, 'live::hakuna-host-stat-v1'),
    interaction: pick(generated, 'azar-lounge::user-interaction-v1'),
    watchHistory: pick(generated, 'live::viewer-watch-history-v1'),
    reservedWords: pick(golden, 'edge::reserved-words-v1'),
    plain: pick(golden, 'edge::plain-v1'),
    fiveKeys: pick(golden, 'edge::five-keys-v3'),
  };
}

export function allTables(t: ConformanceTables): OnlineTable[] {
  return [t.hostStat, t.interaction, t.reservedWords, t.plain, t.watchHistory, t.fiveKeys];
}
