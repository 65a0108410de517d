import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/codegen.ts';
import { CASES, type ExpectedDiagnostic } from './cases.ts';
import { writeTree } from '../helpers/temp-dir.ts';
import { describeExpected, findExpected } from '../validation/find-expected.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');


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
      const found = findExpected(errors, want);
      expect(found, describeExpected(want, errors)).toBeDefined();
      expect(found?.file.startsWith('.vitest-tmp/')).toBe(true);
    }
    if (exhaustive) expect(errors.map((d) => `${d.line}:${d.column} ${d.message}`)).toHaveLength(expected.length);
  });
});
