/** The CLI from source in a child process (`node --import tsx test/upsync/cli-child.ts upsync ...`), for the kill -9 tests. */
import { main } from '../../cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
