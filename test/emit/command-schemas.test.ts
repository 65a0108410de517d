/**
 * The command emitter: the envelope schema (the text core/commands encodes with, plus the notice) and
 * one key schema per feature beside its value schema, deterministic, and what the runtime's key codec
 * of the same feature (from the manifest's catalog) encodes with.
 */
import { describe, expect, it } from 'vitest';
import { FEATURE_COMMAND_SCHEMA, FEATURE_COMMAND_SCHEMA_FILE, keyCodecForCommands } from '../../core/commands/index.ts';
import { canonicalForm, parseAvroType } from '../../core/serde/index.ts';
import { emitCommandSchemas, keySchemaFile } from '../../generator/emit/commands/index.ts';
import { emitAvro } from '../../generator/emit/avro/index.ts';
import { EMITTERS } from '../../generator/emit/index.ts';
import { loadFeatureCatalog } from '../../runtime/manifest/feature-catalog.ts';
import { readFile } from 'node:fs/promises';
import { sampleIr } from './text-sample-ir.ts';

const withoutNotice = (text: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, unknown>).filter(([k]) => !k.startsWith('x-')));

describe('emitCommandSchemas', () => {
  const ir = sampleIr();
  const files = emitCommandSchemas(ir);

  it('is registered with the other emitters', () => {
    expect(EMITTERS).toContain(emitCommandSchemas);
  });

  it('writes the envelope and one key schema per feature, next to the value schemas', () => {
    const valueFiles = [...emitAvro(ir).keys()].sort();
    expect([...files.keys()].sort()).toEqual([FEATURE_COMMAND_SCHEMA_FILE, ...valueFiles.map((f) => f.replace(/\.avsc$/, '.key.avsc'))].sort());
    expect(FEATURE_COMMAND_SCHEMA_FILE).toBe('avro/featurestore.command.FeatureCommand.avsc');
    for (const f of ir.features) expect(files.has(keySchemaFile(f))).toBe(true);
  });

  it('the envelope file is the schema core/commands encodes with (the notice aside), with the same canonical form', () => {
    const text = files.get(FEATURE_COMMAND_SCHEMA_FILE) ?? '';
    expect(withoutNotice(text)).toEqual(FEATURE_COMMAND_SCHEMA);
    expect(canonicalForm(JSON.parse(text))).toBe(canonicalForm(FEATURE_COMMAND_SCHEMA));
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('is deterministic: the same IR gives the same bytes', () => {
    expect([...emitCommandSchemas(sampleIr())]).toEqual([...files]);
  });

  it('key schemas are records <avroName>Key with the key fields in key order, parseable by the runtime', () => {
    for (const f of ir.features) {
      const schema = withoutNotice(files.get(keySchemaFile(f)) ?? '') as { name: string; namespace: string; fields: { name: string }[] };
      expect(`${schema.namespace}.${schema.name}`).toBe(`${f.avroName}Key`);
      expect(schema.fields.map((x) => x.name)).toEqual(f.keyFields);
      expect(() => parseAvroType(schema as never)).not.toThrow();
    }
  });

  it('the checked-in key schemas are what the runtime key codec of the loaded catalog encodes with', async () => {
    const catalog = await loadFeatureCatalog('generated');
    for (const f of catalog.features.values()) {
      const [ns, rest] = f.fullName.split('::') as [string, string];
      const text = await readFile(`generated/avro/${ns}/${rest}.key.avsc`, 'utf8');
      expect(withoutNotice(text)).toEqual(keyCodecForCommands(f).schema);
    }
  });
});
