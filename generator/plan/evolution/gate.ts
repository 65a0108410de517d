/**
 * The schema-evolution gate: codegen compares every feature version that already exists in the previous
 * manifest (live or retired) with its new definition and refuses changes that would break its readers
 * or writers. Rows of a version are never rewritten, so an incompatible schema needs a new version.
 */
import { compareDiagnostics, type Diagnostic } from '../../diagnostics.ts';
import { featureInputHash } from '../../emit/manifest/index.ts';
import type { FeatureIR, IR } from '../../ir/types.ts';
import type { Manifest, ManifestFeature } from '../../../core/manifest/manifest-schema.ts';
import { consumerWarnings } from './consumer-warnings.ts';
import type { EvolutionRule, Violation } from './rule.ts';
import { FEATURE_REMOVED, RULES } from './rules.ts';
import { previousEntry, RETIRED_FEATURES_KEY, retiredFeatures } from './writer-schemas.ts';

/** Every breaking change (errors), removal and consumer impact (warnings); nothing when there is no baseline. */
export function checkEvolution(previous: Manifest | undefined, ir: IR): Diagnostic[] {
  if (!previous) return [];
  const out: Diagnostic[] = [];
  const highest = highestVersions(ir, previous);
  for (const after of ir.features) {
    const before = previousEntry(previous, after.fullName);
    const next = `${after.namespace}::${after.name}-v${(highest.get(`${after.namespace}::${after.name}`) ?? after.version) + 1}`;
    if (before) out.push(...checkFeature(before, after, next));
  }
  const live = new Set(ir.features.map((f) => f.fullName));
  for (const before of Object.values(previous.features)) {
    if (!live.has(before.fullName)) out.push(removalWarning(before, previous));
  }
  return out.sort(byPositionErrorsFirst);
}

/** Position order, and at one position the error before the warnings that explain whom it affects. */
function byPositionErrorsFirst(a: Diagnostic, b: Diagnostic): number {
  const samePlace = a.file === b.file && a.line === b.line && a.column === b.column;
  return samePlace && a.severity !== b.severity ? (a.severity === 'error' ? -1 : 1) : compareDiagnostics(a, b);
}

function checkFeature(before: ManifestFeature, after: FeatureIR, next: string): Diagnostic[] {
  // Same IR as last time: the rules and warnings have nothing to compare. The Avro check still runs,
  // because the schema built from the same IR may differ after a change to the Avro builder.
  const unchanged = before.inputHash === featureInputHash(after);
  const run = (rules: readonly EvolutionRule[]): Diagnostic[] =>
    rules.flatMap((rule) => rule.check(before, after).map((v) => toDiagnostic(rule, v, after, next)));
  const specific = unchanged ? [] : run(RULES.filter((r) => !r.catchAll));
  const catchAll = specific.some((d) => d.severity === 'error') ? [] : run(RULES.filter((r) => r.catchAll));
  return [...specific, ...catchAll, ...(unchanged ? [] : consumerWarnings(before, after))];
}

function toDiagnostic(rule: EvolutionRule, v: Violation, after: FeatureIR, next: string): Diagnostic {
  const create = `create ${next} instead (new tables; both versions can be served while consumers migrate)`;
  return {
    file: v.location.file,
    line: v.location.line,
    column: v.location.column,
    feature: after.fullName,
    ...(v.field ? { field: v.field } : {}),
    message: `${v.message} [${rule.id}]`,
    hint: v.alternative ? `${create}, or ${v.alternative}` : create,
    severity: rule.severity,
  };
}

/**
 * The highest version of each `<ns>::<name>` defined or retired, so the hint names a free version
 * (`-v<N+1>`, or past a v<N+1> that already exists). One pass, not one per feature: codegen runs this
 * over every feature on every run.
 */
function highestVersions(ir: IR, previous: Manifest): Map<string, number> {
  const highest = new Map<string, number>();
  for (const f of [...ir.features, ...Object.values(previous.features), ...Object.values(retiredFeatures(previous))]) {
    const key = `${f.namespace}::${f.name}`;
    highest.set(key, Math.max(highest.get(key) ?? 0, f.version));
  }
  return highest;
}

function removalWarning(before: ManifestFeature, previous: Manifest): Diagnostic {
  const { keyspace } = previous.project.cassandra;
  const { dataset } = previous.project.bigquery;
  const readers = before.access.read.length ? `; readers ${before.access.read.join(', ')} lose it when they redeploy with the regenerated client` : '';
  return {
    // The definition is gone; its last source file is the closest place to point at.
    file: before.source,
    line: 1,
    column: 1,
    feature: before.fullName,
    message: `feature removed: its tables (Cassandra ${keyspace}.${before.tableName}, BigQuery ${dataset}.${before.tableName}) and their data are kept, tables are never dropped automatically${readers} [${FEATURE_REMOVED.id}]`,
    hint: `drop the tables by hand once nothing reads them; the name stays reserved in manifest.json (${RETIRED_FEATURES_KEY}), so re-adding ${before.fullName} later must be compatible with its stored rows`,
    severity: FEATURE_REMOVED.severity,
  };
}
