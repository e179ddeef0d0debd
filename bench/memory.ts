// The memory check of `npm run bench` (`--only memory`): for each of two
// apps (examples/helloworld.lua and bench/apps/page.lua), one keep-alive
// connection; after MEMORY_FIRST, MEMORY_MIDDLE and MEMORY_TOTAL requests
// (default 1,000, 10,000 and 100,000, same connection, hence the same
// worker) the worker's VmRSS (/proc/<pid>/status) and private memory
// (Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup, the measure
// memory_limit is enforced against) are read. A private size above the
// app's limit (8 MiB hello, 12 MiB page) at MEMORY_MIDDLE or MEMORY_TOTAL is
// a FAIL: a worker that serves a long keep-alive connection must stay lean
// and must not accumulate per-request state.

import * as fs from 'fs';
import * as net from 'net';

import * as path from 'path';
import type { ServerProcess } from './processes';
import { freePorts, waitForAccept } from './processes';
import { PAGE_PATH } from './page';

export const MEMORY_FIRST = Number(process.env.MEMORY_FIRST ?? 1000);
export const MEMORY_MIDDLE = Number(process.env.MEMORY_MIDDLE ?? 10000);
export const MEMORY_TOTAL = Number(process.env.MEMORY_TOTAL ?? 100000);

export interface MemoryReading {
  requests: number;
  rssKb: number;
  /** Private_Clean + Private_Dirty, or null when smaps_rollup is unreadable. */
  privateKb: number | null;
}

function kbField(text: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m === null ? null : Number(m[1]);
}

export function readMemory(pid: number, requests: number): MemoryReading {
  const rss = kbField(fs.readFileSync(`/proc/${pid}/status`, 'latin1'), 'VmRSS');
  if (rss === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  let privateKb: number | null = null;
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const clean = kbField(rollup, 'Private_Clean');
    const dirty = kbField(rollup, 'Private_Dirty');
    if (clean !== null && dirty !== null) privateKb = clean + dirty;
  } catch {
    // kernels before 4.14 have no smaps_rollup; RSS is the criterion anyway
  }
  return { requests, rssKb: rss, privateKb };
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Socket inode of the server side of our connection, from /proc/net/tcp:
 *  local port = server port, remote port = our client port. */
function serverSocketInode(serverPort: number, clientPort: number): string | null {
  const hex = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[1].endsWith(`:${hex(serverPort)}`) && f[2].endsWith(`:${hex(clientPort)}`)) return f[9];
    }
  }
  return null;
}

/** The worker (child of the master) holding the server side of our
 *  connection; the master has several workers (min_fork), RSS must be read
 *  from the one that serves us. */
export function findWorker(masterPid: number, serverPort: number, clientPort: number): number {
  const inode = serverSocketInode(serverPort, clientPort);
  if (inode === null) throw new Error(`no server socket for client port ${clientPort} in /proc/net/tcp`);
  const target = `socket:[${inode}]`;
  for (const pid of childPids(masterPid)) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  throw new Error(`no child of ${masterPid} holds ${target}`);
}

/** Sequential GET / requests on one keep-alive socket. The first response is
 *  taken as the reference (its framing parsed once); every later response
 *  must be byte-identical, so a wrong answer stops the check. */
