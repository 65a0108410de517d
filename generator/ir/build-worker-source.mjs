// The YAML worker when the TypeScript sources run as they are (vitest, tsx): a worker thread does not
// inherit the main thread's loader, so it registers tsx before loading build-worker.ts. The build never
// uses this file (dist/ holds build-worker.js, plain JavaScript), and tsx is a development dependency.
import { register } from 'tsx/esm/api';

register();
await import('./build-worker.ts');
