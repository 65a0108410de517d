/**
 * Warnings for the people who must act on a change: every change to an existing feature version (not
 * its descriptions or owner) names the consumers in `access.read` it affects, and whether they must
 * redeploy with the regenerated client — before the writers, when old clients cannot decode new values.
 */
import type { Diagnostic } from '../../diagnostics.ts';
import type { FeatureIR } from '../../ir/types.ts';
import type { ManifestFeature } from '../../../core/manifest/manifest-schema.ts';
import { oldClientsCanRead } from './avro-compatibility.ts';
import { featureChanges, type Change } from './changes.ts';

export function consumerWarnings(before: ManifestFeature, after: FeatureIR): Diagnostic[] {
  const readers = after.access.read;
  // With no reader in access.read nobody is granted reads (ACL, grants), so nobody is to be told;
  // access changes name their consumers themselves.
  const changes = featureChanges(before, after).filter((c) => readers.length > 0 || c.kind === 'access');
  if (changes.length === 0) return [];
  const writers = after.access.write;
  // Only worth an avsc resolution when the client changes.
  const redeployFirst = changes.some((c) => c.kind === 'client') && !oldClientsCanRead(before, after);
  const orderHint = `clients generated before this change cannot decode values written with the new schema: redeploy the readers first, then ${
    writers.length ? `the writers (${writers.join(', ')})` : 'whatever writes it'
  }`;
  return changes.map((change) => ({
    file: change.location.file,
    line: change.location.line,
    column: change.location.column,
    feature: after.fullName,
    ...(change.field ? { field: change.field } : {}),
    message: `${change.summary}: ${impact(change, readers)}`,
    ...(change.kind === 'client' && redeployFirst ? { hint: orderHint } : {}),
    severity: 'warning' as const,
  }));
}

function impact(change: Change, readers: readonly string[]): string {
  switch (change.kind) {
    case 'client':
      return `readers ${readers.join(', ')} must redeploy with the regenerated client`;
    case 'data':
      return `affects readers ${readers.join(', ')} (no redeploy needed)`;
    case 'access':
      return 'takes effect when the generated ACL and grants are applied';
  }
}
