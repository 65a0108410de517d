/**
 * Golden files: the whole output of codegen over test/fixtures/golden/features, one folder per
 * emitter, compared byte for byte. Refresh deliberately with `npm run test:update-golden`.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/codegen.ts';

const FIXTURE = 'test/fixtures/golden';
const EXPECTED = path.join(FIXTURE, 'expected');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

async function listExpected(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

const generated = await generate({
  featuresDir: path.join(FIXTURE, 'features'),
  outDir: EXPECTED,
  configFile: path.join(FIXTURE, 'featurestore.yaml'),
});

if (UPDATE && generated.files) {
  await rm(EXPECTED, { recursive: true, force: true });
  for (const [rel, content] of generated.files) {
    await mkdir(path.dirname(path.join(EXPECTED, rel)), { recursive: true });
    await writeFile(path.join(EXPECTED, rel), content);
  }
}

describe('golden output', () => {
  it('the fixture is valid', () => {
    expect(generated.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('produces exactly the expected set of files', async () => {
    expect([...(generated.files?.keys() ?? [])].sort()).toEqual((await listExpected(EXPECTED)).sort());
  });

  const files = [...(generated.files ?? new Map<string, string>())].sort(([a], [b]) => (a < b ? -1 : 1));
  it.each(files.map(([rel, content]) => ({ rel, content })))('$rel', async ({ rel, content }) => {
    expect(content, `${rel} differs from the golden file; if the change is intended run npm run test:update-golden`).toBe(
      await readFile(path.join(EXPECTED, rel), 'utf8'),
    );
  });
});
