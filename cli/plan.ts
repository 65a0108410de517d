/** `featurestore plan`: what `codegen` would change, like `terraform plan`; writes nothing. */
import { generate } from '../generator/codegen.ts';
import { compareOutput } from '../generator/write/write-atomic.ts';
import { printDiagnostics } from './codegen.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';

export interface PlanFlags {
  readonly features: string;
  readonly out: string;
  readonly config?: string;
  readonly json: boolean;
}

export async function planCommand(opts: PlanFlags, io: Io): Promise<number> {
  const { diagnostics, files } = await generate({ featuresDir: opts.features, outDir: opts.out, ...(opts.config ? { configFile: opts.config } : {}) });
  printDiagnostics(diagnostics, io);
  if (!files) {
    io.err('featurestore plan: the definitions are invalid; nothing to plan\n');
    return EXIT_INVALID;
  }
  const diff = await compareOutput(opts.out, files);
  const newMigrations = diff.missing.filter((p) => p.startsWith('migrations/'));
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, add: diff.missing, change: diff.stale, remove: diff.extra, migrations: newMigrations }) + '\n');
    return EXIT_OK;
  }
  if (diff.missing.length + diff.stale.length + diff.extra.length === 0) {
    io.out(`No changes: ${opts.out}/ matches features/.\n`);
    return EXIT_OK;
  }
  const list = (sign: string, paths: readonly string[]) => paths.forEach((p) => io.out(`  ${sign} ${opts.out}/${p}\n`));
  io.out(`featurestore codegen would:\n`);
  list('+', diff.missing);
  list('~', diff.stale);
  list('-', diff.extra);
  for (const p of newMigrations) {
    io.out(`\nNew migration ${p} (apply with featurestore migrate):\n`);
    io.out(files.get(p)!.split('\n').filter((l) => l !== '' && !l.startsWith('-- Code generated') && !l.startsWith('-- Source:') && !l.startsWith('-- Edit the YAML')).map((l) => `    ${l}\n`).join(''));
  }
  io.out(`\nRun \`npm run codegen\` to apply, then commit ${opts.out}/.\n`);
  return EXIT_OK;
}
