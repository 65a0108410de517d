// `node --import <this file>`: records every module specifier the process resolves, in the main thread
// and in worker threads (a worker inherits --import), one JSON line each to $FEATURESTORE_IMPORT_LOG.
// Tests read the log to prove what a built entry point does and does not load.
import { register } from 'node:module';

const log = process.env['FEATURESTORE_IMPORT_LOG'];
if (!log) throw new Error('FEATURESTORE_IMPORT_LOG must name the file the import recorder appends to');
register('./hooks.mjs', import.meta.url, { data: { log } });
