/**
 * The quarantine of rows upsync cannot write: a JSONL file per feature table (appended, never
 * truncated), one object per row with the feature, the run id, the reason, the column, the row as
 * JSON-safe values and its update time, so an operator can see what was refused, fix the SQL, and rerun.
 * A file rather than a table: it needs no schema (the row is what was wrong), works the same beside
 * every store, and is easy to grep. Appends are serialised per file; each page's refused rows are one
 * write, and the page counts as done only once that write returned.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { OfflineValues } from '../offline/offline-store.ts';

export interface QuarantineEntry {
  readonly feature: string;
  readonly runId: string;
  readonly reason: string;
  readonly column: string;
  readonly row: Readonly<Record<string, unknown>>;
  readonly updatedAt: string | null;
}

export interface QuarantineSink {
  /** Where entries go, for the summary and messages. */
  readonly where: string;
  write(entries: readonly QuarantineEntry[]): Promise<void>;
}

export class JsonlQuarantine implements QuarantineSink {
  private queue: Promise<unknown> = Promise.resolve();
  private madeFolder = false;

  constructor(readonly where: string) {}

  write(entries: readonly QuarantineEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const run = this.queue.then(async () => {
      if (!this.madeFolder) {
        await mkdir(path.dirname(path.resolve(this.where)), { recursive: true });
        this.madeFolder = true;
      }
      await appendFile(this.where, text, 'utf8');
    });
    this.queue = run.catch(() => {});
    return run;
  }
}

/** Offline values as JSON can hold them: bigint → decimal text, bytes → base64, times → ISO text, non-finite numbers → text. */
export function jsonSafeValues(values: OfflineValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = jsonSafe(v);
  return out;
}

export function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(jsonSafe);
  return value;
}
