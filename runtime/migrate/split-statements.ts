/**
 * Splits a CQL or GoogleSQL script into statements at top-level semicolons: not inside '…', "…", `…`,
 * `--`/`//` line comments or block comments. Comment-only chunks are dropped. Drivers take one statement
 * per call, and migrations are files of several.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const n = script.length;
  while (i < n) {
    const ch = script[i]!;
    const next = script[i + 1];
    if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
      const end = script.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      current += '\n';
    } else if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw new Error('unterminated block comment');
      i = end + 2;
      current += ' ';
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(script, i, ch);
      current += script.slice(i, end + 1);
      i = end + 1;
    } else if (ch === ';') {
      push(statements, current);
      current = '';
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  push(statements, current);
  return statements;
}

/** Index of the quote closing the one at `start`; a doubled quote (CQL '') or a backslash escape (SQL) continues the string. */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && quote !== '`') i++;
    else if (ch === quote) {
      if (text[i + 1] === quote) i++;
      else return i;
    }
  }
  throw new Error(`unterminated ${quote} string starting at offset ${start}`);
}

function push(statements: string[], text: string): void {
  const trimmed = text.trim();
  if (trimmed !== '') statements.push(trimmed);
}
