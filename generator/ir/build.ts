/** All feature files + the project config → one IR, or every problem found. */
import { compareDiagnostics, hasErrors, type Diagnostic } from '../diagnostics.ts';
import type { LoadedConfig } from '../load/config.ts';
import type { ContentProblems } from '../load/content-checks.ts';
import type { SourceFile } from '../load/source-file.ts';
import { featureSpec } from '../spec/feature-spec.ts';
import { MAX_FEATURES, MAX_FIELDS_PER_FEATURE } from '../load/limits.ts';
import { FEATURE_NAME_PATTERN } from '../spec/names.ts';
import { zodIssuesToDiagnostics } from '../spec/zod-diagnostics.ts';
import { buildFeature } from './build-feature.ts';
import { FeatureReporter } from './reporter.ts';
import { salvage } from './salvage.ts';
import type { ConsumerIR, FeatureIR, IR, ProjectIR } from './types.ts';
import { isMap, isScalar } from 'yaml';

export interface BuildResult {
  /** Present only when there is no error. */
  readonly ir?: IR;
  /** Errors and warnings, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
}

/** What one file contributes: its features (not yet cross-checked), problems, and where each name is. */
export interface FileResult {
  readonly features: FeatureIR[];
  readonly diagnostics: Diagnostic[];
  /** Every well-formed feature name of the file with its position, for the duplicate check. */
  readonly names: { readonly name: string; readonly file: string; readonly line: number; readonly column: number }[];
}

export function buildIR(files: readonly SourceFile[], loaded: LoadedConfig): BuildResult {
  const project = buildProject(loaded);
  const consumers = new Set(project.consumers.map((c) => c.name));
  return mergeFileResults(project, loaded.diagnostics, files.map((f) => buildFile(f, consumers)));
}

/** The per-file half of buildIR: independent of every other file, so files can be built in parallel. */
export function buildFile(source: SourceFile, consumers: ReadonlySet<string>): FileResult {
  const result: FileResult = { features: [], diagnostics: [], names: [] };
  const { diagnostics } = result;
  const syntax = source.syntaxDiagnostics({ featureNames: true });
  diagnostics.push(...syntax);
  if (syntax.some((d) => !d.message.startsWith('duplicate key'))) return result;
  const content = source.contentDiagnostics();
  diagnostics.push(...content.diagnostics);
  const root = source.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return result; // an empty file defines nothing
  if (!isMap(root)) {
    const pos = source.position([]);
    diagnostics.push({ file: source.file, ...pos, message: 'a feature file must be a mapping of feature names to definitions', hint: 'start with a line such as `live::host-stat-v1:`', severity: 'error' });
    return result;
  }
  const js = source.toJS();
  if (!js.ok) {
    diagnostics.push(js.diagnostic);
    return result;
  }
  const docJs = js.value as Record<string, unknown>;
  // A name written twice in one file is checked once: by its last definition, which is the one
  // toJS() kept and the one paths resolve to. Each writing is listed in `names` at its own key, so
  // mergeFileResults reports the repeat where it is, naming the first, as across files.
  const definedHere = new Set<string>();
  for (const pair of root.items) {
    const fullName = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const keyAt = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    const pos = keyAt === undefined ? source.position([fullName], 'key') : source.positionAt(keyAt);
    if (!FEATURE_NAME_PATTERN.test(fullName)) {
      diagnostics.push({ file: source.file, ...pos, feature: fullName, message: `feature name "${fullName}" does not match <namespace>::<name>-v<N>`, hint: namingHint(fullName), severity: 'error' });
      continue;
    }
    result.names.push({ name: fullName, file: source.file, ...pos });
    if (definedHere.has(fullName)) continue;
    definedHere.add(fullName);
    const reporter = new FeatureReporter(source, fullName, diagnostics);
    const fieldCount = countFields(docJs[fullName]);
    if (fieldCount > MAX_FIELDS_PER_FEATURE) {
      reporter.error(['schema'], `the feature has ${fieldCount} fields; at most ${MAX_FIELDS_PER_FEATURE} are allowed (BigQuery's column limit)`, 'split it into several features', 'key');
      continue;
    }
    const parsed = featureSpec.safeParse(docJs[fullName], { reportInput: true });
    if (parsed.success) {
      const feature = buildFeature(fullName, parsed.data, consumers, reporter);
      if (feature) result.features.push(feature);
      continue;
    }
    diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, { source, basePath: [fullName], feature: fullName }));
    // Check what is left too, so one run reports every problem; the result is discarded.
    const rest = salvage(docJs[fullName], parsed.error.issues);
    const reparsed = rest && featureSpec.safeParse(rest.value);
    if (rest && reparsed?.success) buildFeature(fullName, reparsed.data, consumers, reporter, { partial: rest.droppedFields });
  }
  return content.spans.length === 0 ? result : { ...result, diagnostics: withoutEchoes(source, diagnostics, content) };
}

