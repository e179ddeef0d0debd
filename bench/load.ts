// One load run against one URL with the chosen tool; the same code path for
// both servers.
//
//   wrk:        wrk -t1 -c N -d Ds --latency [-H "Connection: close"] URL
//   autocannon: keep-alive through its programmatic API; new connection per
//               request through close-client.ts (see there why not
//               autocannon's reconnectRate).

import { ChildProcess, spawn } from 'child_process';
import { runCloseClient } from './close-client';
import { Tool } from './options';
import { HELLO_PAGE, HELLO_PAGE_BYTES } from './pages';

export interface Scenario {
  name: string;
  connections: number;
  /** false: a new TCP connection per request. */
  keepAlive: boolean;
}

export const SCENARIOS: Scenario[] = [
  { name: 'keep-alive c=1', connections: 1, keepAlive: true },
  { name: 'keep-alive c=10', connections: 10, keepAlive: true },
  { name: 'keep-alive c=50', connections: 50, keepAlive: true },
  { name: 'new conn/request c=1', connections: 1, keepAlive: false },
  { name: 'new conn/request c=10', connections: 10, keepAlive: false },
];

export interface LoadResult {
  /** Completed responses, any status. */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Responses with a status other than 2xx (wrk: 4xx and 5xx only). */
  non2xx: number;
  /** Failed requests: connection errors, timeouts, wrong bodies. */
  errors: number;
  /** (non2xx + errors) / (requests + errors that never completed). */
  errorRate: number;
  /** What the tool said about the errors, for the report. */
  errorDetail: string;
  /** How many of the client loops got at least one response (null: the
   *  tool cannot tell, i.e. wrk). Fewer than the scenario's connections
   *  means some clients waited the whole run, e.g. for a free worker. */
  connectionsServed: number | null;
}

/** wrk children currently running, so that an interrupt can kill them. */
export const runningTools = new Set<ChildProcess>();

export function toolDescription(tool: Tool): string {
  if (tool === 'wrk') return 'wrk -t1 (keep-alive; "Connection: close" header for a new connection per request)';
  const version = (require('autocannon/package.json') as { version: string }).version;
  return `autocannon ${version} (keep-alive, pipelining 1) + bench/close-client (new connection per request)`;
}

function finishResult(r: Omit<LoadResult, 'requestsPerSecond' | 'errorRate'>, neverCompleted: number): LoadResult {
  const attempts = r.requests + neverCompleted;
  return {
    ...r,
    requestsPerSecond: r.seconds > 0 ? r.requests / r.seconds : 0,
    errorRate: attempts > 0 ? (r.non2xx + r.errors) / attempts : 1,
  };
}

export async function runLoad(tool: Tool, port: number, scenario: Scenario, durationS: number): Promise<LoadResult> {
  const url = `http://127.0.0.1:${port}/`;
  if (tool === 'wrk') return runWrk(url, scenario, durationS);
  if (scenario.keepAlive) return runAutocannon(url, scenario, durationS);
  const r = await runCloseClient({
    host: '127.0.0.1',
    port,
    path: '/',
    concurrency: scenario.connections,
    durationMs: durationS * 1000,
    expectBody: HELLO_PAGE_BYTES,
  });
  const details: string[] = [];
  if (r.non2xx > 0) details.push(`${r.non2xx} non-2xx`);
  if (r.mismatches > 0) details.push(`${r.mismatches} wrong bodies`);
  if (r.errors > 0) details.push(`${r.errors} connection errors (first: ${r.firstError})`);
  return finishResult(
    {
      requests: r.completed,
      seconds: r.seconds,
      non2xx: r.non2xx,
      errors: r.errors + r.mismatches,
      errorDetail: details.join(', '),
      connectionsServed: r.loopsServed,
    },
    r.errors,
  );
}

export interface AutocannonResult {
  duration: number;
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodeStats: Record<string, { count: number }>;
}
export type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

async function runAutocannon(url: string, scenario: Scenario, durationS: number): Promise<LoadResult> {
  const autocannon = require('autocannon') as Autocannon;
  // Which of the connections (autocannon clients) got any response at all.
  const served = new Set<number>();
  let nextClient = 0;
  const setupClient = (client: { on(event: 'response', listener: () => void): void }): void => {
    const id = nextClient++;
    client.on('response', () => served.add(id));
  };
  const r = await autocannon({
    url,
    connections: scenario.connections,
    duration: durationS,
    pipelining: 1,
    expectBody: HELLO_PAGE,
    setupClient,
  });
  const details: string[] = [];
  if (r.non2xx > 0) {
    const codes = Object.entries(r.statusCodeStats)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, s]) => `${s.count}x ${code}`);
    details.push(`non-2xx: ${codes.join(', ')}`);
  }
  if (r.mismatches > 0) details.push(`${r.mismatches} wrong bodies`);
  if (r.errors > 0) details.push(`${r.errors} errors (${r.timeouts} timeouts)`);
  return finishResult(
    {
      requests: r.requests.total,
      seconds: r.duration,
      non2xx: r.non2xx,
      // Mismatched responses are also counted in requests.total.
      errors: r.errors + r.mismatches,
      errorDetail: details.join(', '),
      connectionsServed: served.size,
    },
    r.errors,
  );
}

function parseWrkTime(value: string, unit: string): number {
  const n = Number(value);
  switch (unit) {
    case 'us':
      return n / 1e6;
    case 'ms':
      return n / 1e3;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    default:
      return n;
  }
}

/** Reads wrk's report. Exported for tests of the parser. */
export function parseWrkOutput(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)\b/.exec(out);
  if (rps === null || total === null) throw new Error(`cannot parse wrk output:\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xxMatch = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const non2xx = non2xxMatch === null ? 0 : Number(non2xxMatch[1]);
  const [connect, read, write, timeout] = socket === null ? [0, 0, 0, 0] : socket.slice(1, 5).map(Number);
  const errors = connect + read + write + timeout;
  const details: string[] = [];
  if (non2xx > 0) details.push(`${non2xx} non-2xx/3xx`);
  if (socket !== null) details.push(`socket errors: connect ${connect}, read ${read}, write ${write}, timeout ${timeout}`);
  const requests = Number(total[1]);
  const seconds = parseWrkTime(total[2], total[3]);
  return {
    requests,
    seconds,
    requestsPerSecond: Number(rps[1]),
    non2xx,
    errors,
    errorRate: requests + errors > 0 ? (non2xx + errors) / (requests + errors) : 1,
    errorDetail: details.join(', '),
    connectionsServed: null,
  };
}

function runWrk(url: string, scenario: Scenario, durationS: number): Promise<LoadResult> {
  const args = ['-t1', '-c', String(scenario.connections), '-d', `${durationS}s`, '--latency'];
  if (!scenario.keepAlive) args.push('-H', 'Connection: close');
  args.push(url);
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    runningTools.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    // wrk stops by itself; this only guards against a hang.
    const guard = setTimeout(() => child.kill('SIGKILL'), (durationS + 30) * 1000);
    child.on('error', (e) => {
      clearTimeout(guard);
      runningTools.delete(child);
      reject(new Error(`cannot run wrk: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      runningTools.delete(child);
      if (code !== 0) {
        reject(new Error(`wrk ${args.join(' ')} ${signal ? `killed by ${signal}` : `exited with ${code}`}:\n${out}${err}`));
        return;
      }
      try {
        resolve(parseWrkOutput(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}
