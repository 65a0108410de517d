/**
 * `featurestore init [DIR]`: scaffolds a project that `featurestore codegen` accepts as it is — the
 * config with one consumer and its `api_keys_env`, one example feature under `features/<namespace>/`,
 * `.gitignore` entries and a `codegen` script in package.json (a minimal package.json when there is none).
 *
 * Nothing existing is overwritten: a config or feature file already there, or a different `codegen`
 * script, refuses the whole run (exit 2, naming every such file) before anything is written, unless
 * `--force`. Two edits are always safe and never need it: lines appended to `.gitignore`, and a
 * `codegen` script added to a package.json that has none (its other keys and order kept).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_TABLE_NAME_LENGTH, tableNameOf } from '../core/naming.ts';
import { UsageError } from '../generator/diagnostics.ts';
import { toDisplayPath } from '../generator/load/discover.ts';
import { CONFIG_FILE_NAMES } from '../generator/spec/config-spec.ts';
import {
  CODEGEN_SCRIPT,
  configYaml,
  EXAMPLE_FEATURE,
  exampleFeatureYaml,
  GITIGNORE_ENTRIES,
  GITIGNORE_HEADER,
  INIT_DEFAULTS,
  keyVariableOf,
  type InitNames,
} from './init-templates.ts';
import { EXIT_OK, type Io } from './io.ts';
import { DEFAULT_SQLITE_FILE } from './serve-project.ts';

export interface InitFlags {
  readonly namespace: string;
  readonly consumer: string;
  readonly force: boolean;
}

export const INIT_FLAG_DEFAULTS = INIT_DEFAULTS;

const NAMESPACE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** A consumer name whose default Cassandra role (dashes as underscores) is a valid role too. */
const CONSUMER = /^[a-z][a-z0-9_-]{0,47}$/;

export const INIT_ERRORS = {
  exist: (files: readonly string[]) =>
    `${files.join(', ')} ${files.length === 1 ? 'already exists' : 'already exist'}; nothing was written (pass --force to replace ${files.length === 1 ? 'it' : 'them'})`,
  codegenScript: (file: string, script: string) => `${file} (its "codegen" script is "${script}")`,
  badPackageJson: (file: string, problem: string) => `${file} cannot be edited: ${problem} (fix it, or add the script "codegen": "${CODEGEN_SCRIPT}" yourself)`,
  badNamespace: (value: string) =>
    `invalid --namespace "${value}": expected lowercase letters, digits and single dashes, starting with a letter (e.g. recsys)`,
  longNamespace: (value: string, table: string) =>
    `invalid --namespace "${value}": the example's table ${table} would be longer than Cassandra's ${MAX_TABLE_NAME_LENGTH} characters`,
  badConsumer: (value: string) =>
    `invalid --consumer "${value}": expected lowercase letters, digits, - and _, starting with a letter, at most 48 characters`,
  notAFolder: (dir: string) => `${dir} exists and is not a folder`,
} as const;

type Kind = 'created' | 'replaced' | 'updated';
interface Write {
  readonly file: string;
  readonly content: string;
  readonly kind: Kind;
}

export async function initCommand(dir: string | undefined, opts: InitFlags, io: Io, cwd = process.cwd()): Promise<number> {
  const names = checkNames(opts);
  const root = path.resolve(cwd, dir ?? '.');
  const rootStat = await stat(root).catch(() => null);
  if (rootStat && !rootStat.isDirectory()) throw new UsageError(INIT_ERRORS.notAFolder(toDisplayPath(root, cwd)));
  const show = (file: string) => toDisplayPath(path.join(root, file), cwd);

  const writes: Write[] = [];
  const conflicts: string[] = [];
  // A config under either name counts: the loader would read the other one first.
  const existingConfig = await firstExisting(root, CONFIG_FILE_NAMES);
  if (existingConfig === null || opts.force) {
    writes.push({ file: 'featurestore.yaml', content: configYaml(names), kind: existingConfig === 'featurestore.yaml' ? 'replaced' : 'created' });
  } else conflicts.push(show(existingConfig));
  const featureFile = path.join('features', names.namespace, `${names.namespace}.yaml`);
  const featureExists = await exists(path.join(root, featureFile));
  if (!featureExists || opts.force) writes.push({ file: featureFile, content: exampleFeatureYaml(names), kind: featureExists ? 'replaced' : 'created' });
  else conflicts.push(show(featureFile));
  const pkg = await packageJsonWrite(root, show('package.json'), opts.force);
  if ('conflict' in pkg) conflicts.push(pkg.conflict);
  else if (pkg.write) writes.push(pkg.write);
  const ignore = await gitignoreWrite(root);
  if (ignore) writes.push(ignore);
  if (conflicts.length > 0) throw new UsageError(INIT_ERRORS.exist(conflicts));

  for (const w of writes) {
    await mkdir(path.dirname(path.join(root, w.file)), { recursive: true });
    // 'wx' for new files: one created meanwhile by someone else is an error, not overwritten.
    await writeFile(path.join(root, w.file), w.content, { flag: w.kind === 'created' ? 'wx' : 'w' });
  }
  for (const w of writes) io.out(`${w.kind.padEnd(8)} ${show(w.file)}\n`);
  const cd = root === cwd ? '' : `  cd ${toDisplayPath(root, cwd)}\n`;
  io.out(
    `\nNext:\n${cd}` +
      `  npm install --save-dev featurestore   # unless it is installed already\n` +
      `  npm run codegen                       # features/ -> generated/ (typed client, Avro, CQL, ...)\n` +
      `  ${keyVariableOf(names.consumer)}=<key> npx featurestore serve   # the Read API over ${DEFAULT_SQLITE_FILE}\n` +
      `Then edit ${show(featureFile)} (feature ${names.namespace}::${EXAMPLE_FEATURE}) and run codegen again.\n`,
  );
  return EXIT_OK;
}

