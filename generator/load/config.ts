import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Diagnostic } from '../diagnostics.ts';
import { CONFIG_FILE_NAMES, configSpec, type ConfigSpec } from '../spec/config-spec.ts';
import { zodIssuesToDiagnostics } from '../spec/zod-diagnostics.ts';
import { toDisplayPath } from './discover.ts';
import { MAX_FILE_BYTES } from './limits.ts';
import { SourceFile } from './source-file.ts';

export interface LoadedConfig {
  readonly config: ConfigSpec;
  /** Absent when no config file exists and the defaults apply. */
  readonly source?: SourceFile;
  /** The config file's absolute path; absent with `source`. Its folder is the project root. */
  readonly file?: string;
  readonly diagnostics: readonly Diagnostic[];
}

const CONFIG_KEYS: Record<string, readonly string[]> = {
  '': ['cassandra', 'bigquery', 'kafka', 'consumers', 'codegen'],
  cassandra: ['keyspace', 'replication_factor'],
  bigquery: ['project', 'dataset', 'location'],
  kafka: ['topic'],
  codegen: ['runtime_import'],
  consumer: ['description', 'cassandra_role', 'bigquery_member', 'api_keys_env'],
};

/** The project config: the `--config` file, else `featurestore.yaml` in the working directory, else defaults. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  const candidates = explicit ? [explicit] : CONFIG_FILE_NAMES.map((n) => path.join(cwd, n));
  for (const file of candidates) {
    const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' && !explicit) return undefined;
      const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a folder' : (e.code ?? e.message);
      throw new UsageError(`cannot read config file ${file}: ${why} (pass --config FILE)`);
    });
    if (bytes === undefined) continue;
    if (bytes.length > MAX_FILE_BYTES) throw new UsageError(`config file ${file} is ${bytes.length} bytes; at most ${MAX_FILE_BYTES} are allowed`);
    const source = SourceFile.fromBytes(toDisplayPath(file, cwd), bytes);
    const found = { source, file: path.resolve(cwd, file) };
    const syntax = [...source.syntaxDiagnostics(), ...source.contentDiagnostics().diagnostics];
    if (syntax.length > 0) return { config: configSpec.parse({}), ...found, diagnostics: syntax };
    const js = source.toJS();
    if (!js.ok) return { config: configSpec.parse({}), ...found, diagnostics: [js.diagnostic] };
    const parsed = configSpec.safeParse(js.value ?? {}, { reportInput: true });
    if (parsed.success) return { config: parsed.data, ...found, diagnostics: [] };
    const knownKeys = (p: readonly (string | number)[]) => (p[0] === 'consumers' && p.length === 2 ? CONFIG_KEYS['consumer'] : CONFIG_KEYS[String(p[p.length - 1] ?? '')]) ?? [];
    const diagnostics = zodIssuesToDiagnostics(parsed.error.issues, { source, basePath: [], knownKeys });
    return { config: configSpec.parse({}), ...found, diagnostics };
  }
  return { config: configSpec.parse({}), diagnostics: [] };
}
