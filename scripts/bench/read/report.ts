/** The benchmark's printed tables: figures, the targets they are held against, and ratios to the raw ceilings. */
import type { SizeRow } from './avro-sizes.ts';
import type { CaseResult } from './measure.ts';

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function resultTable(results: readonly CaseResult[], ceilings: ReadonlyMap<string, CaseResult>): string {
  const header = ['case', 'ops/s', 'p50 ms', 'p99 ms', 'errors', 'vs ceiling'];
  const rows = results.map((r) => {
    const ceiling = r.note ? ceilings.get(r.note) : undefined;
    const ratio = ceiling ? `${fmt((100 * r.rate) / ceiling.rate, 0)} % of ${ceiling.name}` : '';
    return [r.name, fmt(r.rate, 0), fmt(r.p50, 3), fmt(r.p99, 3) + (r.autocannonP99 !== undefined ? ` (ac ${r.autocannonP99})` : ''), String(r.errors), ratio];
  });
  return textTable([header, ...rows]);
}

export interface Target {
  readonly what: string;
  readonly goal: string;
  readonly actual: string;
  readonly met: boolean;
}

export function targetTable(targets: readonly Target[]): string {
  return textTable([['target', 'goal', 'measured', 'met'], ...targets.map((t) => [t.what, t.goal, t.actual, t.met ? 'yes' : 'NO'])]);
}

export function sizeTable(rows: readonly SizeRow[]): string {
  return textTable([
    ['feature', 'Avro bytes', 'JSON bytes', 'saved'],
    ...rows.map((r) => [r.feature, String(r.avroBytes), String(r.jsonBytes), `${fmt(100 * r.saved, 0)} %`]),
  ]);
}

/** Columns padded to their widest cell, the first left-aligned, the others right-aligned, a rule under the header. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export { fmt };
