/**
 * Avro schema JSON text → data, with integers beyond 2^53 as exact bigints. The manifest stores writer
 * schemas as text precisely so that `JSON.parse` of the manifest cannot round a long default; whoever
 * turns such a text back into a schema (the gate here, the runtime's writer-schema lookup) must not round
 * either, and Node 20's `JSON.parse` offers no access to the source digits.
 */
import type { AvroJsonValue } from './avro-json.ts';

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

export function parseAvroSchemaText(text: string): AvroJsonValue {
  const parser = new ExactJsonParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

class ExactJsonParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  value(): AvroJsonValue {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.number();
  }

  end(): void {
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the value');
  }

  private object(): AvroJsonValue {
    this.pos++;
    // Entries, not assignment, so a "__proto__" key stays an own property.
    const entries: [string, AvroJsonValue][] = [];
    if (this.peek() === '}') {
      this.pos++;
      return {};
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.expect(':');
      entries.push([key, this.value()]);
      if (this.peek() === ',') this.pos++;
      else break;
    }
    this.expect('}');
    return Object.fromEntries(entries);
  }

  private array(): AvroJsonValue {
    this.pos++;
    const items: AvroJsonValue[] = [];
    if (this.peek() === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      if (this.peek() === ',') this.pos++;
      else break;
    }
    this.expect(']');
    return items;
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
    if (i >= this.text.length) this.fail('unterminated string');
    this.pos = i + 1;
    // JSON.parse of the string token alone is exact and handles every escape.
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): AvroJsonValue {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    const n = Number(m[0]);
    const isInteger = m[1] === undefined && m[2] === undefined;
    return isInteger && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
  }

  private peek(): string | undefined {
    this.skipWhitespace();
    return this.text[this.pos];
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected "${c}"`);
    this.pos++;
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private fail(what: string): never {
    throw new SyntaxError(`invalid schema JSON at offset ${this.pos}: ${what}`);
  }
}
