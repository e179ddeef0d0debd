/**
 * Things a freshly forked worker must drop before it runs the app: the
 * master's PID file and log file descriptors (and their flock locks). The
 * command line registers closers; Master.becomeWorker runs them first thing.
 */

const cleanups: Array<() => void> = [];

/** Registers fn to run in every worker right after the fork. */
export function registerChildCleanup(fn: () => void): void {
  cleanups.push(fn);
}

/** Runs the registered cleanups (in a new worker); a failing one does not stop the rest. */
export function runChildCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the worker goes on without it
    }
  }
}
