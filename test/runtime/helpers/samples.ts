/** A valid key and value for any feature of a catalog, from its field types (for ACL sweeps). */
import type { RuntimeFeatureInfo, RuntimeFieldInfo } from '../../../runtime/read/online-runtime.ts';

const SCALARS: Record<string, unknown> = {
  Text: 'sample',
  Long: 1n,
  Int: 1,
  Double: 1.5,
  Float: 0.5,
  Boolean: true,
  Timestamp: new Date(1_700_000_000_000),
  Bytes: Buffer.from([1, 2, 3]),
};

export function sampleOf(field: RuntimeFieldInfo): unknown {
  if (field.type.startsWith('List<')) return [SCALARS[field.type.slice(5, -1)]];
  return SCALARS[field.type];
}

export function sampleRecord(fields: readonly RuntimeFieldInfo[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, sampleOf(f)]));
}

export function sampleRow(feature: RuntimeFeatureInfo): { key: Record<string, unknown>; value: Record<string, unknown> } {
  return { key: sampleRecord(feature.keyFields), value: sampleRecord(feature.valueFields) };
}

/** A unique id per call, as a bigint beyond 2^53 (exercises exact longs everywhere). */
let counter = 0;
export function uniqueLong(): bigint {
  return 2n ** 60n + BigInt(Date.now()) * 1000n + BigInt(counter++ % 1000);
}
