import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../runtime/migrate/index.ts';

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops comment-only chunks', () => {
    expect(splitStatements('-- header\nCREATE TABLE a (x int);\n\n/* note; */ ALTER TABLE a WITH x = 1;\n-- trailing;\n')).toEqual([
      'CREATE TABLE a (x int)',
      'ALTER TABLE a WITH x = 1',
    ]);
  });

  it('keeps semicolons inside strings, quoted identifiers and backticks, including escaped quotes', () => {
    const script = [
      `INSERT INTO t ("a;b") VALUES ('it''s; fine');`,
      'SELECT `p.d;t`, "x""y;" FROM y;',
      String.raw`SELECT 'back\';x' FROM z;`,
    ].join('\n');
    expect(splitStatements(script)).toEqual([
      `INSERT INTO t ("a;b") VALUES ('it''s; fine')`,
      'SELECT `p.d;t`, "x""y;" FROM y',
      String.raw`SELECT 'back\';x' FROM z`,
    ]);
  });

  it('refuses unterminated strings and comments instead of guessing', () => {
    expect(() => splitStatements("SELECT 'open;")).toThrow(/unterminated ' string starting at offset 7/);
    expect(() => splitStatements('SELECT 1; /* open')).toThrow('unterminated block comment');
  });
});
