/**
 * Quoting of identifiers and string literals for every text artifact (CQL, GoogleSQL, Python).
 * Field names are checked upstream against `^[A-Za-z_][A-Za-z0-9_]*$`, but a valid field name may
 * still be a reserved word (`select`, `order`, `class`) or mixed case, so every artifact quotes
 * through these functions instead of interpolating names raw.
 */

/**
 * CQL reserved keywords: the union of Cassandra 5.0's "Appendix A: CQL Keywords" (reserved = yes),
 * the parser's own list (src/resources/org/apache/cassandra/cql3/reserved_keywords.txt: adds IS,
 * MATERIALIZED, VIEW, and on trunk CHECK, CONSTRAINT, LENGTH) and words DataStax/ScyllaDB also reserve
 * (DEFAULT, FOR, MBEAN(S), UNSET, ANY, consistency levels). Quoting a word that some version does not
 * reserve is harmless (`"key"` and `key` name the same column), forgetting one is a DDL error, so
 * this is deliberately a superset.
 */
export const CQL_RESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  `ADD ALLOW ALTER AND ANY APPLY ASC AUTHORIZE BATCH BEGIN BY CHECK COLUMNFAMILY CONSTRAINT CREATE
   DEFAULT DELETE DESC DESCRIBE DROP EACH_QUORUM ENTRIES EXECUTE FOR FROM FULL GRANT IF IN INDEX
   INFINITY INSERT INTO IS KEYSPACE KEYSPACES LENGTH LIMIT LOCAL_ONE LOCAL_QUORUM MATERIALIZED MBEAN
   MBEANS MODIFY NAN NORECURSIVE NOT NULL OF ON ONE OR ORDER PRIMARY QUORUM RENAME REPLACE REVOKE
   SCHEMA SELECT SET TABLE THREE TO TOKEN TRUNCATE TWO UNLOGGED UNSET UPDATE USE USING VIEW WHERE WITH`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * GoogleSQL (BigQuery) reserved keywords, from "Lexical structure and syntax" → "Reserved keywords".
 * QUALIFY is included: it became reserved with the QUALIFY clause.
 */
export const BIGQUERY_RESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  `ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE
   CROSS CUBE CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS
   EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER
   INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL
   NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT
   ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING
   WHEN WHERE WINDOW WITH WITHIN`
    .split(/\s+/)
    .filter(Boolean),
);

/** Python 3.11 `keyword.kwlist`. Soft keywords (`match`, `case`, `_`, `type`) are valid identifiers. */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set(
  `False None True and as assert async await break class continue def del elif else except finally
   for from global if import in is lambda nonlocal not or pass raise return try while with yield`
    .split(/\s+/)
    .filter(Boolean),
);

/** Unquoted CQL identifiers start with a letter; upper case is folded to lower, so only this form is bare. */
const CQL_BARE = /^[a-z][a-z0-9_]*$/;

export function isCqlReserved(name: string): boolean {
  return CQL_RESERVED_KEYWORDS.has(name.toUpperCase());
}

/**
 * A CQL identifier: bare when it is lower-case, starts with a letter and is not reserved;
 * otherwise double-quoted (which also keeps mixed case, `userId` ≠ `userid`), `"` doubled.
 */
export function cqlIdent(name: string): string {
  if (CQL_BARE.test(name) && !isCqlReserved(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** A CQL string literal: single quotes, `'` doubled (CQL has no backslash escapes). */
export function cqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function isBigQueryReserved(name: string): boolean {
  return BIGQUERY_RESERVED_KEYWORDS.has(name.toUpperCase());
}

/** Escapes the body of a GoogleSQL quoted string or quoted identifier (they share escape sequences). */
function bqEscapeBody(value: string, quote: '"' | '`'): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/**
 * A BigQuery identifier, always backtick-quoted. Why always: the reserved list grows (QUALIFY,
 * LOOKUP were added over time) and a quoted column name means the same as the bare one (column names
 * are case-insensitive either way), so quoting every column keeps today's DDL valid tomorrow.
 */
export function bqIdent(name: string): string {
  return `\`${bqEscapeBody(name, '`')}\``;
}

/** A fully qualified table or dataset path as one quoted identifier: `project.dataset.table`. */
export function bqPath(...parts: readonly string[]): string {
  return `\`${parts.map((p) => bqEscapeBody(p, '`')).join('.')}\``;
}

/** A GoogleSQL string literal in double quotes with backslash escapes. */
export function bqString(value: string): string {
  return `"${bqEscapeBody(value, '"')}"`;
}

/** A Python (3) string literal in double quotes; non-ASCII printable text stays as is (sources are UTF-8). */
export function pyString(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // U+2028/2029 are legal in Python but break line-oriented tools; `for..of` yields a surrogate
    // only when it is unpaired, which cannot be encoded as UTF-8 source.
    else if (code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `"${out}"`;
}

/**
 * A valid Python identifier derived from a name: other characters become `_`, a leading digit gets
 * a `_` prefix, and a keyword gets a trailing `_` (the PEP 8 convention, e.g. `class_`).
 */
export function pyIdent(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (id === '' || /^[0-9]/.test(id)) id = `_${id}`;
  return PYTHON_KEYWORDS.has(id) ? `${id}_` : id;
}
