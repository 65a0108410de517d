/**
 * One fixture folder per evolution rule (test/fixtures/breaking/<RULE_ID>/): codegen `before.yaml`
 * (then `middle.yaml`, if any) into a fresh output folder, then `after.yaml` against it must report
 * exactly that rule at the position in `expected.json`; `ok-after.yaml`, the allowed variant, must pass.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, runCodegen } from '../../generator/codegen.ts';
import type { Diagnostic } from '../../generator/diagnostics.ts';
import { ALL_RULE_IDS, RULES } from '../../generator/plan/evolution/index.ts';
import { tempDir, writeTree } from '../helpers/temp-dir.ts';

const FIXTURES = 'test/fixtures/breaking';
const CONFIG = 'test/fixtures/config/featurestore.yaml';

interface Expected {
  readonly line: number;
  readonly column: number;
  readonly feature: string;
  readonly field?: string;
  readonly severity?: 'error' | 'warning';
}

const ruleIds = readdirSync(FIXTURES).sort();

/** The rule id a diagnostic of the gate ends its message with. */
function ruleOf(d: Diagnostic): string | undefined {
  return /\[([A-Z_]+)\]$/.exec(d.message)?.[1];
}

async function featuresDir(fixture: string, file: string): Promise<string> {
  return writeTree(`evo-${fixture.toLowerCase()}`, { 'features.yaml': await readFile(path.join(FIXTURES, fixture, file), 'utf8') });
}

/** An output folder holding what codegen made of before.yaml (and middle.yaml). */
async function baseline(fixture: string): Promise<string> {
  const out = path.join(await tempDir(`evo-out-${fixture.toLowerCase()}`), 'generated');
  for (const step of ['before.yaml', 'middle.yaml'].filter((f) => existsSync(path.join(FIXTURES, fixture, f)))) {
    const result = await runCodegen({ featuresDir: await featuresDir(fixture, step), outDir: out, configFile: CONFIG, check: false });
    expect(result.diagnostics.filter((d) => d.severity === 'error'), `${fixture}/${step}`).toEqual([]);
    expect(result.kind).toBe('written');
  }
  return out;
}

describe('evolution rule fixtures', () => {
  it('every rule has a fixture folder and every folder names a rule', () => {
    expect(ruleIds).toEqual([...ALL_RULE_IDS].sort());
  });

  it('every rule has an id in SCREAMING_SNAKE_CASE and a one-line purpose', () => {
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[A-Z]+(?:_[A-Z]+)+$/);
      expect(rule.purpose).not.toContain('\n');
      expect(rule.purpose.length).toBeGreaterThan(20);
    }
  });

  describe.each(ruleIds)('%s', (fixture) => {
    const expected = JSON.parse(readFileSync(path.join(FIXTURES, fixture, 'expected.json'), 'utf8')) as Expected;
    const severity = expected.severity ?? 'error';

    it(`after.yaml is reported as ${fixture} at ${expected.line}:${expected.column}`, async () => {
      const out = await baseline(fixture);
      const { diagnostics, files } = await generate({ featuresDir: await featuresDir(fixture, 'after.yaml'), outDir: out, configFile: CONFIG });
      const ruled = diagnostics.filter((d) => d.severity === severity && ruleOf(d) !== undefined);
      expect(ruled.map(ruleOf)).toEqual([fixture]);
      const [d] = ruled;
      expect({ line: d?.line, column: d?.column, feature: d?.feature, field: d?.field }).toEqual({
        line: expected.line,
        column: expected.column,
        feature: expected.feature,
        field: expected.field,
      });
      expect(d?.file).toMatch(/features\.yaml$/);
      if (severity === 'error') {
        expect(files).toBeUndefined();
        expect(diagnostics.filter((x) => x.severity === 'error')).toHaveLength(1);
        const [ns, rest] = expected.feature.split('::') as [string, string];
        const [, name, version] = /^(.*)-v(\d+)$/.exec(rest) ?? [];
        expect(d?.hint).toMatch(new RegExp(`^create ${ns}::${name}-v${Number(version) + 1} instead`));
      } else {
        expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
        expect(files).toBeDefined();
      }
    });

    const okAfter = path.join(FIXTURES, fixture, 'ok-after.yaml');
    // Only rules with an allowed variant have one (FEATURE_REMOVED, a warning, has none to show).
    if (existsSync(okAfter)) it('ok-after.yaml, the allowed variant, passes the gate', async () => {
      const out = await baseline(fixture);
      const { diagnostics, files } = await generate({ featuresDir: await featuresDir(fixture, 'ok-after.yaml'), outDir: out, configFile: CONFIG });
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(files?.has('manifest.json')).toBe(true);
    });
  });
});