/**
 * A value refused for its content (an unsupported tag, a control character) usually fails the
 * schema check too, at the same spot: the first, more precise, diagnostic is kept, not both.
 */
function withoutEchoes(source: SourceFile, diagnostics: Diagnostic[], content: ContentProblems): Diagnostic[] {
  const own = new Set(content.diagnostics);
  return diagnostics.filter((d) => {
    if (own.has(d)) return true;
    const offset = source.offsetOf(d.line, d.column);
    return !content.spans.some(([start, end]) => offset >= start && offset < end);
  });
}

/** Joins per-file results in file order: names defined twice across files, sorting, the final IR. */
export function mergeFileResults(project: ProjectIR, configDiagnostics: readonly Diagnostic[], results: readonly FileResult[]): BuildResult {
  const diagnostics: Diagnostic[] = [...configDiagnostics];
  const seen = new Map<string, { file: string; line: number }>();
  for (const r of results) {
    diagnostics.push(...r.diagnostics);
    for (const n of r.names) {
      const first = seen.get(n.name);
      if (!first) {
        seen.set(n.name, n);
        continue;
      }
      diagnostics.push({ file: n.file, line: n.line, column: n.column, feature: n.name, message: `feature defined twice: also at ${first.file}:${first.line}`, hint: 'keep one definition, or bump the version of the new one', severity: 'error' });
    }
  }
  const features = results.flatMap((r) => r.features).sort((a, b) => (a.fullName < b.fullName ? -1 : 1));
  diagnostics.push(...typeScriptNameClashes(features));
  if (seen.size > MAX_FEATURES) {
    diagnostics.push({ file: results.find((r) => r.names.length > 0)?.names[0]?.file ?? '', line: 1, column: 1, message: `the project defines ${seen.size} features; at most ${MAX_FEATURES} are allowed`, hint: 'split it into several projects', severity: 'error' });
  }
  diagnostics.sort(compareDiagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { ir: { project, features }, diagnostics };
}

export function buildProject({ config }: LoadedConfig): ProjectIR {
  const consumers: ConsumerIR[] = Object.entries(config.consumers)
    .map(([name, c]) => ({
      name,
      description: c?.description ?? '',
      cassandraRole: c?.cassandra_role ?? name.replaceAll('-', '_'),
      bigqueryMember: c?.bigquery_member ?? null,
      apiKeysEnv: c?.api_keys_env ?? null,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    cassandra: { keyspace: config.cassandra.keyspace, replicationFactor: config.cassandra.replication_factor },
    bigquery: { ...config.bigquery },
    kafka: { ...config.kafka },
    consumers,
  };
}

function countFields(definition: unknown): number {
  const schema = typeof definition === 'object' && definition !== null ? (definition as { schema?: unknown }).schema : undefined;
  return typeof schema === 'object' && schema !== null ? Object.keys(schema).length : 0;
}

/**
 * Two names that differ only in where their dashes are (`host-stat-1` and `host-stat1`, namespaces
 * `live-1` and `live1`) become the same TypeScript identifier: `features.live1.hostStat1V1` could
 * name either, so the second is refused where it is defined.
 */
function typeScriptNameClashes(features: readonly FeatureIR[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const namespaces = new Map<string, FeatureIR>();
  const members = new Map<string, FeatureIR>();
  const clash = (f: FeatureIR, other: FeatureIR, what: string, ts: string): void => {
    out.push({ ...f.location, feature: f.fullName, message: `${what} "${ts}" in the generated TypeScript is already taken by ${other.fullName} (${other.location.file}:${other.location.line})`, hint: 'rename one of them: names that differ only in dashes map to the same identifier', severity: 'error' });
  };
  for (const f of [...features].sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line)) {
    const ns = namespaces.get(f.tsNamespace);
    if (ns && ns.namespace !== f.namespace) clash(f, ns, 'the namespace becomes', f.tsNamespace);
    else namespaces.set(f.tsNamespace, f);
    const key = `${f.tsNamespace}.${f.tsName}`;
    const member = members.get(key);
    if (member && member.fullName !== f.fullName && !(ns && ns.namespace !== f.namespace)) clash(f, member, 'the feature becomes', key);
    else if (!member) members.set(key, f);
  }
  return out;
}

function namingHint(name: string): string {
  const fixed = name
    .toLowerCase()
    .replace(/[_\s]+/g, '-')
    .replace(/[^a-z0-9:-]/g, '');
  if (/::/.test(fixed) && !/-v[0-9]+$/.test(fixed)) return `add a version suffix, e.g. ${fixed}-v1`;
  return 'namespace and name use lowercase letters, digits and dashes, e.g. live::host-stat-v1';
}
