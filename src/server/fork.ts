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
 * Heap flags the launcher adds unless the user gave their own (issue 11,
 * lean workers; worker private memory measured with bench/memory.ts, one
 * keep-alive connection, 10,000 and 100,000 requests):
 * - `--max-semi-space-size=1`: a young generation of at most 2 x 1 MB. V8
 *   grows it to 2 x 16 MB under load, and in a worker (which never returns
 *   to the event loop, where V8 would shrink it again) every page of it
 *   that was touched stays private memory for good.
 * - `--no-allocation-site-pretenuring`: objects are not allocated straight
 *   into the old generation because their allocation site once had
 *   survivors; in a worker those pages are private (copy-on-write from the
 *   master's heap) and only a full collection gives them back.
 * - `--no-lazy`: functions are compiled when their script is, in the master
 *   before the fork, so workers share the bytecode instead of each compiling
 *   (and keeping) its own copy on first use.
 * - `--no-flush-bytecode`: V8 does not throw away bytecode of functions not
 *   run lately (a worker would compile it again into private pages).
 */
export const HEAP_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--no-allocation-site-pretenuring',
  '--no-lazy',
  '--no-flush-bytecode',
] as const;

/** A V8/node flag's name in canonical form: leading `--`, `-` for `_`, no `no-` prefix, no value. */
function flagName(flag: string): string | null {
  if (!flag.startsWith('--')) return null;
  const name = flag.slice(2).split('=')[0].replace(/_/g, '-');
  return name.startsWith('no-') ? name.slice(3) : name;
}

/** The words of NODE_OPTIONS (space-separated; quoted words as node reads them). */
function nodeOptionsWords(nodeOptions: string | undefined): string[] {
  if (nodeOptions === undefined) return [];
  const words: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|(\S+)/g;
  for (let m = re.exec(nodeOptions); m !== null; m = re.exec(nodeOptions)) words.push(m[1] ?? m[2]);
  return words;
}

/**
 * The node flags for a server: the user's, the required ones, and the heap
 * flags the user did not set. A heap flag counts as set by the user when
 * execArgv or NODE_OPTIONS names it in either form (`--lazy` overrides
 * `--no-lazy`, `--max_semi_space_size=4` overrides `--max-semi-space-size=1`).
 */
export function serverNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined = process.env.NODE_OPTIONS): string[] {
  const flags = execArgv.filter((f) => !(REQUIRED_NODE_FLAGS as readonly string[]).includes(f));
  const userNames = new Set([...flags, ...nodeOptionsWords(nodeOptions)].map(flagName).filter((n): n is string => n !== null));
  for (const heap of HEAP_NODE_FLAGS) {
    if (!userNames.has(flagName(heap) as string)) flags.push(heap);
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