export class KeepAliveClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private reference: Buffer | null = null;
  readonly request: Buffer;
  private constructor(private readonly socket: net.Socket, host: string, port: number, target: string) {
    this.request = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`, 'latin1');
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.wake();
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      this.wake();
    };
    socket.on('error', fail);
    socket.on('end', () => fail(new Error('server closed the keep-alive connection')));
  }

  static connect(host: string, port: number, target = '/'): Promise<KeepAliveClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => resolve(new KeepAliveClient(socket, host, port, target)));
      socket.once('error', reject);
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? -1;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async waitFor(ready: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.failure !== null) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Length of the first complete response in buf (hello: chunked). */
  private firstResponseLength(): number {
    const headEnd = this.buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return -1;
    const head = this.buf.toString('latin1', 0, headEnd);
    if (!/^HTTP\/1\.1 200 /.test(head)) throw new Error(`unexpected response ${JSON.stringify(head.slice(0, 100))}`);
    const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (cl !== null) return this.buf.length >= headEnd + 4 + Number(cl[1]) ? headEnd + 4 + Number(cl[1]) : -1;
    const end = this.buf.indexOf('\r\n0\r\n\r\n', headEnd);
    return end < 0 ? -1 : end + 7;
  }

  /** Runs `count` requests one after another. */
  async run(count: number, timeoutMs = 10000): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.socket.write(this.request);
      if (this.reference === null) {
        let length = -1;
        await this.waitFor(() => (length = this.firstResponseLength()) >= 0, timeoutMs);
        this.reference = Buffer.from(this.buf.subarray(0, length));
      }
      const ref = this.reference;
      await this.waitFor(() => this.buf.length >= ref.length, timeoutMs);
      if (!this.buf.subarray(0, ref.length).equals(ref)) {
        throw new Error(`response differs from the first one: ${JSON.stringify(this.buf.toString('latin1', 0, 200))}`);
      }
      this.buf = this.buf.subarray(ref.length);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** An app of the memory step and its limit for the worker's private memory. */
export interface MemoryApp {
  name: string;
  /** The app file, relative to the repository root. */
  file: string;
  target: string;
  limitMiB: number;
}

export const MEMORY_APPS: MemoryApp[] = [
  { name: 'hello', file: path.join('examples', 'helloworld.lua'), target: '/', limitMiB: 8 },
  { name: 'page', file: path.join('bench', 'apps', 'page.lua'), target: PAGE_PATH, limitMiB: 12 },
];

export interface MemoryRow {
  app: MemoryApp;
  reading: MemoryReading;
  /** Whether this reading is held to the limit (the first one is not: warm-up). */
  checked: boolean;
  ok: boolean;
}

const mib = (kb: number | null): string => (kb === null ? '-' : (kb / 1024).toFixed(1));

export function formatMemory(rows: MemoryRow[]): string {
  const lines = [
    '| app   | requests on the connection | worker private MiB | worker VmRSS MiB | private limit | result    |',
    '|-------|---------------------------:|-------------------:|-----------------:|--------------:|-----------|',
  ];
  for (const r of rows) {
    const result = !r.checked ? '(warm-up)' : r.ok ? 'PASS' : 'FAIL';
    lines.push(
      `| ${r.app.name.padEnd(5)} | ${r.reading.requests.toLocaleString('en-US').padStart(26)} | ${mib(r.reading.privateKb).padStart(18)} | ` +
        `${mib(r.reading.rssKb).padStart(16)} | ${`${r.app.limitMiB} MiB`.padStart(13)} | ${result.padEnd(9)} |`,
    );
  }
  return lines.join('\n');
}

/** What the memory step needs from bench/http.ts. */
export interface StepTarget {
  label: string;
  port: number;
  server: ServerProcess;
}

export interface StepHost {
  repo: string;
  startTimeoutMs: number;
  strict: boolean;
  /** The hello-world command (BENCH_MB_CMD may replace it). */
  helloCommand(port: number): string[];
  startTarget(label: string, command: string[], port: number, logName: string): StepTarget;
  checkAlive(target: StepTarget): void;
  stopEverything(): Promise<void>;
  stepFailed(step: string, err: unknown, targets: StepTarget[]): Promise<number>;
}

/** Step "memory": one app, its readings at the three counts. */
async function measureApp(host: StepHost, app: MemoryApp): Promise<MemoryRow[] | number> {
  const [port] = await freePorts(1);
  const command =
    app.name === 'hello'
      ? host.helloCommand(port)
      : [process.execPath, path.join(host.repo, 'bin', 'moonbridge-lua'), path.join(host.repo, app.file), String(port)];
  const target = host.startTarget('moonbridge-lua', command, port, `memory-${app.name}-moonbridge-lua`);
  let client: KeepAliveClient | null = null;
  try {
    await waitForAccept(target.server, port, host.startTimeoutMs);
    client = await KeepAliveClient.connect('127.0.0.1', port, app.target);
    const started = Date.now();
    const counts = [MEMORY_FIRST, MEMORY_MIDDLE, MEMORY_TOTAL].filter((n, i, all) => n > 0 && (i === 0 || n > all[i - 1]));
    const rows: MemoryRow[] = [];
    let worker = -1;
    let done = 0;
    for (const count of counts) {
      await client.run(count - done);
      done = count;
      host.checkAlive(target);
      // Same connection, so the same worker must still hold it.
      const pid = findWorker(target.server.pid, port, client.localPort);
      if (worker !== -1 && pid !== worker) throw new Error(`the connection moved from worker ${worker} to ${pid}`);
      worker = pid;
      const reading = readMemory(pid, count);
      const checked = count !== counts[0] || counts.length === 1;
      const ok = reading.privateKb !== null && reading.privateKb <= app.limitMiB * 1024;
      rows.push({ app, reading, checked, ok });
      console.log(
        `  ${app.name}: worker pid ${pid} (master ${target.server.pid}), ${count.toLocaleString('en-US')} requests: ` +
          `private ${reading.privateKb ?? '-'} kB, VmRSS ${reading.rssKb} kB`,
      );
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`  ${app.name}: ${done.toLocaleString('en-US')} requests in ${seconds.toFixed(1)} s (${Math.round(done / seconds).toLocaleString('en-US')} req/s)`);
    client.close();
    await host.stopEverything();
    return rows;
  } catch (err) {
    client?.close();
    return host.stepFailed('memory', err, [target]);
  }
}

/** Step "memory" of bench/http.ts; returns the step's exit status. */
export async function runMemoryStep(host: StepHost): Promise<number> {
  console.log(
    `moonbridge-lua memory check: ${MEMORY_APPS.map((a) => a.file).join(', ')}; ` +
      `${[MEMORY_FIRST, MEMORY_MIDDLE, MEMORY_TOTAL].map((n) => n.toLocaleString('en-US')).join(' / ')} ` +
      'sequential GETs on one keep-alive connection each',
  );
  const rows: MemoryRow[] = [];
  for (const app of MEMORY_APPS) {
    const result = await measureApp(host, app);
    if (typeof result === 'number') return result;
    rows.push(...result);
  }
  const failed = rows.some((r) => r.checked && !r.ok);
  console.log(`\n${formatMemory(rows)}\n`);
  console.log(`memory (private memory at most the limit after ${MEMORY_MIDDLE.toLocaleString('en-US')} and ${MEMORY_TOTAL.toLocaleString('en-US')} requests): ${failed ? 'FAIL' : 'PASS'}`);
  if (failed && !host.strict) console.log('(memory FAIL does not change the exit status without --strict-memory)');
  return failed && host.strict ? 1 : 0;
}
