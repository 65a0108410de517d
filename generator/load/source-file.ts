import { isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { KeyChecks, type KeyCheckOptions } from './key-checks.ts';
import { YamlPaths } from './yaml-paths.ts';
import { contentDiagnostics, type ContentProblems } from './content-checks.ts';
import { MAX_ALIAS_COUNT } from './limits.ts';

export const SOURCE_MESSAGES = {
  notUtf8: 'the file is not valid UTF-8',
  notUtf8Hint: 'save it as UTF-8 (every artifact is UTF-8; invalid bytes would become U+FFFD)',
  aliasBomb: `the YAML expands too many aliases (more than ${MAX_ALIAS_COUNT}); this looks like an alias bomb`,
  aliasBombHint: 'write the values out, or use fewer *aliases',
  toJsFailed: 'the YAML cannot be read as data',
} as const;

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One parsed YAML file that can answer "where is this path?" for diagnostics. */
export class SourceFile {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  /** Problems found before parsing (unreadable, not UTF-8): the file is then read as empty. */
  readonly inputDiagnostics: readonly Diagnostic[];

  constructor(
    /** Path relative to the working directory, forward slashes. */
    readonly file: string,
    readonly text: string,
    inputDiagnostics: readonly Diagnostic[] = [],
  ) {
    this.inputDiagnostics = inputDiagnostics;
    // logLevel 'error': the library would print its warnings to the terminal itself; they are
    // collected from doc.warnings and reported as diagnostics instead.
    // uniqueKeys false: the parser's own check is quadratic in a map's size; syntaxDiagnostics()
    // finds repeated keys in one linear walk instead (key-checks.ts).
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false, prettyErrors: true, logLevel: 'error' });
  }

  /** Decodes strictly: invalid UTF-8 is a diagnostic at the first bad byte, never a silent U+FFFD. */
  static fromBytes(file: string, bytes: Uint8Array): SourceFile {
    try {
      return new SourceFile(file, new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      const { line, column } = firstInvalidUtf8(bytes);
      return new SourceFile(file, '', [{ file, line, column, message: SOURCE_MESSAGES.notUtf8, hint: SOURCE_MESSAGES.notUtf8Hint, severity: 'error' }]);
    }
  }

  /** Unsupported tags, dangling aliases, `__proto__` keys, control characters, over-long strings. */
  contentDiagnostics(): ContentProblems {
    return contentDiagnostics(this.file, this.text, this.doc, (offset) => {
      const { line, col } = this.lines.linePos(offset);
      return { line, column: col };
    });
  }

  /**
   * The document as plain data, or the diagnostic that explains why it cannot be: the library
   * throws on alias bombs (resource exhaustion) and on aliases it cannot resolve.
   */
  toJS(): { ok: true; value: unknown } | { ok: false; diagnostic: Diagnostic } {
    try {
      return { ok: true, value: this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
    } catch (e) {
      const bomb = e instanceof Error && /alias count/i.test(e.message);
      const message = bomb ? SOURCE_MESSAGES.aliasBomb : `${SOURCE_MESSAGES.toJsFailed}: ${e instanceof Error ? e.message : String(e)}`;
      return { ok: false, diagnostic: { file: this.file, line: 1, column: 1, message, hint: SOURCE_MESSAGES.aliasBombHint, severity: 'error' } };
    }
  }

  /**
   * YAML syntax errors, keys written twice (at the repeat, naming the first; messages start with
   * "duplicate key") and complex keys, as diagnostics.
   */
  syntaxDiagnostics(options: KeyCheckOptions = {}): Diagnostic[] {
    if (this.inputDiagnostics.length > 0) return [...this.inputDiagnostics];
    const errors = this.doc.errors.map((e): Diagnostic => {
      const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
      return {
        file: this.file,
        line: pos.line,
        column: pos.col,
        message: `YAML syntax error: ${firstLine(e.message)}`,
        hint: 'check indentation, quotes and brackets near this position',
        severity: 'error',
      };
    });
    const keys = new KeyChecks(this.file, this.doc, this.paths, (offset) => this.positionAt(offset), options);
    return [...errors, ...keys.duplicates, ...keys.complexKeys];
  }

  /** The node at a path of map keys and sequence indexes, or undefined. */
  node(path: readonly PathSegment[]): Node | undefined {
    return this.paths.node(path);
  }

  /** Path lookups through a per-map key index (yaml-paths.ts), made on first use: linear in the path, not the map. */
  private get paths(): YamlPaths {
    this.pathIndex ??= new YamlPaths(this.doc);
    return this.pathIndex;
  }

  private pathIndex: YamlPaths | undefined;

  /** Line and column of a source offset. */
  positionAt(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
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

  /** The source offset of a line and column (1-based), as diagnostics give them. */
  offsetOf(line: number, column: number): number {
    return (this.lines.lineStarts[line - 1] ?? 0) + column - 1;
  }

  /**
   * The raw source text of a scalar (exact digits of a big integer), if the path holds a scalar.
   * Aliases are followed (`likes: *counter`): the value toJS() gave is the anchored scalar's.
   */
  scalarSource(path: readonly PathSegment[]): string | undefined {
    const node = this.paths.node(path, true);
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  private keyOffset(path: readonly PathSegment[]): number | undefined {
    return this.paths.keyNode(path)?.range?.[0];
  }
}

/** Line and column (in characters) of the first byte that breaks UTF-8. */
function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  let lo = 0;
  let hi = bytes.length;
  // The longest prefix with no invalid byte (an incomplete last sequence is allowed: stream mode),
  // by bisection: log n decodes, each with a fresh decoder.
  const valid = (n: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  // Stream mode keeps an incomplete last sequence back instead of counting it as a character.
  const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, lo), { stream: true });
  const lines = prefix.split('\n');
  return { line: lines.length, column: [...(lines[lines.length - 1] ?? '')].length + 1 };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
