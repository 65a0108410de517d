/**
 * Where comments, strings and quoted identifiers end, per dialect: just enough lexing to find the
 * semicolons that end statements.
 *
 * CQL (Cassandra's Lexer.g): '…' strings escape a quote by doubling it and know no backslash escapes
 * (`'C:\temp\'` is a complete string); $$…$$ strings end at the first `$$` and escape nothing;
 * "…" identifiers double `"`; comments are `--` and `//` to the end of the line and non-nested
 * block comments. Strings may span lines.
 *
 * GoogleSQL / BigQuery (ZetaSQL's flex tokenizer): '…' and "…" strings and `…` identifiers use
 * backslash escapes and end on their line; '''…''' and """…""" may span lines and end at the first
 * unescaped triple quote. Raw (r'…') and bytes (b'…', rb'…') prefixes change how escapes are
 * *interpreted*, not where the literal ends: the tokenizer uses one pattern for all of them, so
 * `r'a\'b'` is one literal there too, and the prefix letters need no handling here. Comments are
 * `--` and `#` to the end of the line and non-nested block comments.
 */
import { SPLIT_ERROR, StatementSplitError } from './split-errors.ts';

export type SqlDialect = 'cql' | 'bigquery';

type UnterminatedCode = typeof SPLIT_ERROR.unterminatedString | typeof SPLIT_ERROR.unterminatedIdentifier;

export interface CommentSpan {
  /** Index just past the comment. */
  readonly end: number;
  /** What stands in for it in the statement: a newline for line comments, a space for block comments. */
  readonly replacement: string;
}

export interface DialectRules {
  /** The comment starting at `i`, if one does; throws if it never ends. */
  comment(text: string, i: number): CommentSpan | undefined;
  /** Index just past the string or quoted identifier starting at `i`, if one does; throws if it never ends. */
  quoted(text: string, i: number): number | undefined;
}

const cql: DialectRules = {
  comment(text, i) {
    const ch = text[i];
    const next = text[i + 1];
    if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) return lineComment(text, i);
    if (ch === '/' && next === '*') return blockComment(text, i);
    return undefined;
  },
  quoted(text, i) {
    const ch = text[i];
    if (ch === "'") return doubledQuoteEnd(text, i, "'", SPLIT_ERROR.unterminatedString, "'…' string");
    if (ch === '"') return doubledQuoteEnd(text, i, '"', SPLIT_ERROR.unterminatedIdentifier, '"…" quoted identifier');
    if (ch === '$' && text[i + 1] === '$') {
      const close = text.indexOf('$$', i + 2);
      if (close === -1) throw new StatementSplitError(SPLIT_ERROR.unterminatedString, text, i, '$$…$$ string');
      return close + 2;
    }
    return undefined;
  },
};

const bigquery: DialectRules = {
  comment(text, i) {
    const ch = text[i];
    if ((ch === '-' && text[i + 1] === '-') || ch === '#') return lineComment(text, i);
    if (ch === '/' && text[i + 1] === '*') return blockComment(text, i);
    return undefined;
  },
  quoted(text, i) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const triple = ch.repeat(3);
      if (text.startsWith(triple, i)) return tripleQuoteEnd(text, i, triple);
      return backslashQuoteEnd(text, i, ch, SPLIT_ERROR.unterminatedString, `${ch}…${ch} string`);
    }
    if (ch === '`') return backslashQuoteEnd(text, i, '`', SPLIT_ERROR.unterminatedIdentifier, '`…` quoted identifier');
    return undefined;
  },
};

export const DIALECTS: Readonly<Record<SqlDialect, DialectRules>> = { cql, bigquery };

function lineComment(text: string, i: number): CommentSpan {
  let j = i + 2;
  while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
  return { end: j, replacement: '\n' };
}

function blockComment(text: string, i: number): CommentSpan {
  const close = text.indexOf('*/', i + 2);
  if (close === -1) throw new StatementSplitError(SPLIT_ERROR.unterminatedComment, text, i, 'block comment');
  return { end: close + 2, replacement: ' ' };
}

/** CQL: the quote closes unless doubled; nothing else is special. */
function doubledQuoteEnd(text: string, start: number, quote: string, code: UnterminatedCode, what: string): number {
  let j = start + 1;
  for (;;) {
    const close = text.indexOf(quote, j);
    if (close === -1) throw new StatementSplitError(code, text, start, what);
    if (text[close + 1] !== quote) return close + 1;
    j = close + 2;
  }
}

/** GoogleSQL single-line literal: a backslash takes the next character (a quote too), a line break is an error. */
function backslashQuoteEnd(text: string, start: number, quote: string, code: UnterminatedCode, what: string): number {
  for (let j = start + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') j += text.startsWith('\r\n', j + 1) ? 2 : 1;
    else if (ch === quote) return j + 1;
    else if (ch === '\n' || ch === '\r') {
      throw new StatementSplitError(SPLIT_ERROR.lineBreakInQuote, text, start, what, `a ${what} ends on its line; write \\n, or use a triple-quoted string`);
    }
  }
  throw new StatementSplitError(code, text, start, what);
}

/** GoogleSQL '''…''' / """…""": ends at the first triple quote not preceded by an escaping backslash. */
function tripleQuoteEnd(text: string, start: number, triple: string): number {
  for (let j = start + 3; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') j++;
    else if (ch === triple[0] && text.startsWith(triple, j)) return j + 3;
  }
  throw new StatementSplitError(SPLIT_ERROR.unterminatedString, text, start, `${triple}…${triple} string`);
}
