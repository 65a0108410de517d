import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One parsed YAML file that can answer "where is this path?" for diagnostics. */
export class SourceFile {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(
    /** Path relative to the working directory, forward slashes. */
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: true });
  }

  /** YAML syntax errors and duplicate keys, as diagnostics. */
  syntaxDiagnostics(): Diagnostic[] {
    return this.doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
      const duplicate = e.code === 'DUPLICATE_KEY';
      return {
        file: this.file,
        line: pos.line,
        column: pos.col,
        message: duplicate ? 'duplicate key: a mapping may name each key once' : `YAML syntax error: ${firstLine(e.message)}`,
        hint: duplicate ? 'remove or rename one of the two entries' : 'check indentation, quotes and brackets near this position',
        severity: 'error',
      };
    });
  }

  /** The node at a path of map keys and sequence indexes, or undefined. */
  node(path: readonly PathSegment[]): Node | undefined {
    let current: unknown = this.doc.contents;
    for (const segment of path) {
      if (isMap(current)) {
        const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        current = pair?.value ?? undefined;
      } else if (isSeq(current) && typeof segment === 'number') {
        current = current.items[segment];
      } else {
        return undefined;
      }
    }
    return current as Node | undefined;
  }

  /**
   * Where a path is written. `key` points at the map key of the last segment (for unknown or
   * misplaced keys); `value` at its value. Falls back to the deepest ancestor that exists.
   */
  position(path: readonly PathSegment[], at: 'key' | 'value' = 'value'): Position {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const offset = at === 'key' && depth > 0 ? this.keyOffset(prefix) : this.node(prefix)?.range?.[0];
      if (offset !== undefined) {
        const { line, col } = this.lines.linePos(offset);
        return { line, column: col };
      }
    }
    return { line: 1, column: 1 };
  }

  /** The raw source text of a scalar (exact digits of a big integer), if the path holds a scalar. */
  scalarSource(path: readonly PathSegment[]): string | undefined {
    const node = this.node(path);
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  private keyOffset(path: readonly PathSegment[]): number | undefined {
    const parent = this.node(path.slice(0, -1));
    const last = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last));
      const key = pair?.key;
      return isScalar(key) ? key.range?.[0] : undefined;
    }
    if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined)?.range?.[0];
    return undefined;
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
