/** Synthesises a realistic feature repository of N features for benchmarks: mixed types, Object and History. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const VALUE_TYPES = ['Text', 'Long', 'Int', 'Double', 'Float', 'Boolean', 'Timestamp', 'List<Text>', 'List<Float>', 'List<Long>'];
const DEFAULTS: Record<string, string> = {
  Text: '""', Long: '0', Int: '0', Double: '0.0', Float: '0.0', Boolean: 'false', Timestamp: '"1970-01-01T00:00:00Z"',
  'List<Text>': '[]', 'List<Float>': '[]', 'List<Long>': '[]',
};

export async function synthFeatures(dir: string, count: number, perNamespace = 50): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const files = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const ns = `ns${Math.floor(i / perNamespace)}`;
    const history = i % 5 === 4;
    const lines = [
      `${ns}::feature${i}-v1:`,
      `  feature_type: ${history ? 'History' : 'Object'}`,
      `  owner: team-${i % 7}`,
      `  description: Synthetic feature ${i}`,
      '  schema:',
      '    user_id: { type: Long, is_key_field: true, description: the user }',
      ...(i % 3 === 0 ? ['    item_id: { type: Text, is_key_field: true }'] : []),
      ...(history ? ['    event_time: { type: Timestamp, is_event_time: true }'] : []),
    ];
    for (let f = 0; f < 12; f++) {
      const type = VALUE_TYPES[(i + f) % VALUE_TYPES.length]!;
      lines.push(f % 6 === 5 ? `    field_${f}: { type: ${type}, nullable: true }` : `    field_${f}: { type: ${type}, default_value: ${DEFAULTS[type]}, description: field ${f} }`);
    }
    if (history) lines.push('  history: { max_events: 100 }');
    if (i % 2 === 0) lines.push(`  upsync: { enabled: true, incremental_update: true, schedule: "@daily" }`);
    else lines.push('  downsync: { enabled: true, min_interval_by_key: 1m, random_sampling_ratio: 0.5 }');
    lines.push('  retention: 30d', '  cache: { ttl: 5m }', '');
    const file = path.join(dir, ns, `${ns}.yaml`);
    files.set(file, [...(files.get(file) ?? []), lines.join('\n')]);
  }
  for (const [file, docs] of files) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, docs.join('\n'));
  }
}
