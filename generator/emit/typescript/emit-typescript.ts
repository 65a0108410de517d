/**
 * IR → generated/ts: one module per feature plus ts/index.ts, written with ts-morph's code writer
 * (`code-block-writer`, the package ts-morph builds all its code with and re-exports as CodeBlockWriter).
 * It is imported directly because loading ts-morph itself loads the whole TypeScript compiler, ~0.35 s
 * of every codegen run, for settings the writer takes as options.
 *
 * Why writer functions and no `createSourceFile(path, structure)` + `getFullText()`: for 1,000 features
 * the structure printers plus the TypeScript parse of every file cost ~1.5 s of CPU, the writer alone
 * ~0.1 s, and codegen's budget is 5 s for all emitters together. Nothing is gained from the parse: tests
 * type-check the output with the repository's compiler options instead.
 */
import { posix } from 'node:path';
import CodeBlockWriter from 'code-block-writer';
import type { FeatureIR, IR } from '../../ir/types.ts';
import { DEFAULT_RUNTIME_IMPORT } from '../../spec/config-spec.ts';
import type { FileMap } from '../../write/file-map.ts';
import { avroValueSchema, featureFingerprint } from '../avro/index.ts';
import { writeFeatureModule } from './feature-module.ts';
import { writeIndexModule } from './index-module.ts';
import { isIdentifierName } from './ts-literal.ts';

export interface TypeScriptEmitOptions {
  /**
   * The module generated code imports the runtime (and zod's `z`) from: a package specifier, default
   * `featurestore/runtime` (`codegen.runtime_import` in featurestore.yaml). Never a relative path, so
   * the output is the same wherever the toolchain is installed.
   */
  readonly runtimeImport?: string;
}

const WRITER_OPTIONS = { indentNumberOfSpaces: 2, useTabs: false, newLine: '\n', useSingleQuote: true } as const;

export const TS_OUTPUT_DIR = 'ts';
export const TS_INDEX_PATH = `${TS_OUTPUT_DIR}/index.ts`;

/** Output path of a feature's module, relative to the output folder: `ts/live/hakuna-host-stat-v1.ts`. */
export function featureModulePath(feature: FeatureIR): string {
  return `${TS_OUTPUT_DIR}/${feature.namespace}/${feature.name}-v${feature.version}.ts`;
}

export function emitTypeScript(ir: IR, options: TypeScriptEmitOptions = {}): FileMap {
  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const render = (write: (w: CodeBlockWriter) => void): string => {
    const writer = new CodeBlockWriter(WRITER_OPTIONS);
    write(writer);
    // Exactly one trailing newline (a closing block leaves none).
    return writer.newLineIfLastNot().toString();
  };

  const files = new Map<string, string>();
  const modules: { feature: FeatureIR; specifier: string }[] = [];
  // The IR promises this order; sorting again costs nothing and keeps the index stable regardless.
  const sorted = [...ir.features].sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  for (const feature of sorted) {
    checkNames(feature);
    const path = featureModulePath(feature);
    const avroSchema = avroValueSchema(feature);
    const input = {
      feature,
      avroSchema,
      fingerprint: featureFingerprint(feature),
      runtimeImport,
    };
    files.set(path, render((w) => writeFeatureModule(w, input)));
    modules.push({ feature, specifier: importSpecifier(TS_INDEX_PATH, path) });
  }
  const index = { features: modules, runtimeImport };
  files.set(TS_INDEX_PATH, render((w) => writeIndexModule(w, index)));
  return files;
}

/**
 * Relative ESM specifier from one generated module to another, both relative to the output folder,
 * with the `.js` extension of the compiled file (`./live/x-v1.js`): what `tsc` requires under
 * `module: NodeNext`, and what bundlers, tsx and vitest map back to the `.ts` source. Pure path
 * arithmetic, independent of the working directory.
 */
function importSpecifier(fromFile: string, toFile: string): string {
  const from = posix.dirname(posix.normalize(fromFile)).split('/').filter((s) => s !== '.' && s !== '');
  const to = posix.normalize(toFile).replace(/\.ts$/, '.js').split('/').filter((s) => s !== '.' && s !== '');
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const rel = [...from.slice(common).map(() => '..'), ...to.slice(common)].join('/');
  return rel.startsWith('../') ? rel : `./${rel}`;
}

// Generated bindings are `<tsName>…`/`<TsTypeName>…`; the IR promises identifiers ending in `V<N>`,
// which also keeps them clear of reserved words and of the runtime's imported names.
function checkNames(feature: FeatureIR): void {
  for (const name of [feature.tsName, feature.tsTypeName]) {
    if (!isIdentifierName(name) || !/V\d+$/.test(name)) {
      throw new Error(`internal: ${feature.fullName} has TypeScript name ${JSON.stringify(name)}, expected an identifier ending in V<N>`);
    }
  }
}
