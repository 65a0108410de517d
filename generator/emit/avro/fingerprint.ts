/** The writer-schema id of a feature's value schema, computed once per feature per run. */
import type { FeatureIR } from '../../ir/types.ts';
import { schemaFingerprint } from '../../../runtime/serde/fingerprint.ts';
import type { AvroSchemaJson } from '../../../runtime/serde/avro-json.ts';
import { avroSchemaOf } from './avro-schema.ts';
import { jsonText } from './json-text.ts';

const cache = new WeakMap<FeatureIR, bigint>();

export function featureFingerprint(feature: FeatureIR): bigint {
  let fp = cache.get(feature);
  if (fp === undefined) {
    // The canonical form drops defaults, so parsing the text with JSON.parse loses nothing that counts.
    fp = schemaFingerprint(JSON.parse(jsonText(avroSchemaOf(feature))) as AvroSchemaJson);
    cache.set(feature, fp);
  }
  return fp;
}
