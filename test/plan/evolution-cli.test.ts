/** `featurestore codegen` with the evolution gate, end to end: the real binary, its output and exit code. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../core/manifest/parse-manifest.ts';
import { parseAvroSchemaText, parseAvroType, schemaFingerprint } from '../../core/serde/index.ts';
import { runBinary, runCli } from '../helpers/run-cli.ts';
import { tempDir, writeTree } from '../helpers/temp-dir.ts';

const CONFIG = 'test/fixtures/config/featurestore.yaml';

const V1 = `live::host-stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Text, is_key_field: true }
    level: { type: Int, default_value: 0 }
    big: { type: Long, default_value: 9223372036854775807 }
  access: { read: [recsys, analytics], write: [recsys] }
`;

async function snapshot(dir: string): Promise<Record<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, Buffer> = {};
  for (const e of entries.filter((x) => x.isFile())) {
    const p = path.join(e.parentPath, e.name);
    files[path.relative(dir, p)] = await readFile(p);
  }
  return files;
}

/** A feature of the manifest in `out`, parsed with the one schema; its writer schemas are always there now. */
async function featureOf(out: string, name: string): Promise<{ readonly avroFingerprint: string; readonly writerSchemas: Readonly<Record<string, string>> }> {
  const file = path.join(out, 'manifest.json');
  const feature = parseManifestText(await readFile(file, 'utf8'), file).features[name];
  if (!feature?.writerSchemas) throw new Error(`${file}: no ${name} with writerSchemas`);
  return { avroFingerprint: feature.avroFingerprint, writerSchemas: feature.writerSchemas };
}

/** An output folder generated from V1. */
async function generatedV1(): Promise<{ out: string }> {
  const features = await writeTree('evo-cli', { 'live.yaml': V1 });
  const out = path.join(await tempDir('evo-cli-out'), 'generated');
  const first = await runCli(['codegen', '--features', features, '--out', out, '--config', CONFIG]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  return { out };
}

describe('featurestore codegen: the schema-evolution gate', () => {
  it('refuses a breaking change: exit 1, one located error naming the rule and the next version, nothing written', async () => {
    const { out } = await generatedV1();
    const before = await snapshot(out);
    const broken = V1.replace('level: { type: Int, default_value: 0 }', 'level: { type: Text, default_value: "0" }');
    const dir = await writeTree('evo-cli-bad', { 'live.yaml': broken });

    const result = await runBinary(['codegen', '--features', dir, '--out', out, '--config', CONFIG]);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((l) => /^\S+:\d+:\d+ (?!warning:)/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^\.vitest-tmp\/evo-cli-bad-\w+\/live\.yaml:6:5 live::host-stat-v1\.level: field "level" changed type Int → Text: .* \[FIELD_TYPE_CHANGED\] \(hint: create live::host-stat-v2 instead \(new tables; both versions can be served while consumers migrate\), or .*\)$/,
    );
    // Whom it affects, as a warning at the same place.
    expect(result.stderr).toContain('live.yaml:6:5 warning: live::host-stat-v1.level: field "level" type Int → Text: readers analytics, recsys must redeploy with the regenerated client');
    expect(result.stderr).toContain(`featurestore: 1 error; nothing was written to ${out}/`);
    expect(await snapshot(out)).toEqual(before);
  });

  it('accepts a compatible change (a field with a default): the manifest then lists both writer schemas', async () => {
    const { out } = await generatedV1();
    const v1 = await featureOf(out, 'live::host-stat-v1');
    expect(Object.keys(v1.writerSchemas)).toEqual([v1.avroFingerprint]);

    const added = V1.replace('  access:', '    country: { type: Text, default_value: "XX" }\n  access:');
    const dir = await writeTree('evo-cli-ok', { 'live.yaml': added });
    const result = await runCli(['codegen', '--features', dir, '--out', out, '--config', CONFIG]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/live\.yaml:8:5 warning: live::host-stat-v1\.country: field "country" added \(Text, default "XX"\): readers analytics, recsys must redeploy/);

    const v2 = await featureOf(out, 'live::host-stat-v1');
    const fingerprints = Object.keys(v2.writerSchemas);
    expect(fingerprints).toHaveLength(2);
    expect(fingerprints).toEqual([...fingerprints].sort());
    expect(fingerprints).toContain(v1.avroFingerprint);
    expect(fingerprints).toContain(v2.avroFingerprint);
    for (const [fingerprint, text] of Object.entries(v2.writerSchemas)) {
      // Each text is the schema filed under its own id, with the long default exact after JSON.parse of the manifest.
      expect(schemaFingerprint(parseAvroSchemaText(text)).toString()).toBe(fingerprint);
      expect(text).toContain('"default":9223372036854775807');
    }

    // A row written with the first schema decodes with the new one; the new field takes its default.
    const oldType = parseAvroType(parseAvroSchemaText(v2.writerSchemas[v1.avroFingerprint]!));
    const newType = parseAvroType(parseAvroSchemaText(v2.writerSchemas[v2.avroFingerprint]!));
    const bytes = oldType.toBuffer({ level: 7, big: 2n ** 62n });
    expect(newType.fromBuffer(bytes, newType.createResolver(oldType))).toEqual(expect.objectContaining({ level: 7, big: 2n ** 62n, country: 'XX' }));

    // Running again changes nothing: the history is deterministic.
    const again = await runCli(['codegen', '--features', dir, '--out', out, '--config', CONFIG, '--check']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('--json lists the evolution errors with their rule ids', async () => {
    const { out } = await generatedV1();
    const dir = await writeTree('evo-cli-json', { 'live.yaml': V1.replace(', default_value: 0 }', ' }') });
    const result = await runCli(['codegen', '--features', dir, '--out', out, '--config', CONFIG, '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { ok: boolean; errors: { message: string; severity: string }[] };
    expect(summary.ok).toBe(false);
    expect(summary.errors.filter((e) => e.severity === 'error').map((e) => /\[(\w+)\]$/.exec(e.message)?.[1])).toEqual(['FIELD_DEFAULT_REMOVED']);
  });
});
