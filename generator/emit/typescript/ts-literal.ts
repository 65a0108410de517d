/** Printing values and names as TypeScript source text, deterministically and ASCII-only. */
import type CodeBlockWriter from 'code-block-writer';
import type { AvroJsonValue } from '../../../core/serde/index.ts';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ASCII identifier syntax. Reserved words pass: they are legal property names (never used as bindings). */
export function isIdentifierName(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A single-quoted string literal; everything outside printable ASCII is \u-escaped so output is ASCII. */
export function quote(text: string): string {
  let out = "'";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x27) out += "\\'";
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c >= 0x20 && c < 0x7f) out += text[i];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out + "'";
}

/** An object-literal key or interface member name: bare when possible, else quoted. */
export function propertyKey(name: string): string {
  return isIdentifierName(name) ? name : quote(name);
}

/**
 * A JSDoc block (one line when the text is one line); nothing for empty text. `*\/` inside the text
 * would end the comment early, so it is broken up.
 */
export function writeDocs(w: CodeBlockWriter, text: string): void {
  const lines = text.trim().replace(/\*\//g, '*\\/').split(/\r?\n/).map((l) => l.trimEnd());
  if (lines.length === 1) {
    if (lines[0]) w.writeLine(`/** ${lines[0]} */`);
    return;
  }
  w.writeLine('/**');
  for (const line of lines) w.writeLine(line ? ` * ${line}` : ' *');
  w.writeLine(' */');
}

const LINE_WIDTH = 100;

/**
 * A value as a TS literal (bigint as `123n`). A nested object or array stays on one line when that
 * line fits in LINE_WIDTH columns, else it gets one line per member (two-space indent, trailing commas).
 */
export function tsLiteral(value: AvroJsonValue, indent = '', column = indent.length): string {
  if (value === null || typeof value !== 'object') return scalarLiteral(value);
  const inline = inlineLiteral(value);
  // +1 for the comma or semicolon that follows.
  if (column + inline.length + 1 <= LINE_WIDTH) return inline;
  const inner = `${indent}  `;
  if (isArray(value)) {
    return `[\n${value.map((v) => `${inner}${tsLiteral(v, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value).map(([k, v]) => {
    const key = `${inner}${propertyKey(k)}: `;
    return `${key}${tsLiteral(v, inner, key.length)},\n`;
  });
  return `{\n${entries.join('')}${indent}}`;
}

function inlineLiteral(value: AvroJsonValue): string {
  if (value === null || typeof value !== 'object') return scalarLiteral(value);
  if (isArray(value)) return `[${value.map(inlineLiteral).join(', ')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${propertyKey(k)}: ${inlineLiteral(v)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

function scalarLiteral(value: null | boolean | number | bigint | string): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return numberLiteral(value);
  return String(value);
}

function numberLiteral(n: number): string {
  // IR defaults are JSON-safe; a non-finite number here is a bug upstream, not something to print.
  if (!Number.isFinite(n)) throw new Error(`internal: non-finite number ${n} in generated literal`);
  return Object.is(n, -0) ? '-0' : String(n);
}

function isArray(value: object): value is readonly AvroJsonValue[] {
  return Array.isArray(value);
}
