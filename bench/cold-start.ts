// Cold start (page step of `npm run bench`): how long a freshly spawned
// server takes from `spawn` to its first complete response, and the rate it
// serves in its first seconds, before any warm-up load. A server whose
// workers start with unoptimized code shows it here and not in the steady
// rounds.

import * as http from 'http';
import type { ServerProcess } from './processes';
import { describeExit } from './processes';

const POLL_MS = 5;

/** GET `path` once; resolves with the status, rejects on a connection error. */
function getOnce(port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
    });
    const timer = setTimeout(() => {
      r.destroy(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    r.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/**
 * Milliseconds from `spawnedAt` (a performance.now() reading taken just
 * before the spawn) to the first 200 response to GET `path`, retrying every
 * few milliseconds while the port refuses connections.
 */
export async function timeToFirstResponse(
  server: ServerProcess, port: number, path: string, spawnedAt: number, timeoutMs: number,
): Promise<number> {
  const deadline = spawnedAt + timeoutMs;
  for (;;) {
    if (server.exit !== null) throw new Error(`${server.name} ${describeExit(server)} before its first response`);
    try {
      const status = await getOnce(port, path, Math.max(1, deadline - performance.now()));
      if (status !== 200) throw new Error(`${server.name}: first GET ${path} answered ${status}`);
      return performance.now() - spawnedAt;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET') throw err;
    }
    if (performance.now() >= deadline) throw new Error(`${server.name}: no response to GET ${path} within ${timeoutMs} ms of its start`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface ColdStart {
  label: string;
  /** spawn to first complete response */
  startupMs: number;
  /** requests per second in the first `seconds` after that response */
  firstRate: number;
}

export function formatColdStarts(rows: Array<ColdStart & { steady: number }>, seconds: number, goal: number): string {
  const lines = [
    `| server | start-up (spawn to first response) | first ${seconds} s req/s | steady req/s | first ${seconds} s / steady |`,
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const share = r.steady > 0 ? r.firstRate / r.steady : NaN;
    lines.push(
      `| ${r.label} | ${r.startupMs.toFixed(0)} ms | ${Math.round(r.firstRate).toLocaleString('en-US')} | ` +
        `${Math.round(r.steady).toLocaleString('en-US')} | ${Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '-'} |`,
    );
  }
  const mb = rows.find((r) => r.label.startsWith('moonbridge-lua'));
  if (mb !== undefined && mb.steady > 0) {
    const share = mb.firstRate / mb.steady;
    lines.push('', `warm from the start: ${(share * 100).toFixed(0)}% of the steady rate in the first ${seconds} s (goal >= ${goal * 100}%): ${share >= goal ? 'PASS' : 'FAIL'}`);
  }
  return lines.join('\n');
}
