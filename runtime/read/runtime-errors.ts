/** Messages of the online runtime's own errors (input errors of the by-name API, a missing manifest). */

/** Where createOnlineRuntime looks for manifest.json when `generatedDir` is not given. */
export const DEFAULT_GENERATED_DIR = 'generated';

export const RUNTIME_ERRORS = {
  eventCount: (n: unknown, max: number | null) => `n must be an integer from 1 to ${max ?? 'any'}, got ${String(n)}`,
  timeRange: (from: unknown, to: unknown) => `expected valid Dates with from <= to, got ${String(from)} .. ${String(to)}`,
  notAnArray: (what: string) => `${what} must be an array`,
  notARow: (where: string) => `each row must be an object { key, value }${where}`,
  unencodable: (problem: string, where: string) => `the value does not fit the feature's Avro schema: ${problem}${where}`,
  noManifest: (file: string) =>
    `no feature manifest at ${file}: pass createOnlineRuntime({ generatedDir }) the folder featurestore codegen writes (run featurestore codegen first)`,
  noDefaultManifest: (file: string, cwd: string) =>
    `no feature manifest at ${file} (generatedDir defaults to "${DEFAULT_GENERATED_DIR}" under the working folder ${cwd}): pass createOnlineRuntime({ generatedDir }) the folder featurestore codegen writes, e.g. new URL('../generated/', import.meta.url)`,
} as const;
