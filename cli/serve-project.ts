/**
 * Where `featurestore serve` (and upsync, send, downsync) finds its project, so it runs from any folder with at most one flag:
 *
 * - `--config FILE`, else `featurestore.yaml` (or `.yml`) in the working folder, else no config;
 * - the generated folder: `--generated DIR` (relative to the working folder, as typed), else
 *   `generated/` beside the config file, else `generated/` in the working folder;
 * - the default SQLite file: `featurestore.sqlite` beside the config file, else in the working folder.
 *
 * Defaults follow the config file rather than the working folder because the config is what ties a
 * project together (codegen writes `generated/` beside it); a service started by a process manager from
 * `/` must not silently open a fresh, empty database there. Flags typed by the user keep the shell's
 * meaning (relative to where they were typed), as every other command's paths do.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { toDisplayPath } from '../generator/load/discover.ts';
import { UsageError } from '../generator/diagnostics.ts';
import { CONFIG_FILE_NAMES } from '../generator/spec/config-spec.ts';

/** The SQLite file `serve` opens when `--store` is not given, beside the config (see above). */
export const DEFAULT_SQLITE_FILE = 'featurestore.sqlite';
export const DEFAULT_GENERATED_DIR = 'generated';

export const SERVE_PROJECT_ERRORS = {
  /** `--generated DIR` given, and it holds no manifest. */
  noManifestAt: (dir: string) => `${dir}/manifest.json not found: run featurestore codegen first, or pass --generated DIR (the folder codegen writes)`,
  /** The default beside a config file holds no manifest. */
  noManifestBesideConfig: (dir: string, config: string) =>
    `${dir}/manifest.json not found (the generated folder beside ${config}): run featurestore codegen there, or pass --generated DIR`,
  /** Neither a config nor a generated folder here: most likely serve was started from the wrong folder. */
  noProject: (cwd: string) =>
    `no featurestore.yaml and no generated/manifest.json in ${cwd}: pass --generated DIR (the folder featurestore codegen writes) or --config FILE (the project's featurestore.yaml)`,
  configMissing: (file: string) => `config file ${file} not found (pass --config FILE, or leave it out to run from --generated DIR alone)`,
} as const;

export interface ServeProject {
  /** The config file (as typed or found, relative when inside the working folder), or null. */
  readonly configFile: string | null;
  /** Folder holding manifest.json and acl/, checked to hold a manifest. */
  readonly generatedDir: string;
  /** The SQLite path used when `--store` is not given. */
  readonly defaultSqlitePath: string;
}

export async function locateServeProject(
  flags: { readonly config?: string | undefined; readonly generated?: string | undefined },
  cwd = process.cwd(),
): Promise<ServeProject> {
  const configFile = flags.config ?? (await findConfig(cwd));
  if (flags.config !== undefined && !(await isFile(path.resolve(cwd, flags.config)))) {
    throw new UsageError(SERVE_PROJECT_ERRORS.configMissing(flags.config));
  }
  const base = configFile === null ? cwd : path.dirname(path.resolve(cwd, configFile));
  const generatedDir = toDisplayPath(flags.generated !== undefined ? path.resolve(cwd, flags.generated) : path.join(base, DEFAULT_GENERATED_DIR), cwd);
  if (!(await isFile(path.resolve(cwd, generatedDir, 'manifest.json')))) {
    if (flags.generated !== undefined) throw new UsageError(SERVE_PROJECT_ERRORS.noManifestAt(flags.generated));
    if (configFile !== null) throw new UsageError(SERVE_PROJECT_ERRORS.noManifestBesideConfig(generatedDir, configFile));
    throw new UsageError(SERVE_PROJECT_ERRORS.noProject(cwd));
  }
  return { configFile, generatedDir, defaultSqlitePath: toDisplayPath(path.join(base, DEFAULT_SQLITE_FILE), cwd) };
}

async function findConfig(cwd: string): Promise<string | null> {
  for (const name of CONFIG_FILE_NAMES) if (await isFile(path.join(cwd, name))) return name;
  return null;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() === true;
}
