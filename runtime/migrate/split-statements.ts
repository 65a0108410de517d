/**
 * Splits a migration script into statements at top-level semicolons. Drivers take one statement per
 * call, and migrations are files of several. What counts as "top level" is the dialect's business:
 * a semicolon inside a string, a quoted identifier or a comment does not end a statement, and the two
 * dialects disagree on how strings end (see sql-dialects.ts), so the caller names the dialect.
 * Comments are dropped (a comment-only chunk is no statement); everything else is kept verbatim.
 * An unterminated string, identifier or block comment throws a StatementSplitError (split-errors.ts)
 * rather than guessing where the statement ends.
 */
import { DIALECTS, type SqlDialect } from './sql-dialects.ts';

export { StatementSplitError, SPLIT_ERROR, type SplitErrorCode } from './split-errors.ts';
export type { SqlDialect } from './sql-dialects.ts';

export function splitStatements(script: string, dialect: SqlDialect): string[] {
  const rules = DIALECTS[dialect];
  const statements: string[] = [];
  // Statement text is collected as slices of the script (comments replaced by a space or newline),
  // so the work is linear in the script's length whatever the size of its strings.
  let parts: string[] = [];
  let runStart = 0;
  let i = 0;
  const n = script.length;
  while (i < n) {
    if (script.charCodeAt(i) === SEMICOLON) {
      parts.push(script.slice(runStart, i));
      push(statements, parts.join(''));
      parts = [];
      i++;
      runStart = i;
      continue;
    }
    const comment = rules.comment(script, i);
    if (comment !== undefined) {
      parts.push(script.slice(runStart, i), comment.replacement);
      i = comment.end;
      runStart = i;
      continue;
    }
    const quotedEnd = rules.quoted(script, i);
    if (quotedEnd !== undefined) {
      i = quotedEnd;
      continue;
    }
    i++;
  }
  parts.push(script.slice(runStart, n));
  push(statements, parts.join(''));
  return statements;
}

const SEMICOLON = 0x3b;

function push(statements: string[], text: string): void {
  const trimmed = text.trim();
  if (trimmed !== '') statements.push(trimmed);
}
