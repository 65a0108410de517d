// Worker entry of build-parallel.ts: registers tsx (a worker does not inherit the main thread's
// loader), then builds its share of the feature files and posts the results back.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readFeatureFile } = await import('../load/discover.ts');
const { buildFile } = await import('./build.ts');
const consumers = new Set(workerData.consumers);
const results = [];
for (const file of workerData.files) results.push(buildFile(await readFeatureFile(file), consumers));
parentPort.postMessage(results);
