/**
 * A writer in a process of its own, for cache-lost-invalidation.test.ts: an online runtime over the
 * test's SQLite file and Redis, driven by lines on stdin (`put <level>`, `exit`), answering one JSON line
 * per command on stdout. It prints `{"ready":true}` once the runtime is open (with or without Redis).
 */
import { createInterface } from 'node:readline';
import { createOnlineRuntime } from '../../runtime/index.ts';

const [dbPath, redisUrl] = process.argv.slice(2);
if (!dbPath || !redisUrl) throw new Error('usage: cache-writer-process.ts <sqlite path> <redis url>');

const runtime = await createOnlineRuntime({ generatedDir: 'generated', store: { kind: 'sqlite', path: dbPath }, cache: { redisUrl } });
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
say({ ready: true });

for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(' ');
  if (command === 'exit') break;
  if (command !== 'put' || arg === undefined) {
    say({ ok: false, name: 'UsageError', message: `unknown command ${line}` });
    continue;
  }
  const started = performance.now();
  try {
    await runtime.put('upsync-worker', 'live::hakuna-host-stat-v1', [
      { key: { user_id: '1001' }, value: { gender: 'FEMALE', level: BigInt(arg), country_code: 'KR', birthday: '1999-03-04' } },
    ]);
    say({ ok: true, ms: performance.now() - started });
  } catch (e) {
    const error = e as Error & { code?: unknown };
    say({ ok: false, name: error.name, code: error.code, message: error.message, ms: performance.now() - started });
  }
}
await runtime.close();
