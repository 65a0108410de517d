/**
 * The committed generated/ itself, checked with the real consumers of each artifact:
 * avsc decodes what it encodes, Python compiles the DAGs, the manifest matches the .avsc files.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAvroType, schemaFingerprint, type AvroSchemaJson } from '../../core/serde/index.ts';
import { sampleValue } from '../helpers/avro-samples.ts';

const GENERATED = 'generated';

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(GENERATED, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

interface ManifestFeature {
  readonly avroFingerprint: string;
  readonly namespace: string;
  readonly name: string;
  readonly version: number;
}

const manifest = JSON.parse(readFileSync(path.join(GENERATED, 'manifest.json'), 'utf8')) as { features: Record<string, ManifestFeature> };

describe('generated/avro', () => {
  const avsc = filesUnder('avro', '.avsc');
  // Value schemas; beside them each feature's key record (<name>.key.avsc, for command producers) and,
  // at the top, the command envelope (featurestore.command.FeatureCommand.avsc).
  const keySchemas = avsc.filter((f) => f.endsWith('.key.avsc'));
  const schemas = avsc.filter((f) => !f.endsWith('.key.avsc') && path.dirname(f) !== path.join(GENERATED, 'avro'));

  it('has one schema per feature in the manifest', () => {
    expect(schemas).toHaveLength(Object.keys(manifest.features).length);
  });

  it('has one key record schema per feature, beside its value schema, and the command envelope', () => {
    expect(keySchemas.map((f) => f.replace(/\.key\.avsc$/, '.avsc')).sort()).toEqual([...schemas].sort());
    for (const file of keySchemas) expect(() => parseAvroType(JSON.parse(readFileSync(file, 'utf8')) as AvroSchemaJson)).not.toThrow();
    expect(avsc.filter((f) => path.dirname(f) === path.join(GENERATED, 'avro')).map((f) => path.basename(f))).toEqual(['featurestore.command.FeatureCommand.avsc']);
  });

  it.each(schemas)('%s parses with avsc and round-trips a sample record and its defaults', (file) => {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { name: string; namespace: string; fields: { name: string; type: AvroSchemaJson; default?: unknown }[] };
    const type = parseAvroType(schema as unknown as AvroSchemaJson);
    const record = Object.fromEntries(schema.fields.map((f) => [f.name, sampleValue(f.type)]));
    expect(type.isValid(record)).toBe(true);
    expect(type.fromBuffer(type.toBuffer(record))).toEqual(record);
    // A record written with no fields decodes, through schema resolution, to the declared defaults.
    const empty = parseAvroType({ type: 'record', name: schema.name, namespace: schema.namespace, fields: [] });
    const withDefaults = schema.fields.filter((f) => 'default' in f);
    if (withDefaults.length === schema.fields.length) {
      const decoded = type.fromBuffer(empty.toBuffer({}), type.createResolver(empty)) as Record<string, unknown>;
      expect(Object.keys(decoded)).toEqual(schema.fields.map((f) => f.name));
    }
  });

  it('records each schema fingerprint in the manifest', () => {
    for (const [name, f] of Object.entries(manifest.features)) {
      const schema = JSON.parse(readFileSync(path.join(GENERATED, 'avro', f.namespace, `${f.name}-v${f.version}.avsc`), 'utf8')) as AvroSchemaJson;
      expect(schemaFingerprint(schema).toString(), name).toBe(f.avroFingerprint);
    }
  });
});

describe('generated/airflow', () => {
  it('every DAG stub compiles with Python', () => {
    const dags = filesUnder('airflow', '.py');
    expect(dags.length).toBeGreaterThan(0);
    execFileSync('python3', ['-m', 'py_compile', ...dags], { env: { ...process.env, PYTHONPYCACHEPREFIX: path.resolve('.vitest-tmp/pycache') } });
  });
});
