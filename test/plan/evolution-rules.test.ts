/** Cases of the rules and consumer warnings beyond the one-per-rule fixtures, on in-memory IR. */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../generator/diagnostics.ts';
import { emitManifest } from '../../generator/emit/manifest/index.ts';
import { buildIR } from '../../generator/ir/build.ts';
import type { IR } from '../../generator/ir/types.ts';
import { loadConfig } from '../../generator/load/config.ts';
import { SourceFile } from '../../generator/load/source-file.ts';
import { checkEvolution } from '../../generator/plan/evolution/index.ts';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import { parseManifestText } from '../../core/manifest/parse-manifest.ts';

const config = await loadConfig('test/fixtures/config/featurestore.yaml');

function irOf(body: string, name = 'k::f-v1'): IR {
  const { ir, diagnostics } = buildIR([new SourceFile('f.yaml', `${name}:\n  owner: team\n${body}`)], config);
  if (!ir) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return ir;
}

function manifestOf(ir: IR): Manifest {
  return parseManifestText(emitManifest(ir, { previous: { migrations: new Map() } }).get('manifest.json')!, 'manifest.json');
}

function gate(before: string, after: string): Diagnostic[] {
  return checkEvolution(manifestOf(irOf(before)), irOf(after));
}

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.field ?? '-'} ${/\[(\w+)\]$/.exec(d.message)?.[1]}`);
const warnings = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'warning').map((d) => `${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`);

const object = (schema: string, rest = '  access: { read: [recsys, analytics], write: [recsys] }\n') =>
  `  feature_type: Object\n  schema:\n${schema}${rest}`;

describe('KEY_FIELDS_CHANGED', () => {
  const keys = '    a: { type: Int, is_key_field: true }\n    b: { type: Text, is_key_field: true }\n    v: { type: Int, default_value: 0 }\n';

  it('refuses a key type change, even a widening', () => {
    expect(errors(gate(object(keys), object(keys.replace('a: { type: Int', 'a: { type: Long'))))).toEqual(['5:5 a KEY_FIELDS_CHANGED']);
  });

  it('refuses a new key order', () => {
    const swapped = '    b: { type: Text, is_key_field: true }\n    a: { type: Int, is_key_field: true }\n    v: { type: Int, default_value: 0 }\n';
    expect(errors(gate(object(keys), object(swapped)))).toEqual(['5:5 b KEY_FIELDS_CHANGED']);
  });

  it('refuses a key that became a value field, once (not also as a field rule)', () => {
    const demoted = keys.replace('b: { type: Text, is_key_field: true }', 'b: { type: Text, default_value: "" }');
    expect(errors(gate(object(keys), object(demoted)))).toEqual(['6:5 b KEY_FIELDS_CHANGED']);
  });

  it('refuses a removed key at the feature', () => {
    const removed = keys.replace('    b: { type: Text, is_key_field: true }\n', '');
    expect(errors(gate(object(keys), object(removed)))).toEqual(['1:1 b KEY_FIELDS_CHANGED']);
  });
});

describe('several violations', () => {
  it('reports each, in position order, and skips the Avro catch-all', () => {
    const before = object('    id: { type: Text, is_key_field: true }\n    x: { type: Int, default_value: 0 }\n    y: { type: Text, nullable: true }\n');
    const after = object('    id: { type: Text, is_key_field: true }\n    x: { type: Boolean, default_value: false }\n    y: { type: Text, default_value: "" }\n    z: { type: Int }\n');
    expect(errors(gate(before, after))).toEqual([
      '6:5 x FIELD_TYPE_CHANGED',
      '7:5 y FIELD_NULLABILITY_TIGHTENED',
      '8:5 z FIELD_ADDED_WITHOUT_DEFAULT',
    ]);
  });
});

describe('consumer warnings', () => {
  const base = '    id: { type: Text, is_key_field: true }\n    n: { type: Int, default_value: 0 }\n';

  it('say that old clients still decode a field added with a default (no ordering hint)', () => {
    expect(warnings(gate(object(base), object(`${base}    m: { type: Text, default_value: "x" }\n`)))).toEqual([
      'field "m" added (Text, default "x"): readers analytics, recsys must redeploy with the regenerated client',
    ]);
  });

  it('name the writers to hold back when old clients cannot decode the new schema', () => {
    expect(warnings(gate(object(base), object(base.replace('type: Int', 'type: Long'))))).toEqual([
      'field "n" type Int → Long: readers analytics, recsys must redeploy with the regenerated client (hint: clients generated before this change cannot decode values written with the new schema: redeploy the readers first, then the writers (recsys))',
    ]);
  });

  it('cover retention, cache, sync and access, but not descriptions or owner', () => {
    const before = object(base, '  retention: 30d\n  access: { read: [recsys, analytics], write: [recsys] }\n');
    const after = `  description: new words\n${object(base.replace('is_key_field: true', 'is_key_field: true, description: the id'), '  retention: 7d\n  cache: { ttl: 5m }\n  upsync: { enabled: true }\n  access: { read: [recsys], write: [recsys, analytics] }\n')}`;
    expect(warnings(gate(before, after.replace('owner: team', 'owner: other')))).toEqual([
      'access.read removes analytics: takes effect when the generated ACL and grants are applied',
      'access.write adds analytics: takes effect when the generated ACL and grants are applied',
      'cache.ttl none → 5m: readers recsys must redeploy with the regenerated client',
      'retention 30d → 7d: affects readers recsys (no redeploy needed)',
      'upsync.enabled false → true: affects readers recsys (no redeploy needed)',
    ]);
  });

  it('are not given when nobody is in access.read', () => {
    expect(gate(object(base, ''), object(`${base}    m: { type: Text, default_value: "x" }\n`, ''))).toEqual([]);
  });
});
