import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/codegen.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_FIELDS_PER_FEATURE, MAX_FILE_BYTES } from '../../generator/load/limits.ts';
import { runCli } from '../helpers/run-cli.ts';
import { writeTree } from '../helpers/temp-dir.ts';
import { describeExpected, findExpected } from '../validation/find-expected.ts';
import { OK, type ExpectedDiagnostic } from '../validation/cases.ts';
import { HOSTILE_CASES } from './hostile-cases.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');


async function diagnose(files: Record<string, string | Uint8Array>) {
  const dir = await writeTree('hostile', {});
  for (const [rel, content] of Object.entries(files)) await writeFile(path.join(dir, rel), content);
  return generate({ featuresDir: dir, outDir: path.join(dir, 'out'), configFile: CONFIG });
}

describe('hostile feature files', () => {
  it.each(HOSTILE_CASES)('$name', async ({ yaml, expected }) => {
    const { diagnostics, files } = await diagnose(typeof yaml === 'string' ? { 'features.yaml': yaml } : yaml);
    expect(files).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    for (const want of expected as ExpectedDiagnostic[]) {
      const found = findExpected(errors, want);
      expect(found, describeExpected(want, errors)).toBeDefined();
    }
  });

  it('refuses a file that is not UTF-8, at the first bad byte', async () => {
    const bytes = Buffer.concat([Buffer.from(`a::b-v1:\n  feature_type: Object\n  owner: "t`), Buffer.from([0xc3, 0x28]), Buffer.from(`"\n`)]);
    const { diagnostics } = await diagnose({ 'latin.yaml': bytes });
    expect(diagnostics).toMatchObject([{ line: 3, column: 12, message: 'the file is not valid UTF-8', severity: 'error' }]);
  });

  it('accepts valid non-ASCII text as it is', async () => {
    const { diagnostics, files } = await diagnose({ 'ok.yaml': `a::b-v1:\n${OK}  description: "추천 — 日本語 ✓"\n` });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(files?.get('avro/a/b-v1.avsc') ?? [...(files?.values() ?? [])].join('')).toContain('추천');
  });

  it('allows line breaks in descriptions, and never lets them end a comment', async () => {
    const { diagnostics, files } = await diagnose({ 'ok.yaml': `a::b-v1:\n${OK}  description: "line one\\nimport x from 'y'"\n` });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const [rel, text] of files ?? []) {
      // A CQL string literal may hold a line break; Python and GoogleSQL literals escape it.
      if (rel.endsWith('.sql') || rel.endsWith('.py')) expect(text, rel).not.toMatch(/^import x/m);
      if (rel.endsWith('.ts')) expect(text, rel).not.toMatch(/^import x from 'y'/m);
    }
  });

  it('refuses a description over the limit without building it', async () => {
    const { diagnostics } = await diagnose({ 'big.yaml': `a::b-v1:\n${OK}  description: "${'x'.repeat(MAX_DESCRIPTION_LENGTH + 1)}"\n` });
    expect(diagnostics).toMatchObject([{ line: 6, column: 16, message: `the value of description is ${MAX_DESCRIPTION_LENGTH + 1} characters; at most ${MAX_DESCRIPTION_LENGTH} are allowed` }]);
  });

  it('refuses a feature with more fields than the limit', async () => {
    const fields = Array.from({ length: MAX_FIELDS_PER_FEATURE + 1 }, (_, i) => `    f${i}: { type: Int }\n`).join('');
    const { diagnostics } = await diagnose({ 'wide.yaml': `a::b-v1:\n${OK}${fields}` });
    expect(diagnostics).toMatchObject([{ line: 4, column: 3, message: `the feature has ${MAX_FIELDS_PER_FEATURE + 2} fields; at most ${MAX_FIELDS_PER_FEATURE} are allowed (BigQuery's column limit)` }]);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const { diagnostics } = await diagnose({ 'huge.yaml': `# ${'x'.repeat(MAX_FILE_BYTES)}\n` });
    expect(diagnostics).toMatchObject([{ line: 1, column: 1, message: `the file is ${MAX_FILE_BYTES + 3} bytes; at most ${MAX_FILE_BYTES} are allowed` }]);
  });

  it('prints a feature name holding a newline and ESC as one escaped line, never a forged diagnostic', async () => {
    const dir = await writeTree('forge', { 'features/f.yaml': `"live::a-v1\\n\\e[2Kfeatures/other.yaml:99:1 forged": { owner: x }\n` });
    const r = await runCli(['codegen', '--features', path.join(dir, 'features'), '--out', path.join(dir, 'out'), '--config', CONFIG]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('\u001b');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('features/other.yaml'))).toEqual([]);
    expect(lines[0]).toContain('live::a-v1\\n\\e[2Kfeatures/other.yaml:99:1 forged');
  });

  it('checks aliases in linear time (4x the aliases takes far less than 16x as long)', async () => {
    const file = (n: number) => `a: &x 1\nlist:\n${'  - *x\n'.repeat(n)}`;
    const time = async (n: number) => {
      const started = performance.now();
      await diagnose({ 'many.yaml': file(n) });
      return performance.now() - started;
    };
    await time(500);
    const small = Math.max(await time(2_000), 5);
    expect((await time(8_000)) / small).toBeLessThan(10);
  });

  it('reports an alias bomb in the project config as a diagnostic', async () => {
    const dir = await writeTree('config-bomb', {
      'features/f.yaml': `a::b-v1:\n${OK}`,
      'featurestore.yaml': `x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nw: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    });
    const r = await runCli(['codegen', '--features', path.join(dir, 'features'), '--out', path.join(dir, 'out'), '--config', path.join(dir, 'featurestore.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/featurestore\.yaml:1:1 the YAML expands too many aliases/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
