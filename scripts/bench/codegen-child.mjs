// One CLI invocation of the built featurestore (dist/, as a user runs it: no TypeScript loader) in
// this process, reporting its peak memory, for the codegen benchmark.
import { main } from '../../dist/cli/main.js';

const code = await main(process.argv.slice(2), { out: () => {}, err: (t) => process.stderr.write(t) });
process.stdout.write(JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
