/** JSON Schemas of the YAML formats, derived from the zod spec, so editors complete and check feature files. */
import { z } from 'zod';
import { configSpec } from '../../spec/config-spec.ts';
import { featureFileSpec } from '../../spec/feature-spec.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';
import type { FileMap } from '../../write/file-map.ts';

export const FEATURE_SCHEMA_PATH = 'schema/features.schema.json';
export const CONFIG_SCHEMA_PATH = 'schema/featurestore-config.schema.json';

export function emitJsonSchemas(): FileMap {
  const render = (title: string, schema: z.ZodType) =>
    JSON.stringify({ $comment: JSON_NOTICE, title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) }, null, 2) + '\n';
  return new Map([
    [FEATURE_SCHEMA_PATH, render('featurestore feature definitions', featureFileSpec)],
    [CONFIG_SCHEMA_PATH, render('featurestore project config', configSpec)],
  ]);
}
