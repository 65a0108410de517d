/** Runs one CLI invocation in this process and reports its peak memory, for the codegen benchmark. */
import { main } from '../../cli/main.ts';

const code = await main(process.argv.slice(2), { out: () => {}, err: (t) => process.stderr.write(t) });
process.stdout.write(JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
