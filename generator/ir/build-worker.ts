/**
 * Worker entry of build-parallel.ts: builds its share of the feature files and posts the results
 * back. Compiled to dist/generator/ir/build-worker.js like every other module; when the sources run
 * directly (tests), build-worker-source.mjs loads this file through tsx instead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFeatureFile } from '../load/discover.ts';
import type { WorkerRequest } from './build-parallel.ts';
import { buildFile, type FileResult } from './build.ts';

const request = workerData as WorkerRequest;
const consumers = new Set(request.consumers);
const results: FileResult[] = [];
for (const file of request.files) results.push(buildFile(await readFeatureFile(file), consumers));
parentPort?.postMessage(results);
