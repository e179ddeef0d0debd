// The memory check of `npm run bench` (`--only memory`): one keep-alive
// connection to examples/helloworld.lua on moonbridge-lua; after 1,000
// requests and again after 100,000 (same connection, hence the same worker)
// the worker's VmRSS (/proc/<pid>/status) and private memory
// (Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup) are read.
// A growth of RSS by more than 10 % between the two readings is a FAIL: a
// worker that serves a long keep-alive connection must not accumulate
// per-request state.

import * as fs from 'fs';
import * as net from 'net';

export const MEMORY_FIRST = Number(process.env.MEMORY_FIRST ?? 1000);
export const MEMORY_TOTAL = Number(process.env.MEMORY_TOTAL ?? 100000);
export const MEMORY_MAX_GROWTH = 0.1;

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
  private constructor(private readonly socket: net.Socket, host: string, port: number) {
    this.request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`, 'latin1');
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

  static connect(host: string, port: number): Promise<KeepAliveClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => resolve(new KeepAliveClient(socket, host, port)));
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

export function formatMemory(readings: MemoryReading[], growth: number, failed: boolean): string {
  const mb = (kb: number | null): string => (kb === null ? '-' : `${(kb / 1024).toFixed(1)} MiB (${kb} kB)`);
  const lines = ['| requests on the connection | worker VmRSS | worker private (clean+dirty) |', '|---:|---:|---:|'];
  for (const r of readings) lines.push(`| ${r.requests.toLocaleString('en-US')} | ${mb(r.rssKb)} | ${mb(r.privateKb)} |`);
  const [a, b] = [readings[0], readings[readings.length - 1]];
  const priv =
    a.privateKb !== null && b.privateKb !== null && a.privateKb > 0
      ? `, private ${(((b.privateKb - a.privateKb) / a.privateKb) * 100).toFixed(1)} %`
      : '';
  lines.push(
    '',
    `RSS growth ${(growth * 100).toFixed(1)} %${priv} (limit ${MEMORY_MAX_GROWTH * 100} %): ${failed ? 'FAIL' : 'ok'}`,
  );
  return lines.join('\n');
}
