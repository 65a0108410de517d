// Module resolution hooks of the import recorder (see register.mjs). They run on Node's loader thread,
// so they append synchronously to the log file rather than message the main thread.
import { appendFileSync } from 'node:fs';

let log = '';

export function initialize(data) {
  log = data.log;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    const resolved = await nextResolve(specifier, context);
    appendFileSync(log, `${JSON.stringify({ specifier, url: resolved.url, parent: context.parentURL ?? null })}\n`);
    return resolved;
  } catch (e) {
    // A failed resolution is recorded too: "tried to load kafkajs" matters even when it is absent.
    appendFileSync(log, `${JSON.stringify({ specifier, url: null, parent: context.parentURL ?? null })}\n`);
    throw e;
  }
}
