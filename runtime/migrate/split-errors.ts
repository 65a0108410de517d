/** Why a migration script could not be split, as named codes, with the line and column of the cause. */

export const SPLIT_ERROR = {
  unterminatedString: 'UNTERMINATED_STRING',
  unterminatedIdentifier: 'UNTERMINATED_QUOTED_IDENTIFIER',
  unterminatedComment: 'UNTERMINATED_BLOCK_COMMENT',
  /** GoogleSQL: a '…', "…" or `…` literal ends on its line; only triple-quoted strings span lines. */
  lineBreakInQuote: 'LINE_BREAK_IN_QUOTE',
} as const;

export type SplitErrorCode = (typeof SPLIT_ERROR)[keyof typeof SPLIT_ERROR];

export class StatementSplitError extends Error {
  override readonly name = 'StatementSplitError';
  readonly line: number;
  readonly column: number;

  constructor(
    readonly code: SplitErrorCode,
    script: string,
    /** Where the unterminated construct starts (UTF-16 offset into the script). */
    readonly offset: number,
    /** What was left open, e.g. `'…' string`. */
    what: string,
    hint?: string,
  ) {
    const { line, column } = lineColumn(script, offset);
    super(`unterminated ${what} starting at line ${line}, column ${column}${hint ? ` (${hint})` : ''}`);
    this.line = line;
    this.column = column;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
