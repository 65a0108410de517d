/** A typical, non-default value for an Avro type as the runtime represents it (bigint longs, Date timestamps). */
import type { AvroSchemaJson } from '../../core/serde/index.ts';

export function sampleValue(type: AvroSchemaJson): unknown {
  if (Array.isArray(type)) return sampleValue(type.find((t) => t !== 'null') ?? 'null');
  if (typeof type === 'string') {
    switch (type) {
      case 'string': return 'sample ✓';
      case 'long': return 9_007_199_254_740_993n; // 2^53 + 1: a number would round it
      case 'int': return -2_147_483_648;
      case 'double': return 0.1 + 0.2;
      case 'float': return 1.5;
      case 'boolean': return true;
      case 'bytes': return Buffer.from([0, 255, 1]);
      case 'null': return null;
      default: throw new Error(`no sample for ${type}`);
    }
  }
  if (typeof type === 'object' && type !== null && !Array.isArray(type)) {
    const t = type as { type?: AvroSchemaJson; logicalType?: string; items?: AvroSchemaJson };
    if (t.logicalType === 'timestamp-millis') return new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123));
    if (t.type === 'array' && t.items !== undefined) return [sampleValue(t.items), sampleValue(t.items)];
    if (t.type !== undefined) return sampleValue(t.type);
  }
  throw new Error(`no sample for ${JSON.stringify(type)}`);
}
