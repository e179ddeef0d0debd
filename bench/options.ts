// Command-line flags and environment variables of the benchmark
// (flags win over the environment).

import { spawnSync } from 'child_process';

export type Tool = 'wrk' | 'autocannon';

/** The steps of a run: the hello-world scenarios, the form-POST group, the
 *  rendered page, the worker memory check, the fork rate. */
export type Step = 'hello' | 'form' | 'page' | 'memory' | 'fork';
export const STEPS: Step[] = ['hello', 'form', 'page', 'memory', 'fork'];

export interface Options {
  /** Seconds per measured run. */
  duration: number;
  /** Runs per server and scenario; the table shows the median. */
  rounds: number;
  /** Seconds of unmeasured keep-alive load per server before the scenarios. */
  warmup: number;
  tool: Tool;
  /** Replaces the moonbridge-lua command (BENCH_MB_CMD), or null. */
  mbCommand: string | null;
  /** Seconds to wait for a server to accept connections. */
  startTimeout: number;
  /** Which steps run, in STEPS order. */
  only: Step[];
  /** Exit with status 1 when the memory check fails (else only "FAIL" is printed). */
  strictMemory: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
       node dist/bench/http.js [options]

  --duration <s>   seconds per measured run, whole seconds (BENCH_DURATION, default 5)
  --rounds <n>     runs per server and scenario, median reported (BENCH_ROUNDS, default 2)
  --warmup <s>     unmeasured load per server before measuring, 0 = none (BENCH_WARMUP, default 1)
  --tool <name>    wrk | autocannon (BENCH_TOOL; default wrk when on PATH, else autocannon)
  --start-timeout <s>  wait for a server to accept connections (BENCH_START_TIMEOUT, default 20)
  --only <steps>   comma-separated: hello, form, page, memory, fork (BENCH_ONLY; default all five)
  --strict-memory  exit with status 1 when the memory or fork check fails (BENCH_STRICT_MEMORY=1)
  -h, --help       this text

  BENCH_MB_CMD     command line replacing "node bin/moonbridge-lua examples/helloworld.lua",
                   split on whitespace, run from the repository root; "{port}" is replaced
                   by the port, else the port is appended as last argument.
                   Example: BENCH_MB_CMD="node dist/bench/node-hello.js"
`;

export class UsageError extends Error {}

export function wrkOnPath(): boolean {
  const r = spawnSync('wrk', ['-v'], { stdio: 'ignore' });
  // wrk -v prints its version and exits 1; a missing binary gives an error.
  return r.error === undefined;
}

function wholeNumber(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${name}: expected a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min) throw new UsageError(`${name}: must be at least ${min}, got ${n}`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const fromEnv = (name: string): string | undefined => {
    const value = env[name];
    return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
  };
  const raw: Record<string, string | undefined> = {
    duration: fromEnv('BENCH_DURATION'),
    rounds: fromEnv('BENCH_ROUNDS'),
    warmup: fromEnv('BENCH_WARMUP'),
    tool: fromEnv('BENCH_TOOL'),
    'start-timeout': fromEnv('BENCH_START_TIMEOUT'),
    only: fromEnv('BENCH_ONLY'),
  };
  let strictMemory = fromEnv('BENCH_STRICT_MEMORY') === '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--strict-memory') {
      strictMemory = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (m === null || !(m[1] in raw)) throw new UsageError(`unknown argument "${arg}"`);
    let value = m[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    }
    raw[m[1]] = value;
  }
  let tool: Tool;
  if (raw.tool === undefined) {
    tool = wrkOnPath() ? 'wrk' : 'autocannon';
  } else if (raw.tool === 'wrk' || raw.tool === 'autocannon') {
    tool = raw.tool;
    if (tool === 'wrk' && !wrkOnPath()) throw new UsageError('--tool wrk: wrk is not on PATH');
  } else {
    throw new UsageError(`--tool: expected wrk or autocannon, got "${raw.tool}"`);
  }
  const mb = fromEnv('BENCH_MB_CMD');
  let only: Step[] = STEPS;
  if (raw.only !== undefined) {
    const words = raw.only.split(',').map((w) => w.trim()).filter((w) => w !== '');
    for (const w of words) {
      if (!(STEPS as string[]).includes(w)) throw new UsageError(`--only: expected hello, form, page, memory or fork, got "${w}"`);
    }
    if (words.length === 0) throw new UsageError('--only: no step given');
    only = STEPS.filter((step) => words.includes(step));
  }
  return {
    duration: wholeNumber('--duration', raw.duration ?? '5', 1),
    rounds: wholeNumber('--rounds', raw.rounds ?? '2', 1),
    warmup: wholeNumber('--warmup', raw.warmup ?? '1', 0),
    tool,
    mbCommand: mb ?? null,
    startTimeout: wholeNumber('--start-timeout', raw['start-timeout'] ?? '20', 1),
    only,
    strictMemory,
  };
}