function checkNames(opts: InitFlags): InitNames {
  if (!NAMESPACE.test(opts.namespace)) throw new UsageError(INIT_ERRORS.badNamespace(opts.namespace));
  const table = tableNameOf(opts.namespace, EXAMPLE_FEATURE.replace(/-v\d+$/, ''), 1);
  if (table.length > MAX_TABLE_NAME_LENGTH) throw new UsageError(INIT_ERRORS.longNamespace(opts.namespace, table));
  if (!CONSUMER.test(opts.consumer)) throw new UsageError(INIT_ERRORS.badConsumer(opts.consumer));
  return { namespace: opts.namespace, consumer: opts.consumer };
}

/** The package.json edit: none needed, a conflict to report, or the file to write. */
async function packageJsonWrite(root: string, shown: string, force: boolean): Promise<{ readonly write: Write | null } | { readonly conflict: string }> {
  const file = path.join(root, 'package.json');
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new UsageError(INIT_ERRORS.badPackageJson(shown, e.code ?? e.message));
  });
  if (text === null) {
    const content = JSON.stringify({ name: packageName(root), private: true, type: 'module', scripts: { codegen: CODEGEN_SCRIPT } }, null, 2) + '\n';
    return { write: { file: 'package.json', content, kind: 'created' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(INIT_ERRORS.badPackageJson(shown, `not valid JSON (${(e as Error).message})`));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(INIT_ERRORS.badPackageJson(shown, 'not a JSON object'));
  const pkg = json as Record<string, unknown>;
  const scripts = pkg['scripts'] ?? {};
  if (typeof scripts !== 'object' || scripts === null || Array.isArray(scripts)) throw new UsageError(INIT_ERRORS.badPackageJson(shown, '"scripts" is not an object'));
  const existing = (scripts as Record<string, unknown>)['codegen'];
  if (existing === CODEGEN_SCRIPT) return { write: null };
  if (existing !== undefined && !force) return { conflict: INIT_ERRORS.codegenScript(shown, String(existing)) };
  pkg['scripts'] = { ...(scripts as Record<string, unknown>), codegen: CODEGEN_SCRIPT };
  // The file's own indentation and final newline, so the diff is the one added line.
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const content = JSON.stringify(pkg, null, indent) + (text.endsWith('\n') ? '\n' : '');
  return { write: { file: 'package.json', content, kind: 'updated' } };
}

async function gitignoreWrite(root: string): Promise<Write | null> {
  const text = await readFile(path.join(root, '.gitignore'), 'utf8').catch(() => null);
  const present = new Set((text ?? '').split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_ENTRIES.filter((e) => !present.has(e));
  if (missing.length === 0) return null;
  const block = `${GITIGNORE_HEADER}\n${missing.join('\n')}\n`;
  if (text === null) return { file: '.gitignore', content: block, kind: 'created' };
  const separator = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return { file: '.gitignore', content: `${text}${separator}${block}`, kind: 'updated' };
}

/** An npm package name from the folder's name (lowercase, URL-safe), or a neutral default. */
function packageName(root: string): string {
  const name = path.basename(root).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '').slice(0, 214);
  return name === '' ? 'featurestore-project' : name;
}

async function firstExisting(root: string, names: readonly string[]): Promise<string | null> {
  for (const name of names) if (await exists(path.join(root, name))) return name;
  return null;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null;
}
