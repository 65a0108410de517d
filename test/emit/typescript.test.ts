import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Project, type DiagnosticMessageChain } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitAvro } from '../../generator/emit/avro/index.ts';
import { avroValueSchema } from '../../generator/emit/avro/index.ts';
import { emitTypeScript, featureModulePath } from '../../generator/emit/typescript/index.ts';
import type { IR } from '../../generator/ir/types.ts';
import { preamble } from '../../generator/write/preamble.ts';
import { canonicalForm, parseAvroType, schemaFingerprint, type AvroSchemaJson } from '../../core/serde/index.ts';
import { feature, field, hostStat, sampleIR, writeEmitted } from './ts-sample-ir.ts';
import { writableSampleIR } from './ts-writable-ir.ts';

/** Lines that must NOT compile; an unused @ts-expect-error is itself an error (TS2578). */
const TYPE_TESTS = `
import { createFeatures, featureDescriptors, features, type FeatureName } from './generated/ts/index.js';
import type { HakunaHostStatV1Value } from './generated/ts/live/hakuna-host-stat-v1.js';
import { HakunaHostStatV1KeySchema } from './generated/ts/live/hakuna-host-stat-v1.js';
import type { AnyFeatureDescriptor, FeatureReader } from 'featurestore/runtime';

export async function usage(reader: FeatureReader): Promise<void> {
  const f = createFeatures(reader);
  const value: HakunaHostStatV1Value | null = await f.live.hakunaHostStatV1.get({ userId: 'u1' });
  const many: (HakunaHostStatV1Value | null)[] = await f.live.hakunaHostStatV1.getMany([{ userId: 'a' }]);
  if (value) {
    const viewers: bigint = value.viewerCount;
    const seen: Date | null = value.lastSeen;
    const tags: readonly string[] = value.tags;
    const avatar: Uint8Array = value.avatar;
    const embedding: readonly number[] | null = value.embedding;
    void [viewers, seen, tags, avatar, embedding, many];
    // @ts-expect-error a Long field is a bigint, not a number
    const wrong: number = value.viewerCount;
    // @ts-expect-error a nullable field may be null
    const notNull: Date = value.lastSeen;
    // @ts-expect-error values are readonly
    value.giftCount = 1;
    // @ts-expect-error lists are readonly
    value.tags.push('x');
    void [wrong, notNull];
  }
  // @ts-expect-error misspelt key field
  await f.live.hakunaHostStatV1.get({ userID: 'u1' });
  // @ts-expect-error key field of the wrong type
  await f.live.hakunaHostStatV1.get({ userId: 1 });
  // @ts-expect-error a composite key needs every field
  await f.delete.purgeRequestV1.get({ accountId: 1n });
  // @ts-expect-error a Long key field takes a bigint
  await f.delete.purgeRequestV1.get({ accountId: 1, region: 'eu' });
  const purge = await features.delete.purgeRequestV1.get({ accountId: 1n, region: 'eu' });
  if (purge) {
    const reserved: [string | null, boolean, number] = [purge.class, purge.delete, purge.default];
    void reserved;
  }
  const events = await f.azarMatch.matchEventV1.latest({ userId: 'u' });
  const inRange = await f.azarMatch.matchEventV1.range({ userId: 'u' }, new Date(0), new Date());
  const at: Date | undefined = events[0]?.eventTime;
  void [inRange, at];
  // @ts-expect-error History features have no get
  void f.azarMatch.matchEventV1.get;
  // @ts-expect-error Object features have no latest
  void f.live.hakunaHostStatV1.latest;
  // Typed writes exist where access.write names a consumer, with the generated key and value types.
  await f.live.hakunaHostStatV1.put({ userId: 'u1' }, {
    viewerCount: 1n, giftCount: 1, score: 0.5, ratio: null, isLive: true, lastSeen: null,
    avatar: new Uint8Array(), tags: [], embedding: null, bigIds: [],
  });
  await f.azarMatch.matchEventV1.append({ userId: 'u' }, { eventTime: new Date(), peerId: 1n, durationMs: null });
  // @ts-expect-error put on a read-only feature (no consumer in access.write) does not compile
  void f.delete.purgeRequestV1.put;
  // @ts-expect-error History features append; they have no put
  void f.azarMatch.matchEventV1.put;
  // @ts-expect-error Object features put; they have no append
  void f.live.hakunaHostStatV1.append;
  if (value) {
    // @ts-expect-error a Long field takes a bigint, not a number
    await f.live.hakunaHostStatV1.put({ userId: 'u1' }, { ...value, viewerCount: 1 });
    // @ts-expect-error an Int field takes a number, not a string
    await f.live.hakunaHostStatV1.put({ userId: 'u1' }, { ...value, giftCount: '1' });
  }
  // @ts-expect-error a value must have every field
  await f.azarMatch.matchEventV1.append({ userId: 'u' }, { eventTime: new Date(), peerId: 1n });
  const name: FeatureName = 'delete::purge-request-v1';
  // @ts-expect-error not a feature
  const unknown: FeatureName = 'live::nope-v1';
  const anyDescriptor: AnyFeatureDescriptor = featureDescriptors[name];
  const fp: bigint = featureDescriptors['live::hakuna-host-stat-v1'].fingerprint;
  const parsed: { readonly userId: string } = HakunaHostStatV1KeySchema.parse({ userId: 'x' });
  void [unknown, anyDescriptor, fp, parsed];
}
`;

