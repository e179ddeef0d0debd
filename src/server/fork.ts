/**
 * Forking this Node process. Only safe when node runs with
 * --single-threaded --v8-pool-size=1 (otherwise children hang or crash on
 * locks held by V8's helper threads), which bin/moonbridge-lua arranges; the
 * native fork then re-enables the heap mappings V8 marks MADV_DONTFORK and
 * waits for the remaining threads to sleep.
 */
import { native } from '../native/binding';
import { resetSigtermState } from '../io/sigterm';
import { flushAll } from '../lua/stdlib/lifecycle';

export const REQUIRED_NODE_FLAGS = ['--single-threaded', '--v8-pool-size=1'] as const;

export class ForkRefusedError extends Error {
  constructor(missing: string[]) {
    super(
      `fork() refused: node is running without ${missing.join(' ')}; forking it would hang or crash ` +
        `the workers. Start the server through bin/moonbridge-lua (npx moonbridge-lua app.lua), ` +
        `or run node ${REQUIRED_NODE_FLAGS.join(' ')} yourself.`,
    );
    this.name = 'ForkRefusedError';
  }
}

/** The fork-safety flags missing from this node's command line (empty when forking is safe). */
export function missingForkFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return REQUIRED_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}

/** fork(): the child's pid in the parent, 0 in the child. Throws ForkRefusedError or an errno error. */
export function forkProcess(): number {
  const missing = missingForkFlags();
  if (missing.length > 0) throw new ForkRefusedError(missing);
  // Buffered Lua output would otherwise be written once by each process.
  flushAll();
  const pid = native().fork();
  if (pid === 0) resetSigtermState();
  return pid;
}
