/** Every emitter, each a pure (IR, context) → FileMap. Order does not matter: paths never overlap. */
import path from 'node:path';
import type { IR } from '../ir/types.ts';
import type { PreviousState } from '../plan/previous-state.ts';
import type { FileMap } from '../write/file-map.ts';
import { emitAcl } from './acl/index.ts';
import { emitAirflow } from './airflow/index.ts';
import { emitAvro } from './avro/index.ts';
import { emitBigQuery } from './bigquery/index.ts';
import { emitCql } from './cql/index.ts';
import { emitJsonSchemas } from './json-schema/index.ts';
import { emitManifest } from './manifest/index.ts';
import { emitMigrations } from './migrations/index.ts';
import { emitTypeScript } from './typescript/index.ts';

export interface EmitContext {
  /** This package's runtime/ folder, relative to the output folder, forward slashes. */
  readonly runtimeDir: string;
  /** What the previous codegen left in the output folder (the baseline of schema evolution). */
  readonly previous: PreviousState;
}

const RUNTIME_ROOT = path.resolve(import.meta.dirname, '../../runtime');

export function emitContext(outDir: string, previous: PreviousState): EmitContext {
  return { runtimeDir: path.relative(path.resolve(outDir), RUNTIME_ROOT).split(path.sep).join('/'), previous };
}

export const EMITTERS: readonly ((ir: IR, ctx: EmitContext) => FileMap)[] = [
  (ir, ctx) => emitTypeScript(ir, { runtimeDir: ctx.runtimeDir }),
  emitAvro,
  emitCql,
  emitBigQuery,
  emitAirflow,
  emitAcl,
  emitManifest,
  (ir, ctx) => emitMigrations(ir, ctx.previous),
  () => emitJsonSchemas(),
];
