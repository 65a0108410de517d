/**
 * `featurestore <args>` from the TypeScript sources, for the downsync benchmark's child processes (the
 * worker, the Read API). The same `main` as bin/featurestore.mjs, loaded through tsx rather than from
 * dist/: other work edits the sources while the benchmark runs, and the binary refuses a stale dist/.
 * tsx costs only at module load (a few hundred ms, outside every measured window); the running code is
 * the same JavaScript.
 */
import { main } from '../../../cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
