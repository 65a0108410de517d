/** The writer-schema id of a feature's value schema, computed once per feature per run. */
import { schemaFingerprint } from '../../../core/serde/index.ts';
import type { FeatureIR } from '../../ir/types.ts';
import { avroValueSchema } from './avro-schema.ts';

const cache = new WeakMap<FeatureIR, bigint>();

export function featureFingerprint(feature: FeatureIR): bigint {
  let fp = cache.get(feature);
  if (fp === undefined) {
    fp = schemaFingerprint(avroValueSchema(feature));
    cache.set(feature, fp);
  }
  return fp;
}
