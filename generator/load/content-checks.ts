/**
 * Checks of a parsed YAML document that no schema can make, because the schema only ever sees the
 * JavaScript value: parser warnings (unknown tags), tags outside the subset this tool reads,
 * aliases to nothing, keys that JavaScript objects cannot hold (`__proto__` vanishes on the way),
 * control characters in strings, and strings over the documented limits.
 */
import { isAlias, isPair, isScalar, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { firstUnsafe, quoted } from '../safe-text.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_TEXT_LENGTH } from './limits.ts';

/** Where in the file an offset is. */
export type Locate = (offset: number) => { readonly line: number; readonly column: number };

export const CONTENT_MESSAGES = {
  unsupportedTag: (tag: string) => `YAML tag ${tag} is not supported here`,
  unsupportedTagHint: 'remove the tag and write the value plainly (a Timestamp as an ISO-8601 string, a set or ordered map as a list or mapping)',
  parserWarning: 'YAML warning',
  badBinary: '!!binary value is not valid base64',
  badBinaryHint: 'write standard base64 (A-Z a-z 0-9 + /, padded with =), e.g. aGVsbG8=',
  unresolvedAlias: (name: string) => `alias *${name} refers to no anchor defined before it`,
  unresolvedAliasHint: 'define the anchor (&name) earlier in the file, or write the value out',
  protoKey: 'the key "__proto__" is not allowed (JavaScript objects cannot hold it, so it would vanish from every artifact)',
  protoKeyHint: 'rename it',
  controlCharacter: (escaped: string) => `text contains the control or invisible formatting character ${escaped}`,
  controlCharacterHint: 'remove it; descriptions may span lines, other strings must be one line of visible text',
  tooLong: (what: string, length: number, max: number) => `${what} is ${length} characters; at most ${max} are allowed`,
  tooLongHint: 'shorten it (see "Limits" in the README)',
} as const;

/** Tags this tool reads: the YAML 1.2 core schema, plus !!binary for Bytes defaults. */
const SUPPORTED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'binary'].map((t) => `tag:yaml.org,2002:${t}`));
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Keys whose text may span lines and be long. */
const LONG_TEXT_KEYS = new Set(['description', 'default_value']);

export interface ContentProblems {
  readonly diagnostics: Diagnostic[];
  /** Source ranges [start, end) of the refused nodes: other diagnostics inside them are echoes. */
  readonly spans: [number, number][];
}

export function contentDiagnostics(file: string, text: string, doc: Document.Parsed, locate: Locate): ContentProblems {
  const out: Diagnostic[] = [];
  const spans: [number, number][] = [];
  const at = (node: Node | undefined, message: string, hint: string, offset = node?.range?.[0] ?? 0): void => {
    out.push({ file, ...locate(offset), message, hint, severity: 'error' });
    spans.push([offset, node?.range?.[1] ?? offset + 1]);
  };
  // A node's range starts at its value; its tag is written just before it.
  const tagAt = (node: Node, message: string, hint: string): void => at(node, message, hint, tagStart(text, node.range?.[0] ?? 0));
  for (const w of doc.warnings) {
    // An unknown tag is also on its node, where checkTag reports it with a better message.
    if (w.code === 'TAG_RESOLVE_FAILED') continue;
    const pos = w.linePos?.[0];
    out.push({
      file,
      line: pos?.line ?? 1,
      column: pos?.col ?? 1,
      message: `${CONTENT_MESSAGES.parserWarning}: ${firstLine(w.message)}`,
      hint: 'every parser warning is treated as an error: rewrite the YAML near this position',
      severity: 'error',
    });
  }
  // Anchors seen so far, in document order: an alias may only refer back. (Alias.resolve(doc)
  // rescans the whole document per alias, quadratic in the number of aliases.)
  const anchors = new Set<string>();
  visit(doc, {
    Alias(_key, node) {
      if (!anchors.has(node.source)) at(node, CONTENT_MESSAGES.unresolvedAlias(quoted(node.source)), CONTENT_MESSAGES.unresolvedAliasHint);
    },
    Map(_key, node) {
      if (node.anchor) anchors.add(node.anchor);
      checkTag(node, tagAt);
    },
    Seq(_key, node) {
      if (node.anchor) anchors.add(node.anchor);
      checkTag(node, tagAt);
    },
    Scalar(key, node, path) {
      if (node.anchor) anchors.add(node.anchor);
      checkTag(node, tagAt);
      if (node.tag === 'tag:yaml.org,2002:binary' && !BASE64.test((node.source ?? '').replace(/\s+/g, ''))) {
        tagAt(node, CONTENT_MESSAGES.badBinary, CONTENT_MESSAGES.badBinaryHint);
      }
      if (typeof node.value !== 'string') return;
      if (key === 'key') {
        if (node.value === '__proto__') at(node, CONTENT_MESSAGES.protoKey, CONTENT_MESSAGES.protoKeyHint);
        checkLength(node, node.value, 'a key', MAX_TEXT_LENGTH, at);
        return;
      }
      const parent = path[path.length - 1];
      const owner = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : undefined;
      const long = owner !== undefined && LONG_TEXT_KEYS.has(owner);
      checkLength(node, node.value, owner ? `the value of ${quoted(owner, 60)}` : 'a string', long ? MAX_DESCRIPTION_LENGTH : MAX_TEXT_LENGTH, at);
      // Line breaks are text in a description; anywhere else a line is expected.
      const unsafe = firstUnsafe(long ? node.value.replace(/\n/g, ' ') : node.value);
      if (unsafe) at(node, CONTENT_MESSAGES.controlCharacter(unsafe.escaped), CONTENT_MESSAGES.controlCharacterHint);
    },
  });
  return { diagnostics: out, spans };
}

/** The start of the tag token (`!!set`, `!Foo`, `!<tag:…>`) written before a value that starts at `valueStart`. */
function tagStart(text: string, valueStart: number): number {
  let i = valueStart;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  const end = i;
  while (i > 0 && !/[\s,[{]/.test(text[i - 1]!)) i--;
  return text[i] === '!' && i < end ? i : valueStart;
}

function checkTag(node: Node, at: (node: Node, message: string, hint: string) => void): void {
  if (node.tag === undefined || SUPPORTED_TAGS.has(node.tag) || isAlias(node)) return;
  at(node, CONTENT_MESSAGES.unsupportedTag(quoted(node.tag.replace(/^tag:yaml\.org,2002:/, '!!'), 80)), CONTENT_MESSAGES.unsupportedTagHint);
}

function checkLength(node: Node, text: string, what: string, max: number, at: (node: Node, message: string, hint: string) => void): void {
  // UTF-16 length bounds the code-point count from above, so the exact count is only taken when needed.
  if (text.length <= max) return;
  let length = 0;
  for (const _ of text) length++;
  if (length > max) at(node, CONTENT_MESSAGES.tooLong(what, length, max), CONTENT_MESSAGES.tooLongHint);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
