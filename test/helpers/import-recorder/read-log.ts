/** Reads what test/helpers/import-recorder/register.mjs recorded. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const IMPORT_RECORDER = path.resolve('test/helpers/import-recorder/register.mjs');

export interface RecordedImport {
  readonly specifier: string;
  /** null when the specifier did not resolve. */
  readonly url: string | null;
  readonly parent: string | null;
}

export async function readImportLog(file: string): Promise<RecordedImport[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedImport);
}
