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

/**
 * Heap flags the launcher adds unless the user gave their own. A young
 * generation of at most 2 x 2 MB: V8 grows it to 2 x 16 MB under load, and
 * in a worker (which never returns to the event loop, where V8 would shrink
 * it again) that is resident memory for good. Measured with the hello world
 * on one keep-alive connection: worker RSS 47 MB after 1,000 requests and
 * 68-70 MB after 100,000 by default, 42-43 MB throughout with this flag, and
 * no loss of speed (about 28-30k req/s with it, 20k without, one run each).
 */
export const HEAP_NODE_FLAGS = ['--max-semi-space-size=2'] as const;

/** The node flags for a server: the user's, the required ones, and the heap flags the user did not set. */
export function serverNodeFlags(execArgv: readonly string[]): string[] {
  const flags = execArgv.filter((f) => !(REQUIRED_NODE_FLAGS as readonly string[]).includes(f));
  for (const heap of HEAP_NODE_FLAGS) {
    const name = heap.split('=')[0];
    if (!flags.some((f) => f === name || f.startsWith(`${name}=`) || f.replace(/_/g, '-').startsWith(name))) flags.push(heap);
  }
  return [...flags, ...REQUIRED_NODE_FLAGS];
}

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
