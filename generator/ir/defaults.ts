/**
 * Checks a YAML `default_value` against its field type and normalises it to the IR's exact form.
 * Long and Timestamp never pass through a JS number: their digits come from the YAML source.
 */
import type { FieldType, ScalarType } from '../../core/field-types.ts';
import type { DefaultScalar, DefaultValue } from './types.ts';
import { numberText } from '../spec/describe-value.ts';
import { kindOf } from '../spec/zod-diagnostics.ts';

export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;
export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;
const FLOAT_MAX = 3.4028234663852886e38;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type DefaultCheck = { ok: true; value: DefaultValue } | { ok: false; message: string; hint?: string };

/**
 * @param raw the value as YAML parsed it
 * @param source the raw scalar text(s): one string for a scalar, one per element for a list
 */
export function checkDefault(type: FieldType, raw: unknown, source: (index?: number) => string | undefined): DefaultCheck {
  if (raw === null) return { ok: true, value: null };
  if (type.kind === 'scalar') return checkScalar(type.scalar, raw, source());
  if (!Array.isArray(raw)) {
    return { ok: false, message: `default_value must be a list for List<${type.element}>, not ${kindOf(raw)}`, hint: 'write [] or [a, b]' };
  }
  const values: DefaultScalar[] = [];
  for (const [i, element] of raw.entries()) {
    if (element === null) return { ok: false, message: `default_value[${i}]: list elements cannot be null` };
    const c = checkScalar(type.element, element, source(i));
    if (!c.ok) return { ...c, message: `default_value[${i}]: ${c.message}` };
    values.push(c.value as DefaultScalar);
  }
  return { ok: true, value: values };
}

function checkScalar(type: ScalarType, raw: unknown, source: string | undefined): DefaultCheck {
  const fail = (message: string, hint?: string): DefaultCheck => ({ ok: false, message, ...(hint ? { hint } : {}) });
  switch (type) {
    case 'Text':
      return typeof raw === 'string' ? { ok: true, value: raw } : fail(`default_value must be a string for Text, not ${kindOf(raw, source)}`, 'quote it: "..."');
    case 'Boolean':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : fail(`default_value must be true or false for Boolean, not ${kindOf(raw, source)}`);
    case 'Int':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return fail(`default_value must be an integer for Int, not ${kindOf(raw, source)}`);
      return raw < INT_MIN || raw > INT_MAX
        ? fail(`default_value ${numberText(raw, source)} is outside the Int range (${INT_MIN} to ${INT_MAX})`, 'use type: Long for 64-bit integers')
        : { ok: true, value: raw };
    case 'Long':
      return checkLong(raw, source, 'Long');
    case 'Double':
    case 'Float': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return fail(`default_value must be a finite number for ${type}, not ${kindOf(raw, source)}`);
      if (type === 'Float' && Math.abs(raw) > FLOAT_MAX) return fail(`default_value ${numberText(raw, source)} is outside the Float range`, 'use type: Double');
      return { ok: true, value: raw };
    }
    case 'Timestamp': {
      if (typeof raw === 'number') {
        const c = checkLong(raw, source, 'Timestamp');
        const ms = c.ok && typeof c.value === 'string' ? BigInt(c.value) : 0n;
        if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
          return fail(`default_value ${ms} is outside the range a Timestamp can represent (±${MAX_DATE_MS} ms around 1970, the JavaScript Date range)`);
        }
        return c;
      }
      if (typeof raw === 'string' && ISO_TIMESTAMP.test(raw)) {
        const problem = calendarProblem(raw);
        if (problem) return fail(`default_value "${raw}" is not a valid timestamp: ${problem}`, 'e.g. "2024-02-29T00:00:00Z"');
        const ms = Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
        if (!Number.isNaN(ms)) return { ok: true, value: String(ms) };
      }
      return fail(`default_value must be an ISO-8601 timestamp or epoch milliseconds for Timestamp, not ${kindOf(raw, source)}`, 'e.g. "1970-01-01T00:00:00Z"');
    }
    case 'Bytes':
      if (raw instanceof Uint8Array) return { ok: true, value: Buffer.from(raw).toString('base64') };
      return typeof raw === 'string' && BASE64.test(raw)
        ? { ok: true, value: raw }
        : fail(`default_value must be base64 text for Bytes, not ${kindOf(raw, source)}`, 'e.g. "" or "aGVsbG8=" (or !!binary)');
  }
}

/** Date's range: ±100,000,000 days around the epoch; a Timestamp default must be a `Date`. */
const MAX_DATE_MS = 8_640_000_000_000_000n;

/**
 * Date.parse rolls impossible dates over (2024-02-30 → March 1st), so the calendar fields are
 * checked first: month, day of that month (leap years included), hours, minutes, seconds, offset.
 */
function calendarProblem(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return 'not an ISO-8601 date';
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  if (month! < 1 || month! > 12) return `month ${month} does not exist`;
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (day! < 1 || day! > daysInMonth) return `day ${day} does not exist in ${year}-${String(month).padStart(2, '0')} (it has ${daysInMonth} days)`;
  if (hour > 23 || minute > 59 || second > 59) return 'the time of day is out of range';
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return 'the UTC offset is out of range';
  return undefined;
}

function checkLong(raw: unknown, source: string | undefined, type: 'Long' | 'Timestamp'): DefaultCheck {
  // The digits come from the source text; without one (no scalar at the path), a safe integer is
  // still exact as parsed, and anything larger cannot be trusted to be.
  const text = typeof raw !== 'number' ? undefined : (source?.trim() ?? (Number.isSafeInteger(raw) ? String(raw) : undefined));
  if (text === undefined || !/^[-+]?(?:[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$/.test(text)) {
    // `1e3` is an integer written as a float: say which digits to write instead.
    const hint = typeof raw === 'number' && Number.isSafeInteger(raw) ? `write it as digits: ${raw}` : 'write the number without quotes or decimals';
    return { ok: false, message: `default_value must be an integer for ${type}, not ${kindOf(raw, source)}`, hint };
  }
  const negative = text.startsWith('-');
  const magnitude = BigInt(text.replace(/^[-+]/, ''));
  const value = negative ? -magnitude : magnitude;
  if (value < LONG_MIN || value > LONG_MAX) {
    return { ok: false, message: `default_value ${text} does not fit in 64 bits (${type} is a signed 64-bit integer)`, hint: `use a value between ${LONG_MIN} and ${LONG_MAX}` };
  }
  return { ok: true, value: value.toString() };
}
