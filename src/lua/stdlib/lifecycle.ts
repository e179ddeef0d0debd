/**
 * How the process ends, for the standard library: os.exit and the server's
 * own exits flush every Lua file first (C's exit() flushes stdio; a worker
 * that _exit()s must do it by hand), and the master flushes before every
 * fork so that a buffered write is not duplicated into the child.
 *
 * The io library registers its flush and close steps here; the server sets
 * how the process really ends (the master removes its PID file and exits,
 * a worker _exit()s).
 */

type Step = () => void;

const flushSteps: Step[] = [];
const workerExitSteps: Step[] = [];

/** Registers a step that flushes buffered output (run before fork and exit). */
export function onFlush(step: Step): void {
  flushSteps.push(step);
}

/** Registers a step that runs when a worker process ends (closing what it opened). */
export function onWorkerExit(step: Step): void {
  workerExitSteps.push(step);
}

function runAll(steps: readonly Step[]): void {
  for (const step of steps) {
    try {
      step();
    } catch {
      // the process is ending or forking: one failing step must not stop the others
    }
  }
}

/** Flushes every buffered Lua file (stdout included). */
export function flushAll(): void {
  runAll(flushSteps);
}

/** Runs the worker-exit steps (flushing included). */
export function finishWorker(): void {
  runAll(flushSteps);
  runAll(workerExitSteps);
}

export type ProcessExit = (code: number) => never;

let exitImpl: ProcessExit = (code) => process.exit(code);

/** Sets how os.exit ends this process (after flushing). */
export function setProcessExit(fn: ProcessExit): void {
  exitImpl = fn;
}

/** os.exit: flushes every Lua file, then ends the process with code as the server decided. */
export function exitProcess(code: number): never {
  flushAll();
  return exitImpl(code);
}
