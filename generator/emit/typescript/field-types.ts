/** Feature field types as TypeScript types and zod schemas (the runtime checks of those types). */
import { typeLabel, type ScalarType } from '../../../core/field-types.ts';
import type { FieldIR } from '../../ir/types.ts';
import { quote } from './ts-literal.ts';

const TS_SCALAR: Record<ScalarType, string> = {
  Text: 'string',
  Long: 'bigint',
  Int: 'number',
  Double: 'number',
  Float: 'number',
  Boolean: 'boolean',
  Timestamp: 'Date',
  Bytes: 'Uint8Array',
};

// Each check mirrors what the Avro type can hold: int32 for Int, the signed 64-bit range for Long,
// float32's finite range for Float; zod 4's number() already refuses NaN and ±Infinity.
const ZOD_SCALAR: Record<ScalarType, string> = {
  Text: 'z.string()',
  Long: 'z.int64()',
  Int: 'z.int32()',
  Double: 'z.number()',
  Float: 'z.float32()',
  Boolean: 'z.boolean()',
  Timestamp: 'z.date()',
  Bytes: 'z.instanceof(Uint8Array)',
};

export function tsType(field: FieldIR): string {
  const t = field.type;
  const base = t.kind === 'scalar' ? TS_SCALAR[t.scalar] : `readonly ${TS_SCALAR[t.element]}[]`;
  return field.nullable ? `${base} | null` : base;
}

export function zodSchema(field: FieldIR): string {
  const t = field.type;
  const base = t.kind === 'scalar' ? ZOD_SCALAR[t.scalar] : `z.array(${ZOD_SCALAR[t.element]})`;
  return field.nullable ? `${base}.nullable()` : base;
}

/** `{ name: 'user_id', tsName: 'userId', type: 'Text', nullable: false }` (a runtime FieldDescriptor). */
export function fieldDescriptorLiteral(field: FieldIR): string {
  return `{ name: ${quote(field.name)}, tsName: ${quote(field.tsName)}, type: ${quote(typeLabel(field.type))}, nullable: ${field.nullable} }`;
}

