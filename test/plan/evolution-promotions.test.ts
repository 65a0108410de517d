/**
 * The type changes the gate allows are exactly ones avsc resolves — with this runtime's bigint longs and
 * Date timestamps — and old bytes really decode: encode with the old schema, read with the new one.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../generator/diagnostics.ts';
import { avroFieldType } from '../../generator/emit/avro/index.ts';
import { emitManifest } from '../../generator/emit/manifest/index.ts';
import { buildIR } from '../../generator/ir/build.ts';
import { SCALAR_TYPES, type FieldType, type ScalarType } from '../../core/field-types.ts';
import type { IR } from '../../generator/ir/types.ts';
import { loadConfig } from '../../generator/load/config.ts';
import { SourceFile } from '../../generator/load/source-file.ts';
import { checkEvolution, isAllowedTypeChange, LIST_PROMOTIONS, SCALAR_PROMOTIONS } from '../../generator/plan/evolution/index.ts';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import { parseManifestText } from '../../core/manifest/parse-manifest.ts';
import { parseAvroType, type AvroSchemaJson } from '../../core/serde/index.ts';
import { sampleValue } from '../helpers/avro-samples.ts';

const config = await loadConfig('test/fixtures/config/featurestore.yaml');

function irOf(type: string, nullable = false): IR {
  const yaml = `p::promo-v1:\n  feature_type: Object\n  owner: team\n  schema:\n    id: { type: Text, is_key_field: true }\n    x: { type: ${type}${nullable ? ', nullable: true' : ''} }\n`;
  const { ir, diagnostics } = buildIR([new SourceFile('promo.yaml', yaml)], config);
  if (!ir) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return ir;
}

function manifestOf(ir: IR): Manifest {
  return parseManifestText(emitManifest(ir, { previous: { migrations: new Map() } }).get('manifest.json')!, 'manifest.json');
}

function errorRules(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => /\[(\w+)\]$/.exec(d.message)?.[1] ?? d.message);
}

function record(type: AvroSchemaJson): AvroSchemaJson {
  return { type: 'record', name: 'Promo', namespace: 'p', fields: [{ name: 'x', type }] };
}

/** Old bytes read with the new schema, as the runtime reads a row written before the change. */
function decodeOld(from: AvroSchemaJson, to: AvroSchemaJson, value: unknown): unknown {
  const writer = parseAvroType(record(from));
  const reader = parseAvroType(record(to));
  return (reader.fromBuffer(writer.toBuffer({ x: value }), reader.createResolver(writer)) as { x: unknown }).x;
}

const scalar = (s: ScalarType): FieldType => ({ kind: 'scalar', scalar: s });
const list = (s: ScalarType): FieldType => ({ kind: 'list', element: s });

/** What a value of `from` must become in `to`; Long → Float/Double may round, as Avro specifies. */
function expectPromoted(from: ScalarType, to: ScalarType, before: unknown, after: unknown): void {
  if (to === 'Long') {
    expect(typeof after).toBe('bigint');
    expect(after).toBe(BigInt(before as number));
  } else if (from === 'Long') {
    expect(typeof after).toBe('number');
    expect(Math.abs((after as number) - Number(before)) / Math.abs(Number(before))).toBeLessThan(1e-6);
  } else {
    expect(after).toBe(before);
  }
}

const pairsOf = (table: Readonly<Record<ScalarType, readonly ScalarType[]>>) =>
  Object.entries(table).flatMap(([from, tos]) => tos.map((to) => [from as ScalarType, to] as const));
const promotions = pairsOf(SCALAR_PROMOTIONS);
const listPromotions = pairsOf(LIST_PROMOTIONS);

describe('allowed promotions decode old bytes with avsc', () => {
  it('covers the Avro widenings; in lists only those that keep the BigQuery column type', () => {
    expect(promotions.map(([a, b]) => `${a}→${b}`)).toEqual(['Int→Long', 'Int→Float', 'Int→Double', 'Long→Float', 'Long→Double', 'Float→Double']);
    expect(listPromotions.map(([a, b]) => `${a}→${b}`)).toEqual(['Int→Long', 'Float→Double']);
  });

  it.each(promotions)('%s → %s', (from, to) => {
    const value = sampleValue(avroFieldType(scalar(from)));
    expectPromoted(from, to, value, decodeOld(avroFieldType(scalar(from)), avroFieldType(scalar(to)), value));
  });

  it.each(listPromotions)('List<%s> → List<%s>', (from, to) => {
    const values = sampleValue(avroFieldType(list(from))) as unknown[];
    const decoded = decodeOld(avroFieldType(list(from)), avroFieldType(list(to)), values) as unknown[];
    expect(decoded).toHaveLength(values.length);
    decoded.forEach((v, i) => expectPromoted(from, to, values[i], v));
  });

  it('Int → Long gives a bigint through our long type, also into a nullable Long', () => {
    expect(decodeOld('int', 'long', -2_147_483_648)).toBe(-2_147_483_648n);
    expect(decodeOld('int', ['null', 'long'], 5)).toBe(5n);
  });

  it.each(SCALAR_TYPES)('loosening %s → nullable keeps the value', (s) => {
    const type = avroFieldType(scalar(s));
    const value = sampleValue(type);
    expect(decodeOld(type, ['null', type], value)).toEqual(value);
  });

  it('tightening a nullable field is refused by avsc too', () => {
    expect(() => parseAvroType(record('string')).createResolver(parseAvroType(record(['null', 'string'])))).toThrow(/cannot read "null"/);
  });
});

describe('the gate on every pair of types', () => {
  const types = [...SCALAR_TYPES.map(scalar), ...SCALAR_TYPES.map(list)];
  const label = (t: FieldType) => (t.kind === 'scalar' ? t.scalar : `List<${t.element}>`);
  const pairs = types.flatMap((a) => types.filter((b) => b !== a).map((b) => [label(a), label(b), a, b] as const));


  it('FIELD_TYPE_CHANGED fires exactly for the changes that are not allowed widenings', () => {
    const wrong = pairs
      .map(([a, b, from, to]) => ({ change: `${a} → ${b}`, got: errorRules(checkEvolution(manifestOf(irOf(a)), irOf(b))), allowed: isAllowedTypeChange(from, to) }))
      .filter(({ got, allowed }) => JSON.stringify(got) !== JSON.stringify(allowed ? [] : ['FIELD_TYPE_CHANGED']));
    expect(wrong).toEqual([]);
    expect(pairs.length).toBe(16 * 15);
  });

  it('allows loosening and refuses tightening nullability', () => {
    expect(errorRules(checkEvolution(manifestOf(irOf('Int')), irOf('Long', true)))).toEqual([]);
    expect(errorRules(checkEvolution(manifestOf(irOf('Long', true)), irOf('Long')))).toEqual(['FIELD_NULLABILITY_TIGHTENED']);
  });

  it('an unchanged definition gives no diagnostics at all', () => {
    expect(checkEvolution(manifestOf(irOf('Int')), irOf('Int'))).toEqual([]);
  });
});
