/**
 * The one way an error message shows what the caller sent (a feature name, a property, a Content-Type,
 * a URL). Input is attacker-controlled and ends up in client logs, terminals and our own log lines, so:
 *
 * - it is cut to `MAX_QUOTED_INPUT` code points (a 1 MiB feature name must not come back 1 MiB long);
 *   the cut never splits a surrogate pair, and the full length is given instead;
 * - control characters (C0, DEL, C1), format characters (bidi overrides, zero-width characters), line
 *   and paragraph separators and lone surrogates are escaped as `\uXXXX`, so nothing can move a cursor,
 *   colour a terminal, reorder text or forge a log line; `"` and `\` are escaped so the quotes stay honest.
 *
 * Escaping rather than stripping: the caller sees exactly which byte was wrong.
 */

/** Code points of input shown in a message; longer input is cut and its length given. */
export const MAX_QUOTED_INPUT = 64;

// \p{Cc}: C0, DEL, C1. \p{Cf}: bidi controls, ZWJ/ZWSP, BOM. \p{Zl}/\p{Zp}: U+2028/2029. \p{Cs}: a lone
// surrogate (with the u flag a well-formed pair is one code point and does not match).
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}"\\]/gu;

function escapeOne(ch: string): string {
  if (ch === '"' || ch === '\\') return `\\${ch}`;
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Code points in `text` (lone surrogates count one each, as they are shown). */
export function codePointCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The first `max` code points of `text`. */
function firstCodePoints(text: string, max: number): string {
  let taken = 0;
  let end = 0;
  for (const ch of text) {
    if (taken === max) break;
    end += ch.length;
    taken++;
  }
  return text.slice(0, end);
}

function shown(text: string, max: number): { readonly safe: string; readonly cut: boolean } {
  // Fast path: short input is the common case (a feature name, a property).
  const kept = text.length <= max ? text : firstCodePoints(text, max);
  const cut = kept.length < text.length;
  const safe = kept.replace(UNSAFE, escapeOne);
  return { safe: cut ? `${safe}…` : safe, cut };
}

/** `text` made safe to show: cut to `max` code points (then `…`), unsafe characters escaped. No quotes. */
export function sanitizeInput(text: string, max: number = MAX_QUOTED_INPUT): string {
  return shown(text, max).safe;
}

/** `text` in double quotes for a message: `"live::x-v1"`, or `"aaaa…" (70000 characters)` when cut. */
export function quoteInput(text: string, max: number = MAX_QUOTED_INPUT): string {
  const { safe, cut } = shown(text, max);
  return cut ? `"${safe}" (${codePointCount(text)} characters)` : `"${safe}"`;
}
