/** The module of one feature: key/value types, zod schemas, the Avro schema, descriptor and accessor. */
import type CodeBlockWriter from 'code-block-writer';
import type { AvroSchemaJson } from '../../../core/serde/index.ts';
import type { FeatureIR, FieldIR } from '../../ir/types.ts';
import { keyFieldsOf, valueFields } from '../../ir/types.ts';
import { preamble } from '../../write/preamble.ts';
import { fieldDescriptorLiteral, tsType, zodSchema } from './field-types.ts';
import { propertyKey, quote, tsLiteral, writeDocs } from './ts-literal.ts';

/**
 * Binding names of a feature module. All derive from tsName/tsTypeName, which end in `V<N>`: never a
 * reserved word, never one of the runtime names imported next to them.
 */
export function featureBindings(feature: FeatureIR) {
  const t = feature.tsTypeName;
  const n = feature.tsName;
  return {
    key: `${t}Key`,
    value: `${t}Value`,
    keySchema: `${t}KeySchema`,
    valueSchema: `${t}ValueSchema`,
    avroSchema: `${n}AvroSchema`,
    descriptor: `${n}Descriptor`,
    accessor: n,
  };
}

export interface FeatureModuleInput {
  readonly feature: FeatureIR;
  readonly avroSchema: AvroSchemaJson;
  readonly fingerprint: bigint;
  /** Package specifier of the runtime (`featurestore/runtime`). */
  readonly runtimeImport: string;
}

export function writeFeatureModule(w: CodeBlockWriter, input: FeatureModuleInput): void {
  const { feature: f, runtimeImport } = input;
  const b = featureBindings(f);
  const kind = f.featureType === 'History' ? 'History' : 'Object';
  // Writes only where some consumer may write (`access.write`): on a read-only feature, put/append
  // do not exist, so writing one is a compile error rather than an AccessDeniedError in production.
  const writable = f.access.write.length > 0;
  const accessorType = `${writable ? 'Writable' : ''}${kind}Accessor`;
  const factory = `${writable ? 'writable' : ''}${writable ? kind : kind.toLowerCase()}Accessor`;
  const generics = `<${b.key}, ${b.value}>`;
  const keys = keyFieldsOf(f);
  const values = valueFields(f);

  w.write(preamble('slash', [f.location.file])).blankLine();
  // verbatimModuleSyntax: what only crosses as a type is imported as a type. zod comes through the
  // runtime (which re-exports its `z`): a service depends on the toolchain package alone, and under
  // strict installers (pnpm) generated code could not import a zod the service does not list.
  w.writeLine(`import type { FeatureReader, ${accessorType}, ${kind}FeatureDescriptor } from ${quote(runtimeImport)};`);
  w.writeLine(`import { defaultFeatureReader, ${factory}, z } from ${quote(runtimeImport)};`);
  w.blankLine();

  writeInterface(w, b.key, `Key of ${f.fullName}.`, keys);
  w.blankLine();
  writeInterface(w, b.value, f.description.trim() ? `Value of ${f.fullName}.\n\n${f.description}` : `Value of ${f.fullName}.`, values);
  w.blankLine();

  // Annotated with the interfaces, so the compiler proves schema and type agree.
  writeDocs(w, 'Checks a key at runtime; unknown properties are rejected (a misspelt key field is an error).');
  w.write(`export const ${b.keySchema}: z.ZodType<${b.key}> = `);
  writeZodObject(w, 'z.strictObject', keys);
  w.blankLine();
  w.write(`export const ${b.valueSchema}: z.ZodType<${b.value}> = `);
  writeZodObject(w, 'z.object', values);
  w.blankLine();

  writeDocs(w, `Avro record of the value: the writer schema of every stored ${f.fullName} value.`);
  const head = `export const ${b.avroSchema} = `;
  w.write(`${head}${tsLiteral(input.avroSchema, '', head.length)} as const;`).newLine();
  w.blankLine();

  w.write(`export const ${b.descriptor}: ${kind}FeatureDescriptor${generics} = `);
  writeDescriptor(w, input, b);
  w.blankLine();

  const verbs = writable ? `reads and ${kind === 'History' ? 'appends' : 'puts'}` : 'reads';
  writeDocs(w, `Typed ${verbs} of ${f.fullName}, through \`reader\` (by default the configured one).`);
  w.write(`export function ${b.accessor}(reader: FeatureReader = defaultFeatureReader): ${accessorType}${generics}`);
  w.block(() => w.writeLine(`return ${factory}(reader, ${b.descriptor});`));
}

function writeInterface(w: CodeBlockWriter, name: string, doc: string, fields: readonly FieldIR[]): void {
  writeDocs(w, doc);
  w.write(`export interface ${name}`).block(() => {
    for (const field of fields) {
      writeDocs(w, field.description);
      w.writeLine(`readonly ${propertyKey(field.tsName)}: ${tsType(field)};`);
    }
  });
}

function writeZodObject(w: CodeBlockWriter, factory: string, fields: readonly FieldIR[]): void {
  if (fields.length === 0) {
    w.write(`${factory}({});`).newLine();
    return;
  }
  w.write(`${factory}(`).inlineBlock(() => {
    for (const field of fields) w.writeLine(`${propertyKey(field.tsName)}: ${zodSchema(field)},`);
  });
  w.write(');').newLine();
}

function fieldList(fields: readonly FieldIR[]): string {
  return fields.length === 0 ? '[]' : `[\n${fields.map((f) => `  ${fieldDescriptorLiteral(f)},\n`).join('')}]`;
}

function writeDescriptor(w: CodeBlockWriter, input: FeatureModuleInput, b: ReturnType<typeof featureBindings>): void {
  const f = input.feature;
  const entries = [
    `kind: ${quote(f.featureType)}`,
    `fullName: ${quote(f.fullName)}`,
    `namespace: ${quote(f.namespace)}`,
    `version: ${f.version}`,
    `tableName: ${quote(f.tableName)}`,
    `keyFields: ${fieldList(keyFieldsOf(f))}`,
    `valueFields: ${fieldList(valueFields(f))}`,
    `avroSchema: ${b.avroSchema}`,
    `fingerprint: ${input.fingerprint}n`,
    `keySchema: ${b.keySchema}`,
    `valueSchema: ${b.valueSchema}`,
    `cacheTtlMs: ${f.cacheTtlMs ?? 'null'}`,
  ];
  if (f.featureType === 'History') {
    const eventTime = f.fields.find((field) => field.name === f.eventTimeField);
    if (!eventTime) throw new Error(`internal: ${f.fullName} has no event-time field ${String(f.eventTimeField)}`);
    entries.push(`eventTimeField: ${fieldDescriptorLiteral(eventTime)}`, `maxEvents: ${f.maxEvents ?? 'null'}`);
  }
  w.inlineBlock(() => {
    for (const entry of entries) w.write(`${entry},`).newLine();
  });
  w.write(';').newLine();
}
