/** The codegen pipeline: load → validate → IR → emitters → FileMap, then write or check. */
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { buildProject, mergeFileResults, type BuildResult } from './ir/build.ts';
import { buildFiles } from './ir/build-parallel.ts';
import type { IR } from './ir/types.ts';
import { loadConfig, type LoadedConfig } from './load/config.ts';
import { listFeatureFiles } from './load/discover.ts';
import { checkEvolution } from './plan/evolution/index.ts';
import { loadGitBaseline } from './plan/git-baseline.ts';
import { loadPreviousState } from './plan/previous-state.ts';
import { projectRoot, withArtifactSources } from './emit/artifact-sources.ts';
import { EMITTERS, type EmitContext } from './emit/index.ts';
import { mergeFileMaps, type FileMap } from './write/file-map.ts';
import { checkOutputFolder } from './write/output-folder.ts';
import { compareOutput, writeOutput, type OutputDiff } from './write/write-atomic.ts';
import path from 'node:path';

export interface CodegenOptions {
  readonly featuresDir: string;
  readonly outDir: string;
  readonly configFile?: string;
  readonly cwd?: string;
  /** Replace a non-empty output folder that codegen did not create. */
  readonly force?: boolean;
  /** `--dev`: evolve from the output folder as committed at this Git revision (see plan/git-baseline.ts). */
  readonly devBaseline?: string;
}

export interface Generated {
  readonly diagnostics: readonly Diagnostic[];
  readonly ir?: IR;
  readonly files?: FileMap;
}

/** Everything codegen would write, computed in memory; nothing touches the output folder. */
export async function generate(options: CodegenOptions): Promise<Generated> {
  const cwd = options.cwd ?? process.cwd();
  const baseline = options.devBaseline === undefined ? loadPreviousState(options.outDir) : loadGitBaseline(options.outDir, options.devBaseline);
  const [{ ir, diagnostics, config }, previous] = await Promise.all([loadDefinitions(options, cwd), baseline]);
  if (!ir || hasErrors(diagnostics)) return { diagnostics };
  // Changes to a version already generated must not break its readers or writers (else: -v<N+1>).
  const evolution = checkEvolution(previous.manifest, ir);
  if (hasErrors(evolution)) return { diagnostics: [...diagnostics, ...evolution] };
  const root = projectRoot({ featuresDir: options.featuresDir, cwd, ...(config.file ? { configFile: config.file } : {}) });
  const ctx: EmitContext = { runtimeImport: config.config.codegen.runtime_import, previous };
  return { diagnostics: [...diagnostics, ...evolution], ir, files: emitAll(withArtifactSources(ir, root, cwd), ctx) };
}

/**
 * YAML → IR in a function of its own, so the parsed documents (the biggest allocation of a run) are
 * garbage as soon as the IR exists, not kept alive through emitting.
 */
async function loadDefinitions(options: CodegenOptions, cwd: string): Promise<BuildResult & { readonly config: LoadedConfig }> {
  const [files, config] = await Promise.all([listFeatureFiles(options.featuresDir, cwd), loadConfig(options.configFile, cwd)]);
  const project = buildProject(config);
  const results = await buildFiles(files, new Set(project.consumers.map((c) => c.name)));
  return { ...mergeFileResults(project, config.diagnostics, results), config };
}

export function emitAll(ir: IR, ctx: EmitContext): FileMap {
  return mergeFileMaps(EMITTERS.map((emit) => emit(ir, ctx)));
}

export type CodegenResult =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'written'; readonly diagnostics: readonly Diagnostic[]; readonly files: number; readonly unchanged: boolean; readonly features: number }
  | { readonly kind: 'checked'; readonly diagnostics: readonly Diagnostic[]; readonly diff: OutputDiff; readonly files: number; readonly features: number };

export async function runCodegen(options: CodegenOptions & { readonly check: boolean }): Promise<CodegenResult> {
  // Before anything is read: a wrong --out must fail fast, not after walking `/`.
  const cwd = options.cwd ?? process.cwd();
  await checkOutputFolder({
    outDir: options.outDir,
    featuresDir: options.featuresDir,
    cwd,
    force: options.force ?? false,
    ...(options.configFile ? { configDir: path.dirname(path.resolve(cwd, options.configFile)) } : {}),
  });
  const { diagnostics, ir, files } = await generate(options);
  if (!ir || !files) return { kind: 'invalid', diagnostics };
  if (options.check) {
    return { kind: 'checked', diagnostics, diff: await compareOutput(options.outDir, files), files: files.size, features: ir.features.length };
  }
  const summary = await writeOutput(options.outDir, files);
  return { kind: 'written', diagnostics, files: files.size, unchanged: summary.unchanged, features: ir.features.length };
}
