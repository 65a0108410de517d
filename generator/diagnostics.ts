/**
 * Errors are data: every problem found in the feature definitions becomes a Diagnostic,
 * all of them are collected in one run, and the CLI prints them one per line.
 */
import { printable, quoted } from './safe-text.ts';

export interface Diagnostic {
  /** Path relative to the working directory, forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Full feature name, when the problem belongs to one. */
  readonly feature?: string;
  /** Field name (or option path such as `downsync.random_sampling_ratio`). */
  readonly field?: string;
  readonly message: string;
  readonly hint?: string;
  /** `error` stops codegen; `warning` is printed and codegen goes on. */
  readonly severity: 'error' | 'warning';
}

/** Longest message or hint printed; a longer one quotes far too much of the input. */
const MAX_PRINTED_PART = 1_000;

/**
 * `path/file.yaml:LINE:COL feature.field: message (hint: ...)`, always one line: every part is made
 * printable, so a name holding a newline or an escape sequence cannot forge a second diagnostic.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const feature = d.feature === undefined ? undefined : quoted(d.feature);
  const field = d.field === undefined ? undefined : quoted(d.field);
  const subject = feature ? ` ${feature}${field ? `.${field}` : ''}:` : field ? ` ${field}:` : '';
  const prefix = d.severity === 'warning' ? ' warning:' : '';
  const hint = d.hint ? ` (hint: ${quoted(d.hint, MAX_PRINTED_PART)})` : '';
  return `${printable(d.file)}:${d.line}:${d.column}${prefix}${subject} ${quoted(d.message, MAX_PRINTED_PART)}${hint}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown for problems that are not about the definitions (unreadable folder, bad flag); the CLI prints the message only. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string) {
    // Usage errors quote paths and flags the user typed: one printable line, always.
    super(printable(message));
  }
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, case-insensitively. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    // A prefix (Integer → Int) is as good a guess as a typo.
    const d = w.startsWith(lc) || lc.startsWith(w) ? 1 : distance(w, lc);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const c = closest(word, candidates);
  return c ? `did you mean ${c}?` : undefined;
}
