/** The runtime's view of generated/: tables, fields, ACL, and the writer-schema registry, with its errors. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFeatureCatalog, CATALOG_ERRORS, loadFeatureCatalog } from '../../runtime/manifest/index.ts';
import {
  parseAvroSchemaText,
  schemaFingerprint,
  SERDE_ERRORS,
  UnknownWriterSchemaError,
  WriterSchemaRegistry,
  type AvroSchemaJson,
} from '../../core/serde/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const manifest = JSON.parse(await readFile('generated/manifest.json', 'utf8')) as { features: Record<string, Record<string, unknown>> };
const acl = JSON.parse(await readFile('generated/acl/acl.json', 'utf8')) as unknown;

describe('loadFeatureCatalog(generated)', async () => {
  const catalog = await loadFeatureCatalog('generated');

  it('derives each online table from the manifest', () => {
    expect(catalog.keyspace).toBe('feature_store');
    expect(catalog.features.get('azar-lounge::user-interaction-v1')?.table).toEqual({
      featureName: 'azar-lounge::user-interaction-v1',
      tableName: 'azar_lounge__user_interaction_v1',
      keyColumns: [{ name: 'user_id', type: 'Long' }, { name: 'target_user_id', type: 'Long' }],
      eventTimeColumn: null,
      maxEvents: null,
      ttlSeconds: 28 * 86400,
    });
    const watch = catalog.features.get('live::viewer-watch-history-v1')!;
    expect(watch.table).toMatchObject({ eventTimeColumn: 'watched_at', maxEvents: 50 });
    expect(watch.info.valueFields.map((f) => f.name)).toEqual(['watched_at', 'room_id', 'watch_seconds', 'category_tags', 'gift_amounts']);
    expect(watch.info.valueFields[3]).toEqual({ name: 'category_tags', type: 'List<Text>', nullable: false });
  });

  it('the reader schema is the current one, with exact 64-bit fingerprints', () => {
    for (const [name, f] of catalog.features) {
      expect(f.serde.readerId.toString(), name).toBe(manifest.features[name]!['avroFingerprint']);
      expect(schemaFingerprint(parseAvroSchemaText(f.info.avroSchemaText))).toBe(f.info.avroFingerprint);
    }
  });

  it('answers ACL questions from acl.json, unknown consumers included', () => {
    expect(catalog.canRead('live-recommender', 'live::hakuna-host-stat-v1')).toBe(true);
    expect(catalog.canWrite('live-recommender', 'live::hakuna-host-stat-v1')).toBe(false);
    expect(catalog.canWrite('upsync-worker', 'live::hakuna-host-stat-v1')).toBe(true);
    expect(catalog.canRead('nobody', 'live::hakuna-host-stat-v1')).toBe(false);
    expect(catalog.consumers).toContain('anomaly-detector');
  });

  it('knows each consumer\'s API-key variable from the manifest (the name, never a key)', () => {
    expect(catalog.apiKeyVariables?.get('live-recommender')).toBe('FS_KEYS_LIVE_RECOMMENDER');
    expect([...(catalog.apiKeyVariables?.keys() ?? [])].sort()).toEqual([...catalog.consumers]);
  });

  it('a manifest from a codegen that did not record them still loads, without variables', () => {
    const older = structuredClone(manifest) as unknown as { project: { consumers: Record<string, unknown>[] } };
    for (const c of older.project.consumers) delete c['apiKeysEnv'];
    expect(buildFeatureCatalog(older, acl).apiKeyVariables).toBeNull();
  });
});

describe('catalog errors', () => {
  it('a missing folder names the file and the fix', async () => {
    await expect(loadFeatureCatalog('no/such/dir')).rejects.toThrow(CATALOG_ERRORS.unreadable('no/such/dir/manifest.json', 'not found'));
  });

  it('an older manifest format is refused with the reason', () => {
    expect(() => buildFeatureCatalog({ ...manifest, formatVersion: 1 }, acl)).toThrow(/unsupported manifest formatVersion: this runtime reads format 2/);
  });

  it('a corrupt or foreign manifest is refused naming the file, before any table is derived', async () => {
    const dir = await tempDir('catalog-foreign');
    await mkdir(path.join(dir, 'acl'));
    await writeFile(path.join(dir, 'acl', 'acl.json'), JSON.stringify(acl));
    await writeFile(path.join(dir, 'manifest.json'), '{"formatVersion": 2, "project": ');
    await expect(loadFeatureCatalog(dir)).rejects.toThrow(`${path.join(dir, 'manifest.json')}: invalid JSON (`);
    await writeFile(path.join(dir, 'manifest.json'), await readFile('package.json', 'utf8'));
    await expect(loadFeatureCatalog(dir)).rejects.toThrow(`${path.join(dir, 'manifest.json')} is not a manifest this runtime can read: formatVersion: `);
  });

  it('a History feature without its event-time field is refused by the schema', () => {
    const edited = structuredClone(manifest);
    edited.features['live::viewer-watch-history-v1']!['eventTimeField'] = null;
    expect(() => buildFeatureCatalog(edited, acl)).toThrow(/^manifest\.json is not a manifest this runtime can read: features\.live::viewer-watch-history-v1\.eventTimeField: /);
  });

  it('acl.json disagreeing with the manifest is refused', () => {
    const edited = structuredClone(acl) as { features: Record<string, { read: string[] }> };
    edited.features['live::hakuna-host-stat-v1']!.read.push('intruder');
    expect(() => buildFeatureCatalog(manifest, edited)).toThrow(CATALOG_ERRORS.aclMismatch('live::hakuna-host-stat-v1'));
  });
});

describe('WriterSchemaRegistry', () => {
  const v1: AvroSchemaJson = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };
  const v2: AvroSchemaJson = {
    type: 'record',
    name: 'R',
    fields: [
      { name: 'a', type: 'int' },
      { name: 'big', type: 'long', default: 2n ** 63n - 1n },
      { name: 'when', type: { type: 'long', logicalType: 'timestamp-millis' }, default: 5 },
    ],
  };
  const registry = new WriterSchemaRegistry('x::r-v1', v2, schemaFingerprint(v2), [[schemaFingerprint(v1), v1]]);

  it('decodes old rows with defaults, and passes current rows through as they are', () => {
    const old = new WriterSchemaRegistry('x::r-v1', v1, schemaFingerprint(v1), []).encode({ a: 1 });
    expect(registry.decode({ value: old, schemaId: schemaFingerprint(v1) })).toEqual({ a: 1, big: 2n ** 63n - 1n, when: new Date(5) });
    const current = registry.encode({ a: 2, big: 1n, when: new Date(9) });
    expect(registry.toReaderBytes({ value: current, schemaId: registry.readerId })).toBe(current);
    expect(registry.toReaderBytes({ value: old, schemaId: schemaFingerprint(v1) })).toEqual(registry.encode({ a: 1, big: 2n ** 63n - 1n, when: new Date(5) }));
  });

  it('an unknown writer id is a clear error, not garbage', () => {
    expect(() => registry.decode({ value: Buffer.alloc(1), schemaId: 99n })).toThrow(new UnknownWriterSchemaError('x::r-v1', 99n));
    expect(SERDE_ERRORS.unknownWriterSchema('x::r-v1', 99n)).toContain('written by a newer schema; redeploy with the regenerated client');
  });

  it('a schema filed under the wrong id is refused at load', () => {
    expect(() => new WriterSchemaRegistry('x::r-v1', v2, 1n, [])).toThrow(SERDE_ERRORS.fingerprintMismatch('x::r-v1', 1n, schemaFingerprint(v2)));
  });
});
