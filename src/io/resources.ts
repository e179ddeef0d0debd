/**
 * Lifetime without __gc: the outward objects moonbridge_io creates
 * (connections it opened, listeners, child processes) are registered here
 * and released (closed, reset, killed and reaped) when the handler run that
 * created them ends, or when the worker exits. Objects created in the main
 * chunk (in the master, before forking) belong to no run and live on.
 */

/** Something to clean up: release() must not throw and must be idempotent. */
export interface Resource {
  release(): void;
}

/** Resources of the handler run in progress (null outside one), and of the worker (prepare handler). */
let runScope: Set<Resource> | null = null;
let workerScope: Set<Resource> | null = null;

/** Registers r in the current scope; returns the function that forgets it (when the app closed it itself). */
export function trackResource(r: Resource): () => void {
  const scope = runScope ?? workerScope;
  scope?.add(r);
  return () => { scope?.delete(r); };
}

function releaseAll(scope: Set<Resource>): void {
  for (const r of [...scope]) {
    try {
      r.release();
    } catch {
      // cleaning up what is left: an error here has no one to go to
    }
  }
  scope.clear();
}

/** The worker starts: what prepare creates lives until the worker exits. */
export function beginWorkerScope(): void {
  workerScope = new Set();
}

/** A handler run (a connection, an interval or main run) starts. */
export function beginRunScope(): void {
  runScope = new Set();
}

/** The handler run ended: release what it left open. */
export function endRunScope(): void {
  const scope = runScope;
  runScope = null;
  if (scope !== null) releaseAll(scope);
}

/** The worker exits: release the run's and the worker's leftovers. */
export function endWorkerScopes(): void {
  endRunScope();
  const scope = workerScope;
  workerScope = null;
  if (scope !== null) releaseAll(scope);
}
