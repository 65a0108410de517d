/** The diagnostic a validation case expects, found among the reported ones (shared by the invalid and hostile input suites). */
import type { Diagnostic } from '../../generator/diagnostics.ts';
import type { ExpectedDiagnostic } from './cases.ts';

function matches(actual: string | undefined, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? actual === expected : actual !== undefined && expected.test(actual);
}

export function findExpected(errors: readonly Diagnostic[], want: ExpectedDiagnostic): Diagnostic | undefined {
  return errors.find(
    (d) =>
      d.line === want.line &&
      d.column === want.column &&
      matches(d.message, want.message) &&
      matches(d.hint, want.hint) &&
      (want.field === undefined || d.field === want.field) &&
      (want.feature === undefined || d.feature === want.feature),
  );
}

/** For the failure message: the expectation with its regular expressions readable. */
export function describeExpected(want: ExpectedDiagnostic, errors: readonly Diagnostic[]): string {
  return `expected ${JSON.stringify(want, (_k, v) => (v instanceof RegExp ? String(v) : v))}\nin ${JSON.stringify(errors, null, 1)}`;
}
