import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  BIGQUERY_RESERVED_KEYWORDS,
  bqIdent,
  bqPath,
  bqString,
  CQL_RESERVED_KEYWORDS,
  cqlIdent,
  cqlString,
  isBigQueryReserved,
  isCqlReserved,
  PYTHON_KEYWORDS,
  pyIdent,
  pyString,
} from '../../generator/emit/identifiers.ts';

/** Cassandra 5.0.9's parser list (cassandra-all.jar: org/apache/cassandra/cql3/reserved_keywords.txt). */
const CASSANDRA_5_0_RESERVED = `ADD ALLOW ALTER AND APPLY ASC AUTHORIZE BATCH BEGIN BY COLUMNFAMILY CREATE DELETE DESC
  DESCRIBE DROP ENTRIES EXECUTE FROM FULL GRANT IF IN INDEX INFINITY INSERT INTO IS KEYSPACE LIMIT
  MATERIALIZED MODIFY NAN NORECURSIVE NOT NULL OF ON OR ORDER PRIMARY RENAME REVOKE SCHEMA SELECT SET
  TABLE TO TOKEN TRUNCATE UNLOGGED UPDATE USE USING VIEW WHERE WITH`.split(/\s+/);

describe('CQL identifiers', () => {
  it('covers every keyword Cassandra 5.0 reserves', () => {
    for (const word of CASSANDRA_5_0_RESERVED) expect(CQL_RESERVED_KEYWORDS.has(word), word).toBe(true);
    // Non-reserved keywords stay bare: quoting them is legal, but noise.
    for (const word of ['key', 'text', 'timestamp', 'ttl', 'type', 'user', 'value', 'values', 'count']) {
      expect(isCqlReserved(word), word).toBe(false);
    }
  });

  it('leaves lower-case, letter-led, non-reserved names bare', () => {
    expect(cqlIdent('user_id')).toBe('user_id');
    expect(cqlIdent('key')).toBe('key');
    expect(cqlIdent('a1_')).toBe('a1_');
  });

  it('quotes reserved words, mixed case and names starting with _ or a digit', () => {
    expect(cqlIdent('select')).toBe('"select"');
    expect(cqlIdent('order')).toBe('"order"');
    expect(cqlIdent('from')).toBe('"from"');
    expect(cqlIdent('token')).toBe('"token"');
    expect(cqlIdent('userId')).toBe('"userId"');
    expect(cqlIdent('SELECT')).toBe('"SELECT"');
    expect(cqlIdent('_private')).toBe('"_private"');
    expect(cqlIdent('9lives')).toBe('"9lives"');
    expect(cqlIdent('a"b')).toBe('"a""b"');
  });

  it('doubles single quotes in string literals', () => {
    expect(cqlString("it's")).toBe("'it''s'");
    expect(cqlString('')).toBe("''");
  });
});

describe('BigQuery identifiers', () => {
  it('knows the GoogleSQL reserved keywords', () => {
    for (const word of ['select', 'from', 'order', 'qualify', 'lookup', 'partition', 'struct', 'within']) {
      expect(isBigQueryReserved(word), word).toBe(true);
    }
    expect(isBigQueryReserved('key')).toBe(false);
    expect(BIGQUERY_RESERVED_KEYWORDS.size).toBe(96);
  });

  it('always backtick-quotes, escaping backslash and backtick', () => {
    expect(bqIdent('select')).toBe('`select`');
    expect(bqIdent('user_id')).toBe('`user_id`');
    expect(bqIdent('a`b\\c')).toBe('`a\\`b\\\\c`');
    expect(bqPath('acme-ml', 'featurestore', 'order')).toBe('`acme-ml.featurestore.order`');
  });

  it('escapes string literals', () => {
    expect(bqString('say "hi"')).toBe('"say \\"hi\\""');
    expect(bqString("it's")).toBe('"it\'s"');
    expect(bqString('a\\b\nc\td\r\u0001')).toBe('"a\\\\b\\nc\\td\\r\\x01"');
    expect(bqString('héllo ✓')).toBe('"héllo ✓"');
  });
});

describe('Python identifiers and strings', () => {
  it('matches keyword.kwlist of the local python3', () => {
    const run = spawnSync('python3', ['-c', 'import json, keyword; print(json.dumps(keyword.kwlist))'], { encoding: 'utf8' });
    const kwlist = JSON.parse(run.stdout) as string[];
    expect([...PYTHON_KEYWORDS].sort()).toEqual([...kwlist].sort());
  });

  it('makes valid, non-keyword identifiers', () => {
    expect(pyIdent('def')).toBe('def_');
    expect(pyIdent('class')).toBe('class_');
    expect(pyIdent('None')).toBe('None_');
    expect(pyIdent('transform_live__x_v1')).toBe('transform_live__x_v1');
    expect(pyIdent('azar-match')).toBe('azar_match');
    expect(pyIdent('1st')).toBe('_1st');
    expect(pyIdent('')).toBe('_');
  });

  it('pyString literals evaluate back to the original text in Python', () => {
    const samples = ['plain', 'quote " and \\ backslash', "single ' quote", 'new\nline\ttab\rcr', '\u0000\u007f',
      'ünïcödé ✓ 😀', 'line\u2028sep', '{% include "x.sql" %}', 'lone \ud800 surrogate'];
    const program = `import json\nprint(json.dumps([${samples.map(pyString).join(', ')}]))\n`;
    const run = spawnSync('python3', ['-c', program], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(samples);
    for (const s of samples) expect(pyString(s)).not.toMatch(/[\n\r\u2028]/);
  });

  it('identifiers come out valid for Python itself', () => {
    const names = ['def', 'class', 'from', 'import', 'azar-match', '9x', 'async', 'match', 'ok_name'].map(pyIdent);
    const program = `import json, keyword\nnames = json.loads(input())\nprint(all(n.isidentifier() and not keyword.iskeyword(n) for n in names))\n`;
    const run = spawnSync('python3', ['-c', program], { input: JSON.stringify(names), encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('True');
  });
});
