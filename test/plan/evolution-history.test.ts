/**
 * The writer-schema history in manifest.json across runs: the upgrade from manifests without it,
 * retired versions that keep their name reserved, exact long defaults, a corrupt baseline.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import { parseManifestText } from '../../core/manifest/parse-manifest.ts';
import { generate, runCodegen } from '../../generator/codegen.ts';
import { parseAvroSchemaText, stringifyAvroSchema } from '../../core/serde/index.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir, writeTree } from '../helpers/temp-dir.ts';

const CONFIG = 'test/fixtures/config/featurestore.yaml';

const feature = (version: number, extra = '') => `a::stat-v${version}:
  feature_type: Object
  owner: team
  schema:
    id: { type: Text, is_key_field: true }
    n: { type: Int, default_value: 1 }
${extra}  access: { read: [recsys], write: [recsys] }
`;


async function newOut(): Promise<string> {
  return path.join(await tempDir('evo-hist'), 'generated');
}

async function codegen(out: string, yaml: string) {
  const features = await writeTree('evo-hist-f', { 'a.yaml': yaml });
  return runCodegen({ featuresDir: features, outDir: out, configFile: CONFIG, check: false });
}

async function manifest(out: string): Promise<Manifest> {
  const file = path.join(out, 'manifest.json');
  return parseManifestText(await readFile(file, 'utf8'), file);
}

function errorRules(diagnostics: readonly { severity: string; message: string }[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => /\[(\w+)\]$/.exec(d.message)?.[1] ?? d.message);
}

describe('writer-schema history', () => {
  it('upgrades a manifest without writerSchemas: the old schema is rebuilt from its fields', async () => {
    const out = await newOut();
    await codegen(out, feature(1));
    const m = await manifest(out);
    const oldFingerprint = m.features['a::stat-v1']!.avroFingerprint;
    // What codegen wrote before writerSchemas existed.
    delete m.features['a::stat-v1']!.writerSchemas;
    delete m.retiredFeatures;
    await writeFile(path.join(out, 'manifest.json'), JSON.stringify(m, null, 2));

    const result = await codegen(out, feature(1, '    m: { type: Long, default_value: 2 }\n'));
    expect(errorRules(result.diagnostics)).toEqual([]);
    const entry = (await manifest(out)).features['a::stat-v1']!;
    expect(Object.keys(entry.writerSchemas ?? {}).sort()).toEqual([oldFingerprint, entry.avroFingerprint].sort());

    // …and the rebuilt schema is checked like any other: dropping n's default now breaks.
    const broken = await codegen(out, feature(1, '    m: { type: Long, default_value: 2 }\n').replace('n: { type: Int, default_value: 1 }', 'n: { type: Int }'));
    expect(errorRules(broken.diagnostics)).toEqual(['FIELD_DEFAULT_REMOVED']);
  });

  it('keeps long defaults beyond 2^53 exact across runs (schemas are stored as text)', async () => {
    const out = await newOut();
    const big = '    big: { type: Long, default_value: -9223372036854775808 }\n';
    await codegen(out, feature(1, big));
    await codegen(out, feature(1, `${big}    more: { type: Text, default_value: "" }\n`));
    const texts = Object.values((await manifest(out)).features['a::stat-v1']!.writerSchemas ?? {});
    expect(texts).toHaveLength(2);
    for (const text of texts) {
      expect(text).toContain('"default":-9223372036854775808');
      expect(stringifyAvroSchema(parseAvroSchemaText(text))).toBe(text);
    }
  });

  it('retires a removed version, keeps its name reserved, and restores it with its history', async () => {
    const out = await newOut();
    await codegen(out, feature(1) + '\n' + feature(2));
    const v1 = (await manifest(out)).features['a::stat-v1']!;

    const removed = await codegen(out, feature(2));
    expect(removed.kind).toBe('written');
    const afterRemoval = await manifest(out);
    expect(Object.keys(afterRemoval.features)).toEqual(['a::stat-v2']);
    expect(afterRemoval.retiredFeatures?.['a::stat-v1']?.writerSchemas).toEqual(v1.writerSchemas);
    // The removal is announced once; later runs are quiet.
    expect((await codegen(out, feature(2))).diagnostics).toEqual([]);

    // Re-adding the retired name with an incompatible schema is refused, and the hint skips to v3.
    const features = await writeTree('evo-hist-f', { 'a.yaml': feature(1).replace('type: Int', 'type: Boolean').replace('default_value: 1', 'default_value: true') + '\n' + feature(2) });
    const reused = await generate({ featuresDir: features, outDir: out, configFile: CONFIG });
    expect(errorRules(reused.diagnostics)).toEqual(['FIELD_TYPE_CHANGED']);
    expect(reused.diagnostics.find((d) => d.severity === 'error')?.hint).toMatch(/^create a::stat-v3 instead/);

    const restored = await codegen(out, feature(1, '    m: { type: Text, nullable: true }\n') + '\n' + feature(2));
    expect(errorRules(restored.diagnostics)).toEqual([]);
    const after = await manifest(out);
    expect(after.retiredFeatures).toEqual({});
    expect(Object.keys(after.features['a::stat-v1']!.writerSchemas ?? {})).toContain(v1.avroFingerprint);
    expect(Object.keys(after.features['a::stat-v1']!.writerSchemas ?? {})).toHaveLength(2);
  });

  it('a corrupt writerSchemas in the baseline is a usage error (exit 2), not a silent reset', async () => {
    const out = await newOut();
    await codegen(out, feature(1));
    const m = await manifest(out);
    m.features['a::stat-v1'] = { ...m.features['a::stat-v1']!, writerSchemas: { '1': 'not json' } };
    await writeFile(path.join(out, 'manifest.json'), JSON.stringify(m));
    const dir = await writeTree('evo-hist-f', { 'a.yaml': feature(1, '    m: { type: Text, nullable: true }\n') });
    const result = await runCli(['codegen', '--features', dir, '--out', out, '--config', CONFIG]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^featurestore: manifest\.json: writer schema 1 of a::stat-v1 is not valid JSON .*restore manifest\.json from Git\n$/);
  });
});

describe('parseAvroSchemaText', () => {
  it('keeps integers beyond 2^53 as bigints and the rest as JSON.parse does', () => {
    const text = '{"a":[1,-2.5e3,9007199254740993,-9223372036854775808],"b":"x\\"\\u00e9","c":true,"d":null,"__proto__":{}}';
    const value = parseAvroSchemaText(text) as Record<string, unknown>;
    expect(value['a']).toEqual([1, -2500, 9007199254740993n, -9223372036854775808n]);
    expect(value['b']).toBe('x"é');
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(parseAvroSchemaText(' [ ] ')).toEqual([]);
  });

  it.each(['', '{', '{"a":}', '[1,]', '{"a":1} x', "{'a':1}"])('rejects %j', (text) => {
    expect(() => parseAvroSchemaText(text)).toThrow(SyntaxError);
  });
});
