/** `featurestore`: the command line. Exit codes: 0 ok, 1 invalid definitions, stale output or failed work, 2 usage error. */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../generator/diagnostics.ts';
import { codegenCommand, type CodegenFlags } from './codegen.ts';
import { INIT_FLAG_DEFAULTS, initCommand, type InitFlags } from './init.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, processIo, type Io } from './io.ts';
import { printable } from '../generator/safe-text.ts';
import { MissingDriverError } from '../runtime/connect/optional-drivers.ts';
import { migrateCommand, type MigrateFlags } from './migrate.ts';
import { packageVersion } from './package-version.ts';
import { planCommand, type PlanFlags } from './plan.ts';
import { SERVE_DEFAULTS, SERVE_FLAG_DEFAULTS, serveCommand, type ServeFlags } from './serve.ts';
import { SEND_DEFAULTS, sendCommand, type SendFlags } from './send.ts';
import { addStreamOptions } from './stream-flags.ts';
import { defineUpsyncCommand } from './upsync.ts';
import { defineDownsyncCommand } from './downsync.ts';

export { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './io.ts';

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('featurestore')
    .description('Compile feature definitions (YAML) into typed clients, Avro, CQL, BigQuery DDL, Airflow DAGs and ACLs.')
    .version(packageVersion(), '-V, --version', 'print the featurestore version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run featurestore --help for usage)');

  const definitions = (cmd: Command) =>
    cmd
      .option('--features <dir>', 'folder of feature YAML files', 'features')
      .option('--out <dir>', 'output folder', 'generated')
      .option('--config <file>', 'project config (default: ./featurestore.yaml when present)')
      .addOption(new Option('--json', 'print a JSON summary on stdout').default(false));

  program
    .command('init')
    .argument('[dir]', 'project folder (created when missing)', undefined)
    .description('scaffold a project: featurestore.yaml with one consumer, an example feature, .gitignore entries, a codegen script')
    .option('--namespace <ns>', 'namespace of the example feature', INIT_FLAG_DEFAULTS.namespace)
    .option('--consumer <name>', 'the consumer (service) reading the features, with its api_keys_env', INIT_FLAG_DEFAULTS.consumer)
    .option('--force', 'replace an existing config, example feature file or codegen script', false)
    .action(async (dir: string | undefined, opts: InitFlags) => {
      exitCode = await initCommand(dir, opts, io);
    });

  definitions(program.command('codegen').description('validate features/ and (re)generate generated/'))
    .option('--check', 'write nothing; exit 1 if the output folder is stale', false)
    .option('--force', 'replace a non-empty output folder that codegen did not create', false)
    .option('--dev [revision]', 'iterate on unreleased features: evolve from --out as committed at REVISION (default HEAD), squashing newer migrations')
    .action(async (opts: CodegenFlags) => {
      exitCode = await codegenCommand(opts, io);
    });

  definitions(program.command('plan').description('show what codegen would change, including new migrations; writes nothing')).action(
    async (opts: PlanFlags) => {
      exitCode = await planCommand(opts, io);
    },
  );

  program
    .command('migrate')
    .description('apply generated/migrations to Cassandra or BigQuery, in order, once each')
    .addOption(new Option('--target <store>', 'which store').choices(['cassandra', 'bigquery']).makeOptionMandatory())
    .option('--generated <dir>', 'the generated folder', 'generated')
    .option('--dry-run', 'list what would be applied; change nothing', false)
    .addOption(new Option('--json', 'print a JSON summary on stdout').default(false))
    .action(async (opts: MigrateFlags) => {
      exitCode = await migrateCommand(opts, io);
    });

  program
    .command('serve')
    .description('run the HTTP Read API (JSON or Avro) over the online store, with API keys and the generated ACL')
    .option('--port <port>', 'TCP port (0 picks a free one)', SERVE_DEFAULTS.port)
    .option('--host <host>', 'address to listen on', SERVE_DEFAULTS.host)
    .option('--generated <dir>', 'the generated folder: manifest.json (consumers, their api_keys_env), acl/ (default: generated/ beside the config file, else in the working folder)')
    .option('--store <store>', 'online store: sqlite:PATH or cassandra (CASSANDRA_* variables) (default: sqlite:featurestore.sqlite beside the config file)')
    .option('--redis <url>', 'Redis read-through cache, e.g. redis://127.0.0.1:6379 (default: no cache)')
    .option('--config <file>', 'project config; locates the defaults and must agree with the manifest (default: ./featurestore.yaml when present)')
    .option('--anonymous-consumer <name>', 'requests without an API key act as this consumer (development only; default: they get 401)')
    .option('--consistency <level>', 'Cassandra consistency level, e.g. localQuorum or one')
    .option('--keyspace <name>', 'Cassandra keyspace (default: the manifest\'s)')
    .option('--log-level <level>', 'pino log level (trace … fatal, silent)', SERVE_FLAG_DEFAULTS.logLevel)
    .option('--max-keys <n>', 'keys per request at most', SERVE_FLAG_DEFAULTS.maxKeys)
    .option('--max-features <n>', 'features per get-online-features request at most', SERVE_FLAG_DEFAULTS.maxFeatures)
    .option('--body-limit <bytes>', 'request body size limit', SERVE_FLAG_DEFAULTS.bodyLimit)
    .action(async (opts: ServeFlags) => {
      exitCode = await serveCommand(opts, io);
    });

  defineUpsyncCommand(program, io, (code) => {
    exitCode = code;
  });

  defineDownsyncCommand(program, io, (code) => {
    exitCode = code;
  });

  addStreamOptions(
    program
      .command('send')
      .description('send commands for one feature from a JSON Lines file to the command topic (every line checked first; nothing sent if one is invalid)')
      .requiredOption('--feature <name>', 'the feature, namespace::name-vN')
      .requiredOption('--file <rows.jsonl>', 'one {"key": {...}, "value": {...}, "eventTime"?: ISO} per line, YAML field names, Longs as decimal strings')
      .option('--consumer <name>', "the consumer sending (must be in the feature's access.write; default: its only writer)")
      .option('--generated <dir>', 'the generated folder (default: generated/ beside the config file, else in the working folder)')
      .option('--config <file>', 'project config (default: ./featurestore.yaml when present)')
      .option('--batch-size <n>', 'commands per acknowledged batch', SEND_DEFAULTS.batchSize)
      .addOption(new Option('--json', 'print a JSON summary on stdout').default(false)),
  ).action(async (opts: SendFlags) => {
    exitCode = await sendCommand(opts, io);
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const helpShown = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      return helpShown ? EXIT_OK : EXIT_USAGE;
    }
    // A driver that is not installed is the set-up's problem, like a wrong flag: one line naming the package.
    if (e instanceof UsageError || e instanceof MissingDriverError) {
      io.err(`featurestore: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // A bug, not the user's input: still one line on the terminal; the stack only when asked for.
    const message = e instanceof Error ? e.message : String(e);
    io.err(`featurestore: internal error: ${printable(message.split('\n')[0] ?? message)} (please report it; set FEATURESTORE_DEBUG=1 for the stack trace)\n`);
    if (process.env['FEATURESTORE_DEBUG'] && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return EXIT_INVALID;
  }
  return exitCode;
}
