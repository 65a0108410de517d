import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../diagnostics.ts';
import { firstUnsafe, printable } from '../safe-text.ts';
import { MAX_FEATURE_FILES, MAX_FILE_BYTES, MAX_FOLDER_DEPTH } from './limits.ts';
import { SourceFile } from './source-file.ts';

export interface FeatureFilePath {
  /** Path to read. */
  readonly path: string;
  /** Path shown in diagnostics and preambles: relative to the working directory, forward slashes. */
  readonly display: string;
  readonly bytes: number;
  /** Why this entry cannot be read as a feature file; it is then reported instead of read. Plain data: it crosses to the worker. */
  readonly problem?: { readonly message: string; readonly hint: string };
}

export const DISCOVER_MESSAGES = {
  linkLeaves: (target: string) => `symbolic link points outside the features folder (to ${target})`,
  linkLeavesHint: 'copy the file into the features folder, or link to a file inside it',
  linkDangling: 'symbolic link points to nothing',
  linkDanglingHint: 'remove the link or restore its target',
  linkLoop: 'symbolic link makes a loop (it points to a folder that contains it)',
  linkLoopHint: 'remove the link',
  tooDeep: `folders are nested more than ${MAX_FOLDER_DEPTH} levels deep`,
  tooDeepHint: 'flatten the features folder',
  unreadable: (reason: string) => `cannot read: ${reason}`,
  unreadableHint: 'check the file permissions (the file must be readable by the user running codegen)',
  tooLarge: (bytes: number) => `the file is ${bytes} bytes; at most ${MAX_FILE_BYTES} are allowed`,
  tooLargeHint: 'split it into several files (one per namespace or per feature)',
  unsafeName: (escaped: string) => `the file name contains the control or invisible character ${escaped}`,
  unsafeNameHint: 'rename the file: names are copied into every generated file',
} as const;

/**
 * Every `*.yaml`/`*.yml` under a folder (nested), in a stable order. Symbolic links are followed
 * while they stay inside the folder; links that leave it, dangle or loop are reported, never
 * skipped (a skipped file would silently delete its feature's generated files).
 */
export async function listFeatureFiles(dir: string, cwd = process.cwd()): Promise<FeatureFilePath[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`features folder not found: ${dir} (pass --features DIR, or create ${dir}/ with one YAML file per namespace)`);
  }
  const root = await realpath(dir);
  const found: FeatureFilePath[] = [];
  const entry = async (file: string, problem?: FeatureFilePath['problem']): Promise<void> => {
    if (found.length >= MAX_FEATURE_FILES) throw new UsageError(`more than ${MAX_FEATURE_FILES} feature files under ${dir}; split the project`);
    const display = toDisplayPath(file, cwd);
    const unsafe = firstUnsafe(path.relative(dir, file));
    const named = unsafe && !problem ? { message: DISCOVER_MESSAGES.unsafeName(unsafe.escaped), hint: DISCOVER_MESSAGES.unsafeNameHint } : problem;
    const bytes = named ? 0 : ((await stat(file).catch(() => undefined))?.size ?? 0);
    found.push({ path: file, display, bytes, ...(named ? { problem: named } : {}) });
  };
  const walk = async (folder: string, ancestors: readonly string[]): Promise<void> => {
    if (ancestors.length > MAX_FOLDER_DEPTH) return entry(folder, { message: DISCOVER_MESSAGES.tooDeep, hint: DISCOVER_MESSAGES.tooDeepHint });
    const entries = await readdir(folder, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => e);
    if (entries instanceof Error) return entry(folder, { message: DISCOVER_MESSAGES.unreadable(reason(entries)), hint: DISCOVER_MESSAGES.unreadableHint });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(folder, e.name);
      const isYaml = /\.ya?ml$/.test(e.name);
      if (e.isDirectory()) await walk(full, [...ancestors, await realpath(full)]);
      else if (e.isFile()) {
        if (isYaml) await entry(full);
      } else if (e.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        const targetInfo = target && (await stat(target).catch(() => undefined));
        if (!target || !targetInfo) {
          if (isYaml) await entry(full, { message: DISCOVER_MESSAGES.linkDangling, hint: DISCOVER_MESSAGES.linkDanglingHint });
        } else if (!isInside(root, target)) {
          if (isYaml || targetInfo.isDirectory()) await entry(full, { message: DISCOVER_MESSAGES.linkLeaves(printable(target)), hint: DISCOVER_MESSAGES.linkLeavesHint });
        } else if (targetInfo.isDirectory()) {
          if (target === root || ancestors.includes(target)) await entry(full, { message: DISCOVER_MESSAGES.linkLoop, hint: DISCOVER_MESSAGES.linkLoopHint });
          else await walk(full, [...ancestors, target]);
        } else if (targetInfo.isFile() && isYaml) await entry(full);
      }
    }
  };
  await walk(dir, [root]);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Reads one file; an unreadable, over-large or non-UTF-8 file becomes a diagnostic at its 1:1, not an exception. */
export async function readFeatureFile(file: FeatureFilePath): Promise<SourceFile> {
  const fail = (message: string, hint: string) => new SourceFile(file.display, '', [{ file: file.display, line: 1, column: 1, message, hint, severity: 'error' }]);
  if (file.problem) return fail(file.problem.message, file.problem.hint);
  if (file.bytes > MAX_FILE_BYTES) return fail(DISCOVER_MESSAGES.tooLarge(file.bytes), DISCOVER_MESSAGES.tooLargeHint);
  const bytes = await readFile(file.path).catch((e: NodeJS.ErrnoException) => e);
  if (bytes instanceof Error) return fail(DISCOVER_MESSAGES.unreadable(reason(bytes)), DISCOVER_MESSAGES.unreadableHint);
  // The size can change between stat and read.
  if (bytes.length > MAX_FILE_BYTES) return fail(DISCOVER_MESSAGES.tooLarge(bytes.length), DISCOVER_MESSAGES.tooLargeHint);
  return SourceFile.fromBytes(file.display, bytes);
}

/** Every feature file, parsed. */
export async function loadFeatureFiles(dir: string, cwd = process.cwd()): Promise<SourceFile[]> {
  return Promise.all((await listFeatureFiles(dir, cwd)).map(readFeatureFile));
}

/** Relative to the working directory when inside it, with forward slashes, so output is the same on every machine. */
export function toDisplayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, path.resolve(file));
  return (isOutside(rel) ? path.resolve(file) : rel).split(path.sep).join('/');
}

export function isInside(parent: string, child: string): boolean {
  return !isOutside(path.relative(parent, child));
}

/** A relative path that climbs out (`..`, `../x`) or cannot be relative at all (another drive). */
function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}

function reason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a folder';
    default:
      return e.code ?? e.message;
  }
}
