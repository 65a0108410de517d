/**
 * Parsing YAML is most of a large codegen run, and files are independent, so past a size threshold
 * the second half of the files is parsed and checked in a worker thread while this thread does the
 * first half. Results come back as plain data (IR and diagnostics) and are merged in file order, so
 * the output is the same as a sequential run, byte for byte.
 */
import { Worker } from 'node:worker_threads';
import { readFeatureFile, type FeatureFilePath } from '../load/discover.ts';
import { buildFile, type FileResult } from './build.ts';

/** Below this many bytes of YAML a worker's start-up costs more than it saves. */
export const PARALLEL_THRESHOLD_BYTES = 256 * 1024;

/** The worker starts ~0.3 s late (its own module loading), so it gets less than half. */
const WORKER_SHARE = 0.4;

export interface WorkerRequest {
  readonly files: readonly FeatureFilePath[];
  readonly consumers: readonly string[];
}

export async function buildFiles(files: readonly FeatureFilePath[], consumers: ReadonlySet<string>): Promise<FileResult[]> {
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  if (total < PARALLEL_THRESHOLD_BYTES || files.length < 2) return buildHere(files, consumers);
  // The first files, up to the main thread's share of the bytes, stay here; at least one goes each way.
  let bytes = 0;
  let split = 0;
  const mainShare = total * (1 - WORKER_SHARE);
  while (split < files.length - 1 && bytes + files[split]!.bytes <= mainShare) bytes += files[split++]!.bytes;
  split = Math.max(1, split);
  const [mine, theirs] = await Promise.all([
    buildHere(files.slice(0, split), consumers),
    buildInWorker({ files: files.slice(split), consumers: [...consumers] }),
  ]);
  return [...mine, ...theirs];
}

async function buildHere(files: readonly FeatureFilePath[], consumers: ReadonlySet<string>): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const file of files) results.push(buildFile(await readFeatureFile(file), consumers));
  return results;
}

/**
 * The worker's entry: the compiled build-worker.js beside this module in dist/; when this module is
 * itself TypeScript (tests, tsx), a small loader that registers tsx first. The check is on this
 * module's own URL, so no environment variable can send the built CLI to a loader it does not have.
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./build-worker-source.mjs', import.meta.url)
  : new URL('./build-worker.js', import.meta.url);

function buildInWorker(request: WorkerRequest): Promise<FileResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: request });
    worker.once('message', (results: FileResult[]) => {
      resolve(results);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`internal: YAML worker exited with code ${code}`));
    });
  });
}
