/**
 * Invalid feature definitions, one problem each (some several), with the exact position,
 * subject, message and hint the user must see. Shared by the validation test.
 */
export interface ExpectedDiagnostic {
  readonly line: number;
  readonly column: number;
  readonly feature?: string;
  readonly field?: string;
  readonly message: string | RegExp;
  readonly hint?: string | RegExp;
}

export interface InvalidCase {
  readonly name: string;
  /** features/features.yaml, or several files. */
  readonly yaml: string | Record<string, string>;
  readonly expected: readonly ExpectedDiagnostic[];
  /** No error other than the expected ones: each problem is reported once. */
  readonly exhaustive?: boolean;
}

/** A valid Object feature body to build broken variants from. */
export const OK = `  feature_type: Object
  owner: team
  schema:
    user_id: { type: Text, is_key_field: true }
`;

export const CASES: readonly InvalidCase[] = [
  { name: 'YAML syntax error', yaml: `a::b-v1:\n  owner: [x\n`, expected: [{ line: 3, column: 1, message: /^YAML syntax error/, hint: /indentation/ }] },
  { name: 'duplicate key in a mapping', yaml: `a::b-v1:\n${OK}  owner: again\n`, exhaustive: true, expected: [{ line: 6, column: 3, feature: 'a::b-v1', message: 'duplicate key "owner": also at line 3' }] },
  {
    name: 'feature defined twice in one file',
    yaml: `a::b-v1:\n${OK}a::b-v1:\n${OK}  retension: 3d\n`,
    exhaustive: true,
    expected: [
      { line: 6, column: 1, feature: 'a::b-v1', message: /^feature defined twice: also at .*features\.yaml:1$/ },
      { line: 11, column: 3, feature: 'a::b-v1', field: 'retension', message: 'unknown key "retension"' },
    ],
  },
  {
    name: 'field written twice: its last definition is checked, where it is',
    yaml: `a::b-v1:\n${OK}    user_id: { type: Text, is_key_field: true, nullable: true }\n`,
    exhaustive: true,
    expected: [
      { line: 6, column: 5, feature: 'a::b-v1', message: 'duplicate key "user_id": also at line 5' },
      { line: 6, column: 58, field: 'user_id', message: 'key field "user_id" cannot be nullable' },
    ],
  },
  { name: 'complex mapping key', yaml: `a::b-v1:\n${OK}    ? [a, b] : x\n`, exhaustive: true, expected: [{ line: 6, column: 7, feature: 'a::b-v1', message: 'a mapping key must be a plain name, not a mapping', hint: /write the key as text/ }] },
  { name: 'list as a mapping key', yaml: `a::b-v1:\n${OK}    ? [a, b]\n    : x\n`, exhaustive: true, expected: [{ line: 6, column: 7, feature: 'a::b-v1', message: 'a mapping key must be a plain name, not a list' }] },
  { name: 'top level is not a mapping', yaml: `- a\n- b\n`, expected: [{ line: 1, column: 1, message: /must be a mapping of feature names/ }] },
  { name: 'feature name without version', yaml: `live::host-stat:\n${OK}`, expected: [{ line: 1, column: 1, feature: 'live::host-stat', message: /does not match <namespace>::<name>-v<N>/, hint: 'add a version suffix, e.g. live::host-stat-v1' }] },
  { name: 'feature name with uppercase', yaml: `Live::Host-v1:\n${OK}`, expected: [{ line: 1, column: 1, message: /does not match/ }] },
  { name: 'unknown key with a close match', yaml: `a::b-v1:\n${OK}  retension: 30d\n`, expected: [{ line: 6, column: 3, feature: 'a::b-v1', field: 'retension', message: 'unknown key "retension"', hint: 'did you mean retention?' }] },
  { name: 'misspelt feature_type', yaml: `a::b-v1:\n  featuretype: Object\n  owner: x\n  schema:\n    id: { type: Text, is_key_field: true }\n`, expected: [
    { line: 1, column: 1, field: 'feature_type', message: 'missing required key "feature_type"' },
    { line: 2, column: 3, field: 'featuretype', message: 'unknown key "featuretype"', hint: 'did you mean feature_type?' },
  ] },
  { name: 'unknown key in a field', yaml: `a::b-v1:\n${OK}    n: { type: Int, defualt_value: 1 }\n`, expected: [{ line: 6, column: 21, field: 'n', message: 'unknown key "defualt_value"', hint: 'did you mean default_value?' }] },
  { name: 'wrong feature_type enum', yaml: `a::b-v1:\n  feature_type: Objet\n  owner: x\n  schema:\n    id: { type: Text, is_key_field: true }\n`, expected: [{ line: 2, column: 17, field: 'feature_type', message: /must be one of Object, History; got "Objet"/, hint: 'did you mean Object?' }] },
  { name: 'unknown field type', yaml: `a::b-v1:\n${OK}    n: { type: Integer }\n`, expected: [{ line: 6, column: 16, field: 'n', message: /type must be one of .*got "Integer"/, hint: 'did you mean Int?' }] },
  { name: 'missing owner', yaml: `a::b-v1:\n  feature_type: Object\n  schema:\n    id: { type: Text, is_key_field: true }\n`, expected: [{ line: 1, column: 1, field: 'owner', message: 'missing required key "owner"' }] },
  { name: 'no key field', yaml: `a::b-v1:\n  feature_type: Object\n  owner: x\n  schema:\n    user_id: { type: Text }\n`, expected: [{ line: 4, column: 3, field: 'schema', message: /no key field/, hint: 'mark user_id with is_key_field: true' }] },
  { name: 'nullable key field', yaml: `a::b-v1:\n  feature_type: Object\n  owner: x\n  schema:\n    id: { type: Text, is_key_field: true, nullable: true }\n`, expected: [{ line: 5, column: 53, field: 'id', message: 'key field "id" cannot be nullable' }] },
  { name: 'key field with a default', yaml: `a::b-v1:\n  feature_type: Object\n  owner: x\n  schema:\n    id: { type: Text, is_key_field: true, default_value: "x" }\n`, expected: [{ line: 5, column: 58, field: 'id', message: 'key field "id" cannot have a default_value' }] },
  { name: 'key field of a list type', yaml: `a::b-v1:\n  feature_type: Object\n  owner: x\n  schema:\n    ids: { type: List<Long>, is_key_field: true }\n`, expected: [{ line: 5, column: 18, field: 'ids', message: 'key field "ids" cannot be of type List<Long>', hint: /key types: Text, Long/ }] },
  { name: 'Text default is a number', yaml: `a::b-v1:\n${OK}    c: { type: Text, default_value: 12 }\n`, expected: [{ line: 6, column: 37, field: 'c', message: 'default_value must be a string for Text, not number 12', hint: 'quote it: "..."' }] },
  { name: 'Int default out of range', yaml: `a::b-v1:\n${OK}    c: { type: Int, default_value: 2147483648 }\n`, expected: [{ line: 6, column: 36, field: 'c', message: /outside the Int range/, hint: 'use type: Long for 64-bit integers' }] },
  { name: 'Long default beyond 64 bits', yaml: `a::b-v1:\n${OK}    c: { type: Long, default_value: 9223372036854775808 }\n`, expected: [{ line: 6, column: 37, field: 'c', message: 'default_value 9223372036854775808 does not fit in 64 bits (Long is a signed 64-bit integer)' }] },
  { name: 'Double default that overflows', yaml: `a::b-v1:\n${OK}    c: { type: Double, default_value: 1e400 }\n`, exhaustive: true, expected: [{ line: 6, column: 39, field: 'c', message: 'default_value must be a finite number for Double, not number 1e400 (too large: it reads as infinity)' }] },
  { name: 'Double default that is not a number', yaml: `a::b-v1:\n${OK}    c: { type: Double, default_value: .nan }\n`, exhaustive: true, expected: [{ line: 6, column: 39, field: 'c', message: 'default_value must be a finite number for Double, not .nan (not a number)' }] },
  { name: 'Long default in exponent notation', yaml: `a::b-v1:\n${OK}    c: { type: Long, default_value: 1e3 }\n`, exhaustive: true, expected: [{ line: 6, column: 37, field: 'c', message: 'default_value must be an integer for Long, not number 1e3', hint: 'write it as digits: 1000' }] },
  { name: 'Int default out of range, quoted as written', yaml: `a::b-v1:\n${OK}    c: { type: Int, default_value: 1e10 }\n`, exhaustive: true, expected: [{ line: 6, column: 36, field: 'c', message: 'default_value 1e10 is outside the Int range (-2147483648 to 2147483647)' }] },
  { name: 'Long default with decimals', yaml: `a::b-v1:\n${OK}    c: { type: Long, default_value: 1.5 }\n`, expected: [{ line: 6, column: 37, field: 'c', message: 'default_value must be an integer for Long, not number 1.5' }] },
  { name: 'Boolean default is a string', yaml: `a::b-v1:\n${OK}    c: { type: Boolean, default_value: "yes" }\n`, expected: [{ line: 6, column: 40, field: 'c', message: 'default_value must be true or false for Boolean, not string "yes"' }] },
  { name: 'Timestamp default not ISO', yaml: `a::b-v1:\n${OK}    c: { type: Timestamp, default_value: "yesterday" }\n`, expected: [{ line: 6, column: 42, field: 'c', message: /ISO-8601 timestamp or epoch milliseconds/ }] },
  { name: 'List default with a wrong element', yaml: `a::b-v1:\n${OK}    c: { type: List<Int>, default_value: [1, "two"] }\n`, expected: [{ line: 6, column: 42, field: 'c', message: 'default_value[1]: default_value must be an integer for Int, not string "two"' }] },
  { name: 'Bytes default not base64', yaml: `a::b-v1:\n${OK}    c: { type: Bytes, default_value: "not base64!" }\n`, expected: [{ line: 6, column: 38, field: 'c', message: /must be base64 text for Bytes/ }] },
  { name: 'nullable field with a non-null default', yaml: `a::b-v1:\n${OK}    c: { type: Int, nullable: true, default_value: 3 }\n`, expected: [{ line: 6, column: 52, field: 'c', message: 'a nullable field defaults to null' }] },
  { name: 'null default on a non-nullable field', yaml: `a::b-v1:\n${OK}    c: { type: Int, default_value: null }\n`, expected: [{ line: 6, column: 36, field: 'c', message: /null but the field is not nullable/ }] },
  { name: 'field names colliding case-insensitively', yaml: `a::b-v1:\n${OK}    Score: { type: Int }\n    score: { type: Int }\n`, expected: [{ line: 7, column: 5, field: 'score', message: 'field "score" collides with "Score" (line 6): BigQuery and CQL column names are case-insensitive' }] },
  { name: 'field names colliding in TypeScript', yaml: `a::b-v1:\n${OK}    user_score: { type: Int }\n    userScore: { type: Int }\n`, expected: [{ line: 7, column: 5, field: 'userScore', message: 'field "userScore" and "user_score" both become the TypeScript property "userScore"' }] },
  { name: 'field name not an identifier', yaml: `a::b-v1:\n${OK}    "avg-chat": { type: Int }\n`, expected: [{ line: 6, column: 5, field: 'avg-chat', message: 'field name "avg-chat" is not a valid identifier', hint: /letters, digits and underscores/ }] },
  { name: 'field name with the reserved prefix', yaml: `a::b-v1:\n${OK}    fs_value: { type: Int }\n`, expected: [{ line: 6, column: 5, field: 'fs_value', message: /reserved for the columns the feature store adds/ }] },
  { name: 'duration that does not parse', yaml: `a::b-v1:\n${OK}  retention: 30 days\n`, expected: [{ line: 6, column: 14, field: 'retention', message: 'retention is not a duration: "30 days"', hint: /500ms, 30s, 1m, 12h, 7d/ }] },
  { name: 'duration without a unit', yaml: `a::b-v1:\n${OK}  cache: { ttl: 30 }\n`, expected: [{ line: 6, column: 17, field: 'cache.ttl', message: 'ttl needs a unit: 30 of what?' }] },
  { name: 'duration in exponent notation without a unit', yaml: `a::b-v1:\n${OK}  cache: { ttl: 1e3 }\n`, exhaustive: true, expected: [{ line: 6, column: 17, field: 'cache.ttl', message: 'ttl needs a unit: 1e3 of what?', hint: 'write e.g. 1000d or 1000s' }] },
  { name: 'integer option that overflows', yaml: `a::b-v1:\n  feature_type: History\n  owner: x\n  schema:\n    id: { type: Long, is_key_field: true }\n    at: { type: Timestamp, is_event_time: true }\n  history: { max_events: 1e400 }\n`, exhaustive: true, expected: [{ line: 7, column: 26, field: 'history.max_events', message: 'max_events must be a finite number, not number 1e400 (too large: it reads as infinity)' }] },
  { name: 'zero duration', yaml: `a::b-v1:\n${OK}  retention: 0d\n`, expected: [{ line: 6, column: 14, field: 'retention', message: 'retention must be positive; got "0d"' }] },
  { name: 'retention beyond the Cassandra TTL limit', yaml: `a::b-v1:\n${OK}  retention: 8000d\n`, expected: [{ line: 6, column: 14, field: 'retention', message: /longer than 20 years/ }] },
  { name: 'sampling ratio above 1', yaml: `a::b-v1:\n${OK}  downsync: { enabled: true, random_sampling_ratio: 1.5 }\n`, expected: [{ line: 6, column: 53, field: 'downsync.random_sampling_ratio', message: 'random_sampling_ratio must be in (0, 1]; got 1.5' }] },
  { name: 'sampling ratio of zero', yaml: `a::b-v1:\n${OK}  downsync: { enabled: true, random_sampling_ratio: 0 }\n`, expected: [{ line: 6, column: 53, field: 'downsync.random_sampling_ratio', message: /must be in \(0, 1\]; got 0/ }] },
  { name: 'History without an event-time field', yaml: `a::b-v1:\n  feature_type: History\n  owner: x\n  schema:\n    id: { type: Long, is_key_field: true }\n`, expected: [{ line: 4, column: 3, field: 'schema', message: /needs one Timestamp field with is_event_time: true/ }] },
  { name: 'event time that is not a Timestamp', yaml: `a::b-v1:\n  feature_type: History\n  owner: x\n  schema:\n    id: { type: Long, is_key_field: true }\n    at: { type: Long, is_event_time: true }\n`, expected: [{ line: 6, column: 17, field: 'at', message: 'the event-time field must be of type Timestamp, not Long' }] },
  { name: 'two event-time fields', yaml: `a::b-v1:\n  feature_type: History\n  owner: x\n  schema:\n    id: { type: Long, is_key_field: true }\n    at: { type: Timestamp, is_event_time: true }\n    at2: { type: Timestamp, is_event_time: true }\n`, expected: [{ line: 7, column: 44, field: 'at2', message: /only one field may be the event time/ }] },
  { name: 'event time on an Object feature', yaml: `a::b-v1:\n${OK}    at: { type: Timestamp, is_event_time: true }\n`, expected: [{ line: 6, column: 43, field: 'at', message: 'is_event_time is only for History features' }] },
  { name: 'history options on an Object feature', yaml: `a::b-v1:\n${OK}  history: { max_events: 10 }\n`, expected: [{ line: 6, column: 3, field: 'history', message: /only for History features/ }] },
  { name: 'unknown consumer in access', yaml: `a::b-v1:\n${OK}  access: { read: [recsis] }\n`, expected: [{ line: 6, column: 20, field: 'access.read.0', message: 'unknown consumer "recsis"', hint: 'did you mean recsys?' }] },
  { name: 'invalid Airflow schedule', yaml: `a::b-v1:\n${OK}  upsync: { enabled: true, schedule: "every day" }\n`, expected: [{ line: 6, column: 38, field: 'upsync.schedule', message: /neither a cron expression nor an Airflow preset/ }] },
  { name: 'boolean written as a string', yaml: `a::b-v1:\n${OK}  upsync: { enabled: "yes" }\n`, expected: [{ line: 6, column: 22, field: 'upsync.enabled', message: 'enabled must be a boolean, not string "yes"', hint: 'write true or false (without quotes)' }] },
  { name: 'upsync shards below one', yaml: `a::b-v1:\n${OK}  upsync: { enabled: true, shards: 0 }\n`, expected: [{ line: 6, column: 36, field: 'upsync.shards', message: /^shards must be (at least|>=|greater).*1/ }] },
  { name: 'upsync shards not an integer', yaml: `a::b-v1:\n${OK}  upsync: { enabled: true, shards: 2.5 }\n`, expected: [{ line: 6, column: 36, field: 'upsync.shards', message: 'shards must be an int, not number 2.5' }] },
  { name: 'table name too long for Cassandra', yaml: `averyveryverylongnamespace::and-an-even-longer-feature-name-v1:\n${OK}`, expected: [{ line: 1, column: 1, message: /table name ".*" is 62 characters; Cassandra allows 48/ }] },
  {
    name: 'feature defined in two files',
    yaml: { 'a.yaml': `a::b-v1:\n${OK}`, 'z/b.yaml': `# again\na::b-v1:\n${OK}` },
    expected: [{ line: 2, column: 1, feature: 'a::b-v1', message: /feature defined twice: also at .*a\.yaml:1/ }],
  },
];
