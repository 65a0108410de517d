/** Every emitter, each a pure IR → FileMap. Order does not matter: paths never overlap. */
import type { IR } from '../ir/types.ts';
import type { FileMap } from '../write/file-map.ts';
import { emitAcl } from './acl/index.ts';
import { emitAirflow } from './airflow/index.ts';
import { emitAvro } from './avro/index.ts';
import { emitBigQuery } from './bigquery/index.ts';
import { emitCql } from './cql/index.ts';
import { emitJsonSchemas } from './json-schema/index.ts';
import { emitManifest } from './manifest/index.ts';

export const EMITTERS: readonly ((ir: IR) => FileMap)[] = [
  emitAvro,
  emitCql,
  emitBigQuery,
  emitAirflow,
  emitAcl,
  emitManifest,
  () => emitJsonSchemas(),
];
