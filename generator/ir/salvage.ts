/**
 * When a feature fails the shape check, the parts that failed are set aside and the rest is
 * checked anyway, so one run reports every problem rather than one layer at a time.
 */
import type { z } from 'zod';

export interface Salvaged {
  readonly value: Record<string, unknown>;
  /** True when fields or the feature type were set aside: rules about what is missing must stay quiet. */
  readonly droppedFields: boolean;
}

/** Without a valid feature_type or schema nothing useful can be checked. */
const VITAL = new Set(['schema']);

export function salvage(input: unknown, issues: readonly z.core.$ZodIssue[]): Salvaged | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const value: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  const schema = value['schema'];
  const fields: Record<string, unknown> | undefined =
    typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? { ...(schema as Record<string, unknown>) } : undefined;
  let droppedFields = false;
  for (const issue of issues) {
    const [top, second] = issue.path;
    if (top === undefined) {
      if (issue.code !== 'unrecognized_keys') return undefined;
      for (const key of issue.keys) delete value[key];
    } else if (top === 'schema' && second !== undefined && fields) {
      delete fields[String(second)];
      droppedFields = true;
    } else if (typeof top === 'string' && VITAL.has(top)) {
      return undefined;
    } else if (top === 'feature_type') {
      value['feature_type'] = 'Object';
      droppedFields = true;
    } else if (top === 'owner') {
      value['owner'] = '?';
    } else {
      delete value[String(top)];
    }
  }
  if (fields) value['schema'] = fields;
  return { value, droppedFields };
}