/** A real type check of files on disk, with the repository's tsconfig, through ts-morph. */
function typeCheck(files: readonly string[]): string[] {
  const project = new Project({ tsConfigFilePath: path.resolve('tsconfig.json'), skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths([...files]);
  project.resolveSourceFileDependencies();
  return project.getPreEmitDiagnostics().map((d) => {
    const file = d.getSourceFile();
    return `${file ? path.relative('.', file.getFilePath()) : ''}:${d.getLineNumber() ?? 0}: TS${d.getCode()} ${flattenMessage(d.getMessageText())}`;
  });
}

function flattenMessage(text: string | DiagnosticMessageChain): string {
  if (typeof text === 'string') return text;
  return [text.getMessageText(), ...(text.getNext() ?? []).map(flattenMessage)].join('\n');
}

describe('emitTypeScript', () => {
  const files = emitTypeScript(sampleIR);

  it('writes one module per feature under ts/<namespace>/ plus ts/index.ts', () => {
    expect([...files.keys()].sort()).toEqual([
      'ts/azar-match/match-event-v1.ts',
      'ts/delete/purge-request-v1.ts',
      'ts/index.ts',
      'ts/live/hakuna-host-stat-v1.ts',
    ]);
    expect(featureModulePath(hostStat)).toBe('ts/live/hakuna-host-stat-v1.ts');
  });

  it('starts every file with the do-not-edit preamble and imports the runtime by package name', () => {
    const module = files.get('ts/live/hakuna-host-stat-v1.ts') ?? '';
    expect(module.startsWith(preamble('slash', ['features/live/hakuna-host-stat.yaml']))).toBe(true);
    expect(module).toContain(`import { defaultFeatureReader, objectAccessor, z } from 'featurestore/runtime';`);
    expect(module).not.toContain(`from 'zod'`);
    const index = files.get('ts/index.ts') ?? '';
    expect(index).toContain(`import { defaultFeatureReader } from 'featurestore/runtime';`);
    // Between generated modules: relative, with the compiled file's .js extension (module: NodeNext).
    expect(index).toContain(`import * as live__hakunaHostStatV1 from './live/hakuna-host-stat-v1.js';`);
    for (const content of files.values()) expect(content).not.toMatch(/from '\.{1,2}\/[^']*\.ts'|from '\.\.\/\.\./);
    for (const content of files.values()) {
      expect(content).toMatch(/^\/\/ Code generated by featurestore codegen\. DO NOT EDIT\./);
      expect(content.endsWith('\n') && !content.endsWith('\n\n')).toBe(true);
      expect(content).not.toMatch(/\bany\b/);
    }
    // Descriptions stay readable in doc comments; string literals are ASCII with \u escapes.
    expect(module).toContain(' * Live host statistics (라이브),\n * refreshed every minute.\n */');
    expect(module).toContain("doc: 'Live host statistics (\\ub77c\\uc774\\ube0c),\\nrefreshed every minute.'");
  });

  it('imports the runtime from codegen.runtime_import when the config sets one', () => {
    const custom = emitTypeScript(sampleIR, { runtimeImport: '@acme/features/runtime' });
    expect(custom.get('ts/index.ts')).toContain(`import type { FeatureReader } from '@acme/features/runtime';`);
    expect(custom.get('ts/live/hakuna-host-stat-v1.ts')).toContain(`, z } from '@acme/features/runtime';`);
    expect([...custom.values()].join('')).not.toContain('featurestore/runtime');
  });

  it('is deterministic: same IR (in any order) → byte-identical files', () => {
    const again = emitTypeScript(sampleIR);
    const shuffled = emitTypeScript({ ...sampleIR, features: [...sampleIR.features].reverse() });
    expect([...again]).toEqual([...files]);
    expect([...shuffled]).toEqual([...files]);
  });

  it('keeps 64-bit defaults exact and encodes bytes defaults as Avro JSON strings', () => {
    const module = files.get('ts/live/hakuna-host-stat-v1.ts') ?? '';
    expect(module).toContain('default: 9223372036854775807n');
    expect(module).toContain('default: [-9223372036854775808n, 1n]');
    expect(module).toContain("type: [{ type: 'long', logicalType: 'timestamp-millis' }, 'null']");
    expect(module).toContain("{ name: 'avatar', type: 'bytes', default: '\\u0000\\u00ff' }");
    expect(module).toContain("{ name: 'ratio', type: ['null', 'float'], default: null }");
  });

  it('stamps each descriptor with the fingerprint of its value schema', () => {
    for (const f of sampleIR.features) {
      const module = files.get(featureModulePath(f)) ?? '';
      expect(module).toContain(`fingerprint: ${schemaFingerprint(avroValueSchema(f))}n,`);
    }
  });

  it('describes the same record as the .avsc file (one builder, so equal writer ids)', () => {
    const avsc = emitAvro(sampleIR);
    for (const f of sampleIR.features) {
      const text = avsc.get(`avro/${f.namespace}/${f.name}-v${f.version}.avsc`) ?? '';
      // JSON.parse rounds big defaults, but the canonical form has no defaults.
      expect(canonicalForm(JSON.parse(text) as AvroSchemaJson)).toBe(canonicalForm(avroValueSchema(f)));
    }
  });

  it('emits value schemas avsc accepts, defaults included', () => {
    for (const f of sampleIR.features) expect(() => parseAvroType(avroValueSchema(f))).not.toThrow();
  });

  it('refuses IR whose TypeScript names would not compile', () => {
    const bad = { ...hostStat, tsName: '7dayV1' };
    expect(() => emitTypeScript({ ...sampleIR, features: [bad] })).toThrow(/expected an identifier ending in V<N>/);
    const twin = { ...hostStat, fullName: 'live::twin-v1', name: 'twin' };
    expect(() => emitTypeScript({ ...sampleIR, features: [hostStat, twin] })).toThrow(/get one TypeScript name/);
  });
});

describe('generated code type-checks under the repository tsconfig', () => {
  let dir = '';
  let generated: string[] = [];
  const scratch: string[] = [];
  afterAll(async () => {
    for (const d of [dir, ...scratch]) if (d) await rm(d, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const emitted = await writeEmitted('ts-emit', writableSampleIR);
    dir = emitted.dir;
    generated = [...emitted.files.keys()].map((rel) => path.join(emitted.out, rel));
    await writeFile(path.join(dir, 'type-tests.ts'), TYPE_TESTS);
  });

  it('with zero diagnostics, and every @ts-expect-error line is really an error', async () => {
    expect(typeCheck([...generated, path.join(dir, 'type-tests.ts')])).toEqual([]);
    // Guard against the type tests passing vacuously: without the directives, exactly the lines
    // after them fail to compile.
    const lines = readFileSync(path.join(dir, 'type-tests.ts'), 'utf8').split('\n');
    const expected = lines.flatMap((l, i) => (l.includes('@ts-expect-error') ? [i + 2] : []));
    await writeFile(path.join(dir, 'type-tests-bare.ts'), lines.map((l) => (l.includes('@ts-expect-error') ? '' : l)).join('\n'));
    const failing = typeCheck([...generated, path.join(dir, 'type-tests-bare.ts')]).map((d) => Number(d.split(':')[1]));
    expect(expected.length).toBe(17);
    expect([...new Set(failing)]).toEqual(expected);
  });

  it('also for an empty IR and a feature without value fields', async () => {
    const keysOnly = feature('misc', 'keys-only', [field('id', { kind: 'scalar', scalar: 'Text' }, { key: true })]);
    const empty: IR = { ...sampleIR, features: [] };
    const a = await writeEmitted('ts-emit-empty', empty);
    const b = await writeEmitted('ts-emit-keys', { ...sampleIR, features: [keysOnly] });
    scratch.push(a.dir, b.dir);
    const all = [a, b].flatMap((e) => [...e.files.keys()].map((rel) => path.join(e.out, rel)));
    expect(typeCheck(all)).toEqual([]);
  });
});
