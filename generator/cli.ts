/** `featurestore`: the command line. Exit codes: 0 ok, 1 invalid definitions or stale output, 2 usage error. */
import { Command, CommanderError, Option } from 'commander';
import { formatDiagnostic, UsageError, type Diagnostic } from './diagnostics.ts';
import { runCodegen, type CodegenResult } from './codegen.ts';

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('featurestore')
    .description('Compile feature definitions (YAML) into typed clients, Avro, CQL, BigQuery DDL, Airflow DAGs and ACLs.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run featurestore --help for usage)');

  program
    .command('codegen')
    .description('validate features/ and (re)generate generated/')
    .option('--features <dir>', 'folder of feature YAML files', 'features')
    .option('--out <dir>', 'output folder', 'generated')
    .option('--config <file>', 'project config (default: ./featurestore.yaml when present)')
    .option('--check', 'write nothing; exit 1 if the output folder is stale', false)
    .addOption(new Option('--json', 'print a JSON summary on stdout').default(false))
    .action(async (opts: { features: string; out: string; config?: string; check: boolean; json: boolean }) => {
      const result = await runCodegen({ featuresDir: opts.features, outDir: opts.out, check: opts.check, ...(opts.config ? { configFile: opts.config } : {}) });
      exitCode = report(result, opts.out, opts.json, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const helpShown = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      return helpShown ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      io.err(`featurestore: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  return exitCode;
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

function printDiagnostics(diagnostics: readonly Diagnostic[], io: Io): void {
  for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
}
