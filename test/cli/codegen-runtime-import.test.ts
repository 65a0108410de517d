/** `codegen.runtime_import` in featurestore.yaml: what generated TypeScript imports the runtime from. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { writeTree } from '../helpers/temp-dir.ts';
import { OK } from '../validation/cases.ts';

async function codegen(config: string) {
  const dir = await writeTree('runtime-import', { 'featurestore.yaml': config, 'features/ok.yaml': `ns::ok-v1:\n${OK}` });
  const result = await runCli(['codegen', '--config', path.join(dir, 'featurestore.yaml'), '--features', path.join(dir, 'features'), '--out', path.join(dir, 'out')]);
  return { dir, result };
}

describe('codegen.runtime_import', () => {
  it('is the package specifier every generated module imports the runtime from', async () => {
    const { dir, result } = await codegen('codegen:\n  runtime_import: "@acme/feature-store/runtime"\n');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const index = await readFile(path.join(dir, 'out/ts/index.ts'), 'utf8');
    expect(index).toContain(`import { defaultFeatureReader } from '@acme/feature-store/runtime';`);
  });

  it('accepts a package import (#name) a service maps in its own package.json', async () => {
    const { dir, result } = await codegen('codegen: { runtime_import: "#features-runtime" }\n');
    expect(result.code).toBe(0);
    expect(await readFile(path.join(dir, 'out/ts/index.ts'), 'utf8')).toContain(`from '#features-runtime';`);
  });

  it.each(['../runtime/index.ts', './runtime', '/opt/featurestore/runtime/index.ts', 'Featurestore/runtime', 'featurestore runtime', ''])(
    'refuses %j with its position and why a path is wrong',
    async (specifier) => {
      const { dir, result } = await codegen(`codegen:\n  runtime_import: ${JSON.stringify(specifier)}\n`);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /featurestore\.yaml:2:19 codegen\.runtime_import: .* \(hint: use a package specifier such as featurestore\/runtime or a package import such as #featurestore; a path would make the output depend on where the toolchain is installed\)/,
      );
      expect(await readFile(path.join(dir, 'out/ts/index.ts'), 'utf8').catch(() => 'absent')).toBe('absent');
    },
  );

  it('refuses an unknown key under codegen, suggesting the known one', async () => {
    const { result } = await codegen('codegen:\n  runtime_imports: featurestore/runtime\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/featurestore\.yaml:2:3 codegen\.runtime_imports: unknown key "runtime_imports" \(hint: did you mean runtime_import\?\)/);
  });
});
