import type { Diagnostic } from '../diagnostics.ts';
import type { PathSegment, SourceFile } from '../load/source-file.ts';
import { fieldLabel } from '../spec/zod-diagnostics.ts';

/** Collects diagnostics about one feature, positioned at YAML paths relative to the feature. */
export class FeatureReporter {
  constructor(
    readonly source: SourceFile,
    readonly feature: string,
    private readonly out: Diagnostic[],
  ) {}

  error(path: readonly PathSegment[], message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.push('error', path, message, hint, at);
  }

  warning(path: readonly PathSegment[], message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.push('warning', path, message, hint, at);
  }

  /** Raw source of a scalar under the feature (exact digits of big integers). */
  scalarSource(path: readonly PathSegment[]): string | undefined {
    return this.source.scalarSource([this.feature, ...path]);
  }

  line(path: readonly PathSegment[]): { line: number; column: number } {
    return this.source.position([this.feature, ...path], 'key');
  }

  private push(
    severity: Diagnostic['severity'],
    path: readonly PathSegment[],
    message: string,
    hint: string | undefined,
    at: 'key' | 'value',
  ): void {
    const pos = this.source.position([this.feature, ...path], at);
    const field = fieldLabel(path);
    this.out.push({
      file: this.source.file,
      line: pos.line,
      column: pos.column,
      feature: this.feature,
      ...(field ? { field } : {}),
      message,
      ...(hint ? { hint } : {}),
      severity,
    });
  }
}
