/**
 * Keys YAML allows but a feature file cannot mean: written twice, or lists and mappings used as keys.
 * Each is one diagnostic at the key that is wrong (naming the first writing of a repeat), and the
 * yaml library itself prints nothing to the terminal.
 */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generate } from '../../generator/codegen.ts';
import type { Diagnostic } from '../../generator/diagnostics.ts';
import { loadConfig } from '../../generator/load/config.ts';
import { writeTree } from '../helpers/temp-dir.ts';
import { OK } from '../validation/cases.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');

async function errorsOf(yaml: string): Promise<string[]> {
  const dir = await writeTree('yaml-keys', { 'features/f.yaml': yaml });
  const { diagnostics } = await generate({ featuresDir: path.join(dir, 'features'), outDir: path.join(dir, 'out'), configFile: CONFIG });
  return diagnostics.filter((d) => d.severity === 'error').map((d: Diagnostic) => `${d.line}:${d.column} ${d.feature ?? ''} ${d.message}`);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mapping keys', () => {
  it('complex keys are diagnostics at the key, and nothing is printed by the parser', async () => {
    const printed = [vi.spyOn(process, 'emitWarning'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'log')];
    const errors = await errorsOf(`a::b-v1:\n${OK}    ? [a, b] : x\n  access: { ? { read: x } : y }\n? [top, level]\n: z\n`);
    expect(errors).toEqual([
      '6:7 a::b-v1 a mapping key must be a plain name, not a mapping',
      '7:15 a::b-v1 a mapping key must be a plain name, not a mapping',
      '8:3  a mapping key must be a plain name, not a list',
    ]);
    for (const spy of printed) expect(spy).not.toHaveBeenCalled();
  });

  it('a feature written three times in one file: each repeat at its own line, naming the first', async () => {
    const errors = await errorsOf(`a::b-v1:\n${OK}# again\na::b-v1:\n${OK}a::b-v1:\n${OK}`);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^7:1 a::b-v1 feature defined twice: also at .*f\.yaml:1$/);
    expect(errors[1]).toMatch(/^12:1 a::b-v1 feature defined twice: also at .*f\.yaml:1$/);
  });

  it('keys that toJS() would merge collide: 1 and "1", and a key written through an alias', async () => {
    const errors = await errorsOf(`a::b-v1:\n${OK}  description: &d description\n  *d : again\n  access: { 1: x, "1": y }\n`);
    expect(errors).toContain('7:3 a::b-v1 duplicate key "description": also at line 6');
    expect(errors).toContain('8:19 a::b-v1 duplicate key "1": also at line 8');
  });

  it('the project config still reports its repeated top-level keys', async () => {
    const dir = await writeTree('yaml-keys-config', { 'featurestore.yaml': 'consumers: {}\nkafka: { topic: a }\nconsumers: {}\n' });
    const { diagnostics } = await loadConfig(path.join(dir, 'featurestore.yaml'));
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(['3:1 duplicate key "consumers": also at line 1']);
  });
});
