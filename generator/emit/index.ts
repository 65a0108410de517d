/** Every emitter, each a pure (IR, context) → FileMap. Order does not matter: paths never overlap. */
import type { IR } from '../ir/types.ts';
import type { PreviousState } from '../plan/previous-state.ts';
import type { FileMap } from '../write/file-map.ts';
import { emitAcl } from './acl/index.ts';
import { emitAirflow } from './airflow/index.ts';
import { emitAvro } from './avro/index.ts';
import { emitBigQuery } from './bigquery/index.ts';
import { emitCommandSchemas } from './commands/index.ts';
import { emitCql } from './cql/index.ts';
import { emitDuckDb } from './duckdb/index.ts';
import { emitJsonSchemas } from './json-schema/index.ts';
import { emitManifest } from './manifest/index.ts';
import { emitMigrations } from './migrations/index.ts';
import { emitTypeScript } from './typescript/index.ts';

/**
 * What emitters read besides the IR. Nothing here depends on the machine, the working folder or where
 * the toolchain is installed: the output must be byte-identical everywhere for `codegen --check`.
 */
export interface EmitContext {
  /** The package specifier generated TypeScript imports the runtime from (`codegen.runtime_import`). */
  readonly runtimeImport: string;
  /** What the previous codegen left in the output folder (the baseline of schema evolution). */
  readonly previous: PreviousState;
}

export const EMITTERS: readonly ((ir: IR, ctx: EmitContext) => FileMap)[] = [
  (ir, ctx) => emitTypeScript(ir, { runtimeImport: ctx.runtimeImport }),
  emitAvro,
  emitCommandSchemas,
  emitCql,
  emitBigQuery,
  emitDuckDb,
  emitAirflow,
  emitAcl,
  emitManifest,
  (ir, ctx) => emitMigrations(ir, ctx.previous),
  () => emitJsonSchemas(),
];
