/**
 * The layering, checked on the sources: core/ (the contract) imports nothing of the toolchain's other
 * parts and no heavy package, and the generator reaches the runtime only through core/. A scan of the
 * import specifiers (static, `export … from`, dynamic `import()`, type-only alike) rather than a
 * module-graph tool: the rule is about what a file names, and a type-only import couples as much.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { OPTIONAL_DRIVERS } from '../../runtime/connect/optional-drivers.ts';

const SPECIFIER = /\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)|^\s*import\s+'([^']+)'/gm;

interface Import {
  readonly file: string;
  readonly specifier: string;
  /** For a relative specifier: the path it names, relative to the repository root. */
  readonly target?: string;
}

function importsOf(pattern: string): Import[] {
  return globSync(pattern).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m): Import => {
      const specifier = m[1] ?? m[2] ?? m[3] ?? '';
      return specifier.startsWith('.') ? { file, specifier, target: path.normalize(path.join(path.dirname(file), specifier)) } : { file, specifier };
    }),
  );
}

const topFolder = (target: string): string => target.split(path.sep)[0] ?? '';
const shown = (i: Import): string => `${i.file}: ${i.specifier}`;

/** Packages core/ may use: the schema library and the Avro codec. Anything else is a decision to make here. */
const CORE_PACKAGES = new Set(['zod', 'avsc']);
const HEAVY = [...Object.keys(OPTIONAL_DRIVERS), 'fastify', 'ts-morph'];
const isHeavy = (specifier: string): boolean => HEAVY.some((p) => specifier === p || specifier.startsWith(`${p}/`));

describe('core/ is the contract: it depends on nothing else of the toolchain', () => {
  const imports = importsOf('core/**/*.ts');

  it('finds the files it checks', () => {
    expect(new Set(imports.map((i) => i.file)).size).toBeGreaterThan(8);
  });

  it('imports nothing from generator/, runtime/, cli/ or anywhere outside core/', () => {
    expect(imports.filter((i) => i.target !== undefined && topFolder(i.target) !== 'core').map(shown)).toEqual([]);
  });

  it('imports no driver, fastify or ts-morph, and no package but zod and avsc (node: built-ins aside)', () => {
    const packages = imports.filter((i) => i.target === undefined && !i.specifier.startsWith('node:'));
    expect(packages.filter((i) => isHeavy(i.specifier)).map(shown)).toEqual([]);
    expect(packages.filter((i) => !CORE_PACKAGES.has(i.specifier)).map(shown)).toEqual([]);
  });
});

describe('generator/ reads the runtime only through core/', () => {
  const imports = importsOf('generator/**/*.ts');

  it('finds the files it checks', () => {
    expect(new Set(imports.map((i) => i.file)).size).toBeGreaterThan(50);
  });

  it('imports runtime/ nowhere', () => {
    expect(imports.filter((i) => i.target !== undefined && topFolder(i.target) === 'runtime').map(shown)).toEqual([]);
    // The package's own runtime entry points count too.
    expect(imports.filter((i) => /^featurestore(\/|$)/.test(i.specifier)).map(shown)).toEqual([]);
  });

  it('imports no driver, fastify or ts-morph', () => {
    expect(imports.filter((i) => isHeavy(i.specifier)).map(shown)).toEqual([]);
  });

  it('the scan sees a violation when there is one', () => {
    const probe = { file: 'generator/x.ts', specifier: '../runtime/index.ts', target: path.normalize('runtime/index.ts') };
    expect(topFolder(probe.target)).toBe('runtime');
    expect('  } from \'../../runtime/serde/index.ts\';'.match(SPECIFIER)).not.toBeNull();
    expect(isHeavy('cassandra-driver') && isHeavy('fastify') && !isHeavy('zod')).toBe(true);
  });
});
