/** `featurestore plan`: what codegen would change, written nowhere; and its error paths. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PREVIOUS_STATE_ERRORS } from '../../generator/plan/previous-state.ts';
import { JSON_NOTICE } from '../../generator/write/preamble.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { OK } from '../validation/cases.ts';

const CONFIG = 'test/fixtures/config/featurestore.yaml';

async function project(): Promise<{ features: string; out: string; args: string[] }> {
  const root = await tempDir('plan');
  const features = path.join(root, 'features');
  const out = path.join(root, 'generated');
  await mkdir(features);
  await writeFile(path.join(features, 'a.yaml'), `a::b-v1:\n${OK}  retention: 30d\n`);
  return { features, out, args: ['--features', features, '--out', out, '--config', CONFIG] };
}

describe('featurestore plan', () => {
  it('on a fresh folder lists every file to add and the initial migration, writing nothing', async () => {
    const { out, args } = await project();
    const result = await runCli(['plan', ...args]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`  + ${out}/cql/a/b-v1.cql`);
    expect(result.stdout).toContain(`New migration migrations/cql/0001_initial.cql (apply with featurestore migrate):`);
    expect(result.stdout).toMatch(/^ {4}CREATE TABLE IF NOT EXISTS feature_store\.a__b_v1 \($/m);
    expect(await readdir(path.dirname(out))).not.toContain('generated');
  });

  it('says there is nothing to do when generated/ is current, and shows a retention change as a migration', async () => {
    const { features, out, args } = await project();
    expect((await runCli(['codegen', ...args])).code).toBe(0);
    expect((await runCli(['plan', ...args])).stdout).toBe(`No changes: ${out}/ matches features/.\n`);
    await writeFile(path.join(features, 'a.yaml'), `a::b-v1:\n${OK}  retention: 7d\n`);
    const result = await runCli(['plan', ...args, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      migrations: ['migrations/bigquery/0002_retention_a__b_v1.sql', 'migrations/cql/0002_retention_a__b_v1.cql'],
      change: expect.arrayContaining(['manifest.json']),
    });
  });

  it('exits 1 with the diagnostics when the definitions are invalid', async () => {
    const { features, args } = await project();
    await writeFile(path.join(features, 'a.yaml'), `a::b-v1:\n${OK}  retention: 0d\n`);
    const result = await runCli(['plan', ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a\.yaml:6:14 a::b-v1\.retention: retention must be positive/);
    expect(result.stderr).toContain('featurestore plan: the definitions are invalid; nothing to plan');
  });

  it('exits 2, naming the file, when the previous manifest is not JSON', async () => {
    const { out, args } = await project();
    await mkdir(out);
    await writeFile(path.join(out, 'manifest.json'), '{ truncated');
    const result = await runCli(['plan', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`featurestore: ${path.join(out, 'manifest.json')} is not valid JSON: restore it from Git (it is the baseline of schema evolution)\n`);
  });

  it('exits 2, naming the file and each problem, when the previous manifest is JSON but not a manifest', async () => {
    const { out, args } = await project();
    await mkdir(out);
    const file = path.join(out, 'manifest.json');
    // With codegen's notice, so codegen takes the folder for its own and gets as far as reading it.
    await writeFile(file, JSON.stringify({ $comment: JSON_NOTICE, formatVersion: 2, project: {}, features: { 'a::b-v1': { featureType: 'History', eventTimeField: null } } }));
    for (const command of ['plan', 'codegen']) {
      const result = await runCli([command, ...args]);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^featurestore: ${escape(file)} is not a manifest this codegen can read \\(`));
      expect(result.stderr).toContain('project.cassandra: ');
      expect(result.stderr).toContain('features.a::b-v1.eventTimeField: ');
      expect(result.stderr).toContain(`): ${PREVIOUS_STATE_ERRORS.restore}, or regenerate it`);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
