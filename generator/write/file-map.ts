/** What every emitter returns: output path (relative to the output folder, forward slashes) → file content. */
export type FileMap = ReadonlyMap<string, string>;

/** Merges emitter outputs; two emitters claiming one path is a programming error. */
export function mergeFileMaps(maps: readonly FileMap[]): Map<string, string> {
  const merged = new Map<string, string>();
  for (const map of maps) {
    for (const [path, content] of map) {
      if (merged.has(path)) throw new Error(`internal: two emitters produced ${path}`);
      merged.set(path, content);
    }
  }
  return merged;
}

/** A FileMap in sorted path order, so every consumer iterates deterministically. */
export function sortedEntries(map: FileMap): [string, string][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
