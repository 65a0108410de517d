/** Turns zod issues into diagnostics with a source position, a plain message and a hint. */
import type { z } from 'zod';
import { didYouMean, type Diagnostic } from '../diagnostics.ts';
import type { PathSegment, SourceFile } from '../load/source-file.ts';
import { describeValue, numberText } from './describe-value.ts';
import { KNOWN_KEYS } from './feature-spec.ts';

export interface IssueContext {
  readonly source: SourceFile;
  /** Path of the validated value inside the document. */
  readonly basePath: readonly PathSegment[];
  /** Full feature name, if a feature was validated. */
  readonly feature?: string;
  /** Known keys by the parent key under which an unknown key appeared. */
  readonly knownKeys?: (parentPath: readonly PathSegment[]) => readonly string[];
}

export function zodIssuesToDiagnostics(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): Diagnostic[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = (ctx.knownKeys ?? featureKnownKeys)(path);
      return issue.keys.map((key) =>
        at(ctx, [...path, key], 'key', `unknown key "${key}"`, didYouMean(key, known) ?? `allowed keys: ${known.join(', ')}`),
      );
    }
    const { message, hint } = describe(issue, ctx.source.scalarSource([...ctx.basePath, ...path]));
    const missing = isMissing(issue);
    return [at(ctx, path, missing ? 'parent' : 'value', message, hint)];
  });
}

/** @param source the offending scalar's text in the YAML, if it is a scalar */
function describe(issue: z.core.$ZodIssue, source: string | undefined): { message: string; hint?: string } {
  const key = String(issue.path[issue.path.length - 1] ?? 'value');
  if (isMissing(issue)) return { message: `missing required key "${key}"`, hint: `add ${key}: ...` };
  switch (issue.code) {
    case 'invalid_type':
      if (DURATION_KEYS.has(key) && typeof issue.input === 'number' && Number.isFinite(issue.input)) {
        // The message quotes the text as written (`1e3`); the hint needs digits a duration accepts.
        const digits = Number.isSafeInteger(issue.input) ? String(issue.input) : '30';
        return { message: `${key} needs a unit: ${numberText(issue.input, source)} of what?`, hint: `write e.g. ${digits}d or ${digits}s` };
      }
      // A number that is not finite fails a number check too (`1e400`, `.nan`): say which numbers are meant.
      const expected = issue.expected === 'number' && typeof issue.input === 'number' ? 'a finite number' : article(issue.expected);
      return { message: `${key} must be ${expected}, not ${kindOf(issue.input, source)}`, ...typeHint(issue.expected) };
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const got = String(issue.input);
      return {
        message: `${key} must be one of ${allowed.join(', ')}; got "${got}"`,
        hint: didYouMean(got, allowed) ?? `write one of ${allowed.join(', ')}`,
      };
    }
    case 'invalid_format':
      if (DURATION_KEYS.has(key)) {
        return { message: `${key} is not a duration: "${String(issue.input)}"`, hint: 'write an integer and a unit: 500ms, 30s, 1m, 12h, 7d' };
      }
      return { message: `${key} "${String(issue.input)}" has the wrong format`, hint: issue.message };
    case 'too_small':
      if (issue.origin === 'string') return { message: `${key} must not be empty` };
      return { message: `${key} must be at least ${String(issue.minimum)}${issue.inclusive === false ? ' (exclusive)' : ''}` };
    case 'too_big':
      return { message: `${key} must be at most ${String(issue.maximum)}` };
    default:
      return { message: `${key}: ${issue.message}` };
  }
}

const DURATION_KEYS = new Set(['retention', 'ttl', 'min_interval_by_key']);

/** With `reportInput`, a key that is absent shows up as an issue whose input is undefined. */
function isMissing(issue: z.core.$ZodIssue): boolean {
  return (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined;
}

function typeHint(expected: string): { hint?: string } {
  if (expected === 'object' || expected === 'record') return { hint: 'write a mapping of key: value lines, indented under this key' };
  if (expected === 'array') return { hint: 'write a list, e.g. [a, b]' };
  if (expected === 'boolean') return { hint: 'write true or false (without quotes)' };
  if (expected === 'string') return { hint: 'quote the value' };
  return {};
}

function article(expected: string): string {
  const name = expected === 'record' ? 'mapping' : expected === 'object' ? 'mapping' : expected === 'array' ? 'list' : expected;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** The value as messages name it; `source` is the scalar's text in the YAML, when known (describe-value.ts). */
export function kindOf(value: unknown, source?: string): string {
  return describeValue(value, source);
}

function featureKnownKeys(path: readonly PathSegment[]): readonly string[] {
  const parent = path[path.length - 1];
  if (path[0] === 'schema' && path.length === 2) return KNOWN_KEYS.field;
  if (parent === 'upsync') return KNOWN_KEYS.upsync;
  if (parent === 'downsync') return KNOWN_KEYS.downsync;
  if (parent === 'history') return ['max_events'];
  if (parent === 'cache') return ['ttl'];
  if (parent === 'access') return ['read', 'write'];
  return KNOWN_KEYS.feature;
}

function at(
  ctx: IssueContext,
  path: readonly PathSegment[],
  where: 'key' | 'value' | 'parent',
  message: string,
  hint?: string,
): Diagnostic {
  const full = [...ctx.basePath, ...path];
  const pos = where === 'parent' ? ctx.source.position(full.slice(0, -1), 'key') : ctx.source.position(full, where);
  const field = fieldLabel(path);
  return {
    file: ctx.source.file,
    line: pos.line,
    column: pos.column,
    ...(ctx.feature ? { feature: ctx.feature } : {}),
    ...(field ? { field } : {}),
    message,
    ...(hint ? { hint } : {}),
    severity: 'error',
  };
}

/** `schema.level.default_value` → `level`; `downsync.random_sampling_ratio` stays as it is. */
export function fieldLabel(path: readonly PathSegment[]): string | undefined {
  if (path[0] === 'schema' && path.length >= 2) return String(path[1]);
  return path.length > 0 ? path.map(String).join('.') : undefined;
}
