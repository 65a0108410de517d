import { describe, expect, it } from 'vitest';
import { MigrationError, readMigrations, SPLIT_ERROR, splitStatements, StatementSplitError, type SqlDialect } from '../../runtime/migrate/index.ts';
import { writeTree } from '../helpers/temp-dir.ts';

function splitError(script: string, dialect: SqlDialect): StatementSplitError {
  try {
    splitStatements(script, dialect);
  } catch (e) {
    if (e instanceof StatementSplitError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(script)} to be refused`);
}

describe.each<SqlDialect>(['cql', 'bigquery'])('splitStatements, both dialects (%s)', (dialect) => {
  it('splits at top-level semicolons and drops comment-only chunks', () => {
    expect(splitStatements('-- header\nCREATE TABLE a (x int);\n\n/* note; */ ALTER TABLE a WITH x = 1;\n-- trailing;\n', dialect)).toEqual([
      'CREATE TABLE a (x int)',
      'ALTER TABLE a WITH x = 1',
    ]);
  });

  it("keeps semicolons inside '…' strings with doubled quotes and inside \"…\"", () => {
    const script = `INSERT INTO t (x) VALUES ('it''s; fine');\nSELECT "a;b" FROM y;`;
    expect(splitStatements(script, dialect)).toEqual([`INSERT INTO t (x) VALUES ('it''s; fine')`, 'SELECT "a;b" FROM y']);
  });

  it('refuses an unterminated block comment, naming its line and column', () => {
    const e = splitError('SELECT 1;\n  /* open', dialect);
    expect(e.code).toBe(SPLIT_ERROR.unterminatedComment);
    expect(e.message).toBe('unterminated block comment starting at line 2, column 3');
  });

  it("refuses an unterminated '…' string instead of guessing", () => {
    const e = splitError("SELECT 'open;", dialect);
    expect(e.code).toBe(SPLIT_ERROR.unterminatedString);
    expect([e.line, e.column, e.offset]).toEqual([1, 8, 7]);
  });
});

describe('splitStatements, CQL', () => {
  it("treats a backslash as an ordinary character: 'C:\\temp\\' is a complete string", () => {
    const script = String.raw`CREATE TABLE a (x int) WITH comment = 'C:\temp\'; CREATE TABLE b (y int) WITH comment = 'b';`;
    expect(splitStatements(script, 'cql')).toEqual([String.raw`CREATE TABLE a (x int) WITH comment = 'C:\temp\'`, "CREATE TABLE b (y int) WITH comment = 'b'"]);
  });

  it('keeps $$…$$ strings whole, quotes and semicolons included, ending at the first $$', () => {
    const script = "INSERT INTO t (x) VALUES ($$it's; a 'quote' -- and \"more\"$$);\nSELECT $$$$ FROM t;";
    expect(splitStatements(script, 'cql')).toEqual(["INSERT INTO t (x) VALUES ($$it's; a 'quote' -- and \"more\"$$)", 'SELECT $$$$ FROM t']);
    expect(splitError('SELECT $$open; SELECT 1;', 'cql').message).toBe('unterminated $$…$$ string starting at line 1, column 8');
  });

  it('knows // comments and strings spanning lines; # and backticks are not special', () => {
    expect(splitStatements("// one;\nSELECT 'a;\nb' FROM t; SELECT `x;", 'cql')).toEqual(["SELECT 'a;\nb' FROM t", 'SELECT `x']);
  });

  it('refuses an unterminated quoted identifier', () => {
    expect(splitError('SELECT "a"" FROM t;', 'cql').code).toBe(SPLIT_ERROR.unterminatedIdentifier);
  });
});

describe('splitStatements, BigQuery (GoogleSQL)', () => {
  it('honours backslash escapes in strings and backtick identifiers', () => {
    const script = [String.raw`SELECT 'back\';x' FROM z;`, String.raw`SELECT "a\";b", 'c\\';`, 'SELECT `p.d;t`, `e\\`;f` FROM y;'].join('\n');
    expect(splitStatements(script, 'bigquery')).toEqual([String.raw`SELECT 'back\';x' FROM z`, String.raw`SELECT "a\";b", 'c\\'`, 'SELECT `p.d;t`, `e\\`;f` FROM y']);
  });

  it('ends raw and bytes literals where the tokenizer does: an escaped quote does not close them', () => {
    // ZetaSQL lexes r'…' with the same pattern as '…': r'a\';b' is one literal holding a\';b.
    expect(splitStatements(String.raw`SELECT r'a\';b', rb"c\";d", br'e'; SELECT 2`, 'bigquery')).toEqual([String.raw`SELECT r'a\';b', rb"c\";d", br'e'`, 'SELECT 2']);
  });

  it('keeps triple-quoted strings whole across lines and single quotes inside', () => {
    const script = `SELECT '''it's; '' still\n;''', """a"b;""c""";\nSELECT '''''';`;
    expect(splitStatements(script, 'bigquery')).toEqual([`SELECT '''it's; '' still\n;''', """a"b;""c"""`, "SELECT ''''''"]);
  });

  it('knows # comments; // is not a comment', () => {
    expect(splitStatements('# one; two\nSELECT 1; -- three;\nSELECT 4 // 2;', 'bigquery')).toEqual(['SELECT 1', 'SELECT 4 // 2']);
  });

  it('refuses a line break inside a single-line literal, with the reason', () => {
    const e = splitError("SELECT 1;\nSELECT 'a;\nb';", 'bigquery');
    expect(e.code).toBe(SPLIT_ERROR.lineBreakInQuote);
    expect(e.message).toBe("unterminated '…' string starting at line 2, column 8 (a '…' string ends on its line; write \\n, or use a triple-quoted string)");
    expect(splitError("SELECT '''a;", 'bigquery').code).toBe(SPLIT_ERROR.unterminatedString);
    expect(splitError('SELECT `a\\`;', 'bigquery').code).toBe(SPLIT_ERROR.unterminatedIdentifier);
  });
});

describe('readMigrations', () => {
  it('splits each target in its own dialect and refuses a file that does not split, naming it', async () => {
    const script = String.raw`CREATE TABLE a (x int) WITH comment = 'C:\temp\'; CREATE TABLE b (y int);` + '\n';
    const dir = await writeTree('migrations', { 'migrations/cql/0001_initial.cql': script, 'migrations/bigquery/0001_initial.sql': script });
    expect((await readMigrations(dir, 'cassandra'))[0]?.statements).toHaveLength(2);
    // In GoogleSQL the same text leaves a string open: the backslash escapes the closing quote.
    const refused = readMigrations(dir, 'bigquery');
    await expect(refused).rejects.toBeInstanceOf(MigrationError);
    await expect(refused).rejects.toThrow("0001_initial.sql: unterminated '…' string starting at line 1, column 39 (a '…' string ends on its line");
  });
});
