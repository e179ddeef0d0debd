// The fork step of `npm run bench` (`--only fork`): bench/apps/fork.lua ends
// its worker after every connection (the connect handler returns false), so
// each connection needs a fresh fork. FORK_COUNT (default 1,000) connections
// are made one after another, each waiting for the reply and the close;
// forks per second = connections / elapsed time, with the median (p50) and
// p99 of connect-to-close latency. The goal is 500 forks per second.

import * as net from 'net';
import * as path from 'path';
import { freePorts, waitForAccept } from './processes';
import type { StepHost } from './memory';

export const FORK_COUNT = Number(process.env.FORK_COUNT ?? 1000);
export const FORK_WARMUP = Number(process.env.FORK_WARMUP ?? 50);
export const FORK_GOAL = 500;

/** One connection: connect, read "ok\n" and the close; milliseconds. */
export function oneConnection(port: number, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const socket = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply and close within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => { got += d; });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('end', () => {
      clearTimeout(timer);
      socket.destroy();
      if (got !== 'ok\n') reject(new Error(`unexpected reply ${JSON.stringify(got)} (expected "ok\\n")`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

export interface ForkResult {
  connections: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function measureForkRate(port: number, count: number, warmup: number): Promise<ForkResult> {
  for (let i = 0; i < warmup; i++) await oneConnection(port);
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) latencies.push(await oneConnection(port));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { connections: count, seconds, perSecond: count / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Step "fork" of bench/http.ts; returns the step's exit status. */
export async function runForkStep(host: StepHost): Promise<number> {
  console.log(
    `moonbridge-lua fork rate: bench/apps/fork.lua (connect returns false: one fresh worker per connection), ` +
      `${FORK_COUNT.toLocaleString('en-US')} sequential connections after ${FORK_WARMUP} unmeasured`,
  );
  const [port] = await freePorts(1);
  const command = [process.execPath, path.join(host.repo, 'bin', 'moonbridge-lua'), path.join(host.repo, 'bench', 'apps', 'fork.lua'), String(port)];
  const target = host.startTarget('moonbridge-lua', command, port, 'fork-moonbridge-lua');
  try {
    await waitForAccept(target.server, port, host.startTimeoutMs);
    const r = await measureForkRate(port, FORK_COUNT, FORK_WARMUP);
    host.checkAlive(target);
    await host.stopEverything();
    const ok = r.perSecond >= FORK_GOAL;
    console.log('\n| connections | seconds | forks/s | p50 ms | p99 ms | goal | result |');
    console.log('|------------:|--------:|--------:|-------:|-------:|-----:|--------|');
    console.log(
      `| ${r.connections.toLocaleString('en-US').padStart(11)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.perSecond.toFixed(0).padStart(7)} | ` +
        `${r.p50Ms.toFixed(2).padStart(6)} | ${r.p99Ms.toFixed(2).padStart(6)} | ${String(FORK_GOAL).padStart(4)} | ${(ok ? 'PASS' : 'FAIL').padEnd(6)} |`,
    );
    if (!ok && !host.strict) console.log('(fork FAIL does not change the exit status without --strict-memory)');
    return !ok && host.strict ? 1 : 0;
  } catch (err) {
    return host.stepFailed('fork', err, [target]);
  }
}
