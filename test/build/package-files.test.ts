/**
 * What `npm pack` ships: the built JavaScript and declarations, the templates the built code reads,
 * the binary, the README and the Airflow operator package the generated DAGs import; no tests,
 * scripts, fixtures, example features, generated output, TypeScript sources or Python bytecode.
 * `--ignore-scripts`: the vitest global setup has just built dist/, and `prepare` would build again.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

interface PackEntry {
  readonly files: readonly { readonly path: string }[];
}
interface ExportTarget {
  readonly types: string;
  readonly default: string;
}

const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const files = (JSON.parse(stdout) as PackEntry[])[0]!.files.map((f) => f.path).sort();
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, ExportTarget | string>; bin: Record<string, string> };

describe('npm pack', () => {
  it('ships the built CLI, runtime, declarations and templates', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'package.json',
        'bin/featurestore.mjs',
        'bin/build-freshness.mjs',
        'dist/cli/main.js',
        'dist/cli/main.d.ts',
        'dist/generator/ir/build-worker.js',
        'dist/runtime/index.js',
        'dist/runtime/index.d.ts',
        'dist/runtime/http.js',
        'dist/templates/cql/table.hbs',
        'runtime/airflow/pyproject.toml',
        'runtime/airflow/src/featurestore_airflow/operators.py',
      ]),
    );
  });

  it('every export and the binary point at a shipped file', () => {
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.types, t.default]));
    for (const target of [...targets, ...Object.values(pkg.bin)]) expect(files, target).toContain(target.replace(/^\.\//, ''));
  });

  it('ships no tests, scripts, fixtures, features, generated output, TypeScript sources, bytecode or build state', () => {
    const unwanted = files.filter(
      (f) =>
        /^(test|scripts|features|generated|docs|examples|templates|cli|generator|core)\//.test(f) ||
        /(^|\/)(fixtures|tests|__pycache__)\//.test(f) ||
        (/\.(m|c)?ts$/.test(f) && !/\.d\.(m|c)?ts$/.test(f)) ||
        /\.pyc$|\.tsbuildinfo$|\.build-stamp$|\.test\.|^featurestore\.yaml$|^tsconfig|^vitest\.config/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('ships from runtime/ only the Airflow package (the rest is in dist/)', () => {
    expect(files.filter((f) => f.startsWith('runtime/') && !f.startsWith('runtime/airflow/'))).toEqual([]);
  });
});
