/**
 * Hostile or careless feature files that must fail with a positioned diagnostic (never a stack
 * trace, never silently accepted). Same shape as test/validation/cases.ts.
 */
import type { InvalidCase } from '../validation/cases.ts';
import { OK } from '../validation/cases.ts';

const feature = (body: string, name = 'a::b-v1') => `${name}:\n${OK}${body}`;

export const HOSTILE_CASES: readonly InvalidCase[] = [
  // Tags outside the core schema: the parser only warned, and the value became a string.
  { name: 'python object tag', yaml: feature(`    n: { type: Text, default_value: !!python/object:os.system x }\n`), expected: [{ line: 6, column: 37, message: 'YAML tag !!python/object:os.system is not supported here' }] },
  { name: 'local tag', yaml: feature(`  description: !Foo text\n`), expected: [{ line: 6, column: 16, message: 'YAML tag !Foo is not supported here' }] },
  { name: '!!set tag', yaml: feature(`    n: { type: Text, default_value: !!set { a } }\n`), expected: [{ line: 6, column: 37, message: 'YAML tag !!set is not supported here' }] },
  { name: '!!timestamp tag', yaml: feature(`    t: { type: Timestamp, default_value: !!timestamp 2024-01-01 }\n`), expected: [{ line: 6, column: 42, message: 'YAML tag !!timestamp is not supported here' }] },
  { name: '!!binary with invalid base64', yaml: feature(`    b: { type: Bytes, default_value: !!binary "@@@" }\n`), expected: [{ line: 6, column: 38, message: '!!binary value is not valid base64', hint: /standard base64/ }] },
  { name: 'alias to nothing', yaml: feature(`  description: *nothing\n`), expected: [{ line: 6, column: 16, message: 'alias *nothing refers to no anchor defined before it' }] },
  {
    name: 'alias bomb',
    yaml: `x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nw: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nv: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
    expected: [{ line: 1, column: 1, message: /alias bomb/ }],
  },
  // __proto__ vanished from every artifact (a JavaScript object cannot hold it as a key).
  { name: '__proto__ field', yaml: feature(`    __proto__: { type: Int }\n`), expected: [{ line: 6, column: 5, message: /"__proto__" is not allowed/ }] },
  { name: '__proto__ feature key', yaml: feature(`  __proto__: { owner: x }\n`), expected: [{ line: 6, column: 3, message: /"__proto__" is not allowed/ }] },
  // Control and invisible characters.
  { name: 'ESC in the owner', yaml: `a::b-v1:\n  feature_type: Object\n  owner: "te\\e[31mam"\n  schema:\n    user_id: { type: Text, is_key_field: true }\n`, expected: [{ line: 3, column: 10, message: 'text contains the control or invisible formatting character \\e' }] },
  { name: 'newline in the owner', yaml: `a::b-v1:\n  feature_type: Object\n  owner: "team\\nimport x"\n  schema:\n    user_id: { type: Text, is_key_field: true }\n`, expected: [{ line: 3, column: 10, message: 'text contains the control or invisible formatting character \\n' }] },
  { name: 'NUL in a description', yaml: feature(`  description: "a\\0b"\n`), expected: [{ line: 6, column: 16, message: 'text contains the control or invisible formatting character \\0' }] },
  { name: 'bidi override in a description (Trojan Source)', yaml: feature(`  description: "x\\u202Ey"\n`), expected: [{ line: 6, column: 16, message: 'text contains the control or invisible formatting character \\u202e' }] },
  { name: 'line separator in a default', yaml: feature(`    n: { type: Text, default_value: "a\\u2028b" }\n`), expected: [{ line: 6, column: 37, message: 'text contains the control or invisible formatting character \\u2028' }] },
  { name: 'BEL in a consumer name of access', yaml: feature(`  access: { read: ["svc\\a"] }\n`), expected: [{ line: 6, column: 20, message: 'text contains the control or invisible formatting character \\u0007' }] },
  // Calendar and range checks on Timestamp defaults.
  { name: 'Timestamp default on a day that does not exist', yaml: feature(`    t: { type: Timestamp, default_value: "2024-02-30" }\n`), expected: [{ line: 6, column: 42, field: 't', message: /day 30 does not exist in 2024-02/ }] },
  { name: 'Timestamp default with month 13', yaml: feature(`    t: { type: Timestamp, default_value: "2023-13-01T00:00:00Z" }\n`), expected: [{ line: 6, column: 42, message: /month 13 does not exist/ }] },
  { name: 'Timestamp default with hour 25', yaml: feature(`    t: { type: Timestamp, default_value: "2023-01-01T25:00:00Z" }\n`), expected: [{ line: 6, column: 42, message: /time of day is out of range/ }] },
  { name: 'Timestamp default past the Date range', yaml: feature(`    t: { type: Timestamp, default_value: 9000000000000000 }\n`), expected: [{ line: 6, column: 42, message: /outside the range a Timestamp can represent/ }] },
  // Cron schedules, checked by a real parser.
  { name: 'cron minute out of range', yaml: feature(`  upsync: { enabled: true, schedule: "61 * * * *" }\n`), expected: [{ line: 6, column: 38, field: 'upsync.schedule', message: /neither a cron expression nor an Airflow preset .*61/ }] },
  { name: 'cron with a word', yaml: feature(`  upsync: { enabled: true, schedule: "0 3 * * funday" }\n`), expected: [{ line: 6, column: 38, message: /neither a cron expression nor an Airflow preset .*fun/ }] },
  { name: 'cron on February 31st', yaml: feature(`  upsync: { enabled: true, schedule: "0 0 31 2 *" }\n`), expected: [{ line: 6, column: 38, message: /neither a cron expression nor an Airflow preset/ }] },
  { name: 'cron with six fields', yaml: feature(`  upsync: { enabled: true, schedule: "0 0 3 * * *" }\n`), expected: [{ line: 6, column: 38, message: /5 fields .* not 6/ }] },
  // Names that become the same TypeScript identifier.
  {
    name: 'two features that differ only in dashes',
    yaml: `live::host-stat-1-v1:\n${OK}live::host-stat1-v1:\n${OK}`,
    expected: [{ line: 6, column: 1, feature: 'live::host-stat1-v1', message: /the feature becomes "live\.hostStat1V1" .* already taken by live::host-stat-1-v1/ }],
  },
  {
    name: 'two namespaces that differ only in dashes',
    yaml: { 'a.yaml': `live-1::a-v1:\n${OK}`, 'b.yaml': `live1::b-v1:\n${OK}` },
    expected: [{ line: 1, column: 1, feature: 'live1::b-v1', message: /the namespace becomes "live1" .* already taken by live-1::a-v1/ }],
  },
];
