/**
 * Text that came from the user (file names, YAML strings) on its way to a terminal or into a
 * comment of a generated file. Validation refuses control characters in definitions; this is the
 * second wall, for what validation cannot refuse (a file name is reported before it can be refused)
 * and for messages that quote hostile input: nothing printed can start a new line, move the
 * cursor, recolour the terminal or reorder text (bidirectional overrides, "Trojan Source").
 */

/**
 * C0 and C1 controls (tab aside), DEL, line and paragraph separators, bidirectional embeddings,
 * overrides and isolates, the BOM / zero-width no-break space, and lone surrogates.
 */
export const UNSAFE_CHARACTER = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSAFE_GLOBAL = new RegExp(UNSAFE_CHARACTER.source, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e', '\u0000': '\\0' };

/** The same text with every unsafe character written as a visible escape (`\n`, `\e`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNSAFE_GLOBAL, (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longest user-supplied text quoted whole in a message; longer text is cut in the middle. */
export const MAX_QUOTED_LENGTH = 200;

/** Printable and at most MAX_QUOTED_LENGTH characters, for quoting user input inside a message. */
export function quoted(text: string, max = MAX_QUOTED_LENGTH): string {
  const safe = printable(text);
  if (safe.length <= max) return safe;
  const half = Math.floor((max - 1) / 2);
  return `${safe.slice(0, half)}…${safe.slice(safe.length - half)}`;
}

/** The first unsafe character of a text with its offset, or undefined. */
export function firstUnsafe(text: string): { readonly offset: number; readonly escaped: string } | undefined {
  const m = UNSAFE_CHARACTER.exec(text);
  return m ? { offset: m.index, escaped: printable(m[0]) } : undefined;
}
