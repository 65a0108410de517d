/**
 * Valid input reached through YAML aliases: Long and Timestamp defaults are read from their source
 * text (never through a JS number), and behind an alias that text is at the anchor. It must be found
 * there, exactly; and a problem behind an alias is reported once per use, at the use.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/codegen.ts';
import type { FeatureIR } from '../../generator/ir/types.ts';
import { writeTree } from '../helpers/temp-dir.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');

async function run(yaml: string) {
  const dir = await writeTree('aliases', { 'features/f.yaml': yaml });
  return generate({ featuresDir: path.join(dir, 'features'), outDir: path.join(dir, 'out'), configFile: CONFIG });
}

function defaults(feature: FeatureIR | undefined): Record<string, unknown> {
  return Object.fromEntries((feature?.fields ?? []).filter((f) => !f.isKey).map((f) => [f.name, f.defaultValue]));
}

describe('defaults through aliases', () => {
  it('a whole field, a scalar and list elements: the exact digits written at the anchor', async () => {
    const { ir, diagnostics } = await run(`live::stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    counter: &counter { type: Long, default_value: 0 }
    likes: *counter
    max: { type: Long, default_value: &big 9223372036854775807 }
    also_max: { type: Long, default_value: *big }
    first_seen: { type: Timestamp, default_value: &epoch 1700000000000 }
    last_seen: { type: Timestamp, default_value: *epoch }
    ids: { type: List<Long>, default_value: [*big, -1, &min -9223372036854775808, *min] }
`);
    expect(diagnostics).toEqual([]);
    expect(defaults(ir?.features[0])).toEqual({
      counter: '0',
      likes: '0',
      max: '9223372036854775807',
      also_max: '9223372036854775807',
      first_seen: '1700000000000',
      last_seen: '1700000000000',
      ids: ['9223372036854775807', '-1', '-9223372036854775808', '-9223372036854775808'],
    });
  });

  it('a whole feature through an anchor is the same feature under another name', async () => {
    const { ir, diagnostics } = await run(`live::stat-v1: &def
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    level: { type: Long, default_value: 12345678901234567 }
    at: { type: Timestamp, default_value: 0 }
live::stat-v2: *def
`);
    expect(diagnostics).toEqual([]);
    expect(ir?.features.map((f) => [f.fullName, defaults(f)])).toEqual([
      ['live::stat-v1', { level: '12345678901234567', at: '0' }],
      ['live::stat-v2', { level: '12345678901234567', at: '0' }],
    ]);
  });

  it('an invalid default behind an alias: once per use, at the use, quoting the anchored text', async () => {
    const { diagnostics } = await run(`live::stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    ratio: { type: Double, default_value: &r 1e3 }
    level: { type: Long, default_value: *r }
    rank: { type: Long, default_value: *r }
`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.field ?? ''}: ${d.message} (${d.hint ?? ''})`)).toEqual([
      '7:41 level: default_value must be an integer for Long, not number 1e3 (write it as digits: 1000)',
      '8:40 rank: default_value must be an integer for Long, not number 1e3 (write it as digits: 1000)',
    ]);
  });
});
