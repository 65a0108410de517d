import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/codegen.ts';
import { CASES, type ExpectedDiagnostic } from './cases.ts';
import { writeTree } from '../helpers/temp-dir.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');

function matches(actual: string | undefined, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? actual === expected : actual !== undefined && expected.test(actual);
}

describe('invalid feature definitions', () => {
  it('covers at least 25 distinct problems', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES)('$name', async ({ yaml, expected, exhaustive }) => {
    const files = typeof yaml === 'string' ? { 'features.yaml': yaml } : yaml;
    const dir = await writeTree('invalid', files);
    const { diagnostics, files: output } = await generate({ featuresDir: dir, outDir: path.join(dir, 'out'), configFile: CONFIG });
    expect(output).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    for (const want of expected as ExpectedDiagnostic[]) {
      const found = errors.find(
        (d) =>
          d.line === want.line &&
          d.column === want.column &&
          matches(d.message, want.message) &&
          matches(d.hint, want.hint) &&
          (want.field === undefined || d.field === want.field) &&
          (want.feature === undefined || d.feature === want.feature),
      );
      expect(found, `expected ${JSON.stringify(want, (_k, v) => (v instanceof RegExp ? String(v) : v))}\nin ${JSON.stringify(errors, null, 1)}`).toBeDefined();
      expect(found?.file.startsWith('.vitest-tmp/')).toBe(true);
    }
    if (exhaustive) expect(errors.map((d) => `${d.line}:${d.column} ${d.message}`)).toHaveLength(expected.length);
  });
});
