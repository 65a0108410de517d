/**
 * Why a SQLite store path cannot be opened, found before opening it: better-sqlite3's own errors
 * ("unable to open database file", "file is not a database") name neither the path nor the fix. The
 * store writes (tables are created on open, WAL adds `-wal` and `-shm` files next to the database), so
 * the folder must exist and be writable, and an existing file must be a SQLite database or empty.
 * Checks what can be known cheaply; `describeSqliteOpenError` words whatever the open still reports.
 */
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import path from 'node:path';

/** Bytes 0..15 of every SQLite 3 database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export const SQLITE_PATH_PROBLEMS = {
  noFolder: (dir: string) => `folder ${dir} does not exist (create it first, or choose another path)`,
  folderIsFile: (dir: string) => `${dir} is a file, not a folder`,
  isFolder: (file: string) => `${file} is a folder, not a database file (pass a file path, e.g. ${path.join(file, 'featurestore.sqlite')})`,
  readOnlyFolder: (dir: string) =>
    `folder ${dir} is not writable (the store creates its tables and WAL files there; choose a writable folder)`,
  readOnlyFile: (file: string) => `${file} is not readable and writable by this user`,
  notDatabase: (file: string) => `${file} is not a SQLite database (point at a database file, or at a new path to create one)`,
  cannotOpen: (file: string, reason: string) => `cannot open ${file}: ${reason}`,
} as const;

/** A problem sentence, or null when the path looks usable. `:memory:` always is. */
export async function sqlitePathProblem(file: string): Promise<string | null> {
  if (file === ':memory:') return null;
  const dir = path.dirname(path.resolve(file));
  const folder = await stat(dir).catch(() => null);
  if (!folder) return SQLITE_PATH_PROBLEMS.noFolder(dir);
  if (!folder.isDirectory()) return SQLITE_PATH_PROBLEMS.folderIsFile(dir);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) return SQLITE_PATH_PROBLEMS.isFolder(file);
  // access() also refuses root for an immutable folder or a read-only mount, where chmod would not.
  if (!(await writable(dir))) return SQLITE_PATH_PROBLEMS.readOnlyFolder(dir);
  if (!existing) return null;
  if (!(await writable(file, constants.R_OK | constants.W_OK))) return SQLITE_PATH_PROBLEMS.readOnlyFile(file);
  if (existing.size > 0 && !(await hasSqliteHeader(file))) return SQLITE_PATH_PROBLEMS.notDatabase(file);
  return null;
}

async function writable(target: string, mode: number = constants.W_OK): Promise<boolean> {
  return access(target, mode).then(() => true, () => false);
}

async function hasSqliteHeader(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(SQLITE_HEADER);
  } finally {
    await handle.close();
  }
}

/** The open's own error as a sentence naming the file, when it is one of SQLite's open failures; else null. */
export function describeSqliteOpenError(file: string, error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^SQLITE_(CANTOPEN|NOTADB|READONLY|PERM|IOERR|CORRUPT|FULL|AUTH)/.test(code)) return null;
  return SQLITE_PATH_PROBLEMS.cannotOpen(file, error instanceof Error ? error.message : code);
}
