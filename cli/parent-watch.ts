/**
 * Stopping with the npm wrapper. `npx featurestore serve` and `npm run`/`npm start` scripts run the CLI
 * under `sh -c`; npm forwards SIGTERM to that shell, which dies of it without passing it on (dash does
 * not exec its last command), and the server would keep running as an orphan holding its port. Node has
 * no parent-death signal (Linux's PR_SET_PDEATHSIG needs a native addon), so when npm started the
 * process it polls its parent id and stops, as on SIGTERM, once the parent is gone.
 *
 * Only under npm (it sets `npm_lifecycle_event` for scripts and `npx`; pnpm and yarn do too): a server
 * started as `nohup featurestore serve &` from a shell that then exits is meant to outlive its parent.
 */

/** How often the parent id is read (one getppid call; the timer does not keep the process alive). */
export const PARENT_POLL_MS = 200;

export function startedByPackageManager(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['npm_lifecycle_event'] !== undefined;
}

/** Calls `onGone` once when the parent process changes (it died; we were re-parented). Returns a stop function. */
export function watchParent(onGone: () => void, pollMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
