import { formatDiagnostic, type Diagnostic } from '../generator/diagnostics.ts';
import { runCodegen, type CodegenResult } from '../generator/codegen.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';

export interface CodegenFlags {
  readonly features: string;
  readonly out: string;
  readonly config?: string;
  readonly check: boolean;
  readonly force: boolean;
  /** `--dev` alone is true (HEAD); `--dev REV` names the baseline revision. */
  readonly dev?: boolean | string;
  readonly json: boolean;
}

/** The Git revision `--dev` evolves from, or undefined without `--dev`. */
export function devBaseline(dev: boolean | string | undefined): string | undefined {
  return dev === undefined || dev === false ? undefined : dev === true ? 'HEAD' : dev;
}

export async function codegenCommand(opts: CodegenFlags, io: Io): Promise<number> {
  const baseline = devBaseline(opts.dev);
  const result = await runCodegen({
    featuresDir: opts.features,
    outDir: opts.out,
    check: opts.check,
    force: opts.force,
    ...(opts.config ? { configFile: opts.config } : {}),
    ...(baseline ? { devBaseline: baseline } : {}),
  });
  return report(result, opts.out, opts.json, io);
}

function report(result: CodegenResult, outDir: string, json: boolean, io: Io): number {
  printDiagnostics(result.diagnostics, io);
  if (result.kind === 'invalid') {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`featurestore: ${errors} error${errors === 1 ? '' : 's'}; nothing was written to ${outDir}/\n`);
    if (json) io.out(JSON.stringify({ ok: false, errors: result.diagnostics }) + '\n');
    return EXIT_INVALID;
  }
  if (result.kind === 'checked') {
    const { stale, missing, extra } = result.diff;
    for (const f of stale) io.err(`${outDir}/${f}: stale (differs from what codegen generates)\n`);
    for (const f of missing) io.err(`${outDir}/${f}: missing\n`);
    for (const f of extra) io.err(`${outDir}/${f}: extra (no longer generated)\n`);
    const bad = stale.length + missing.length + extra.length;
    if (bad > 0) io.err(`featurestore: ${outDir}/ is out of date (${bad} file${bad === 1 ? '' : 's'}); run \`npm run codegen\` and commit the result\n`);
    else if (!json) io.out(`${outDir}/ is up to date (${result.files} files, ${result.features} features)\n`);
    if (json) io.out(JSON.stringify({ ok: bad === 0, stale, missing, extra, files: result.files, features: result.features }) + '\n');
    return bad > 0 ? EXIT_INVALID : EXIT_OK;
  }
  if (json) io.out(JSON.stringify({ ok: true, files: result.files, features: result.features, unchanged: result.unchanged }) + '\n');
  else io.out(`${result.unchanged ? 'Unchanged' : 'Generated'}: ${result.files} files for ${result.features} features in ${outDir}/\n`);
  return EXIT_OK;
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], io: Io): void {
  for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
}
