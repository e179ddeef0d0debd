/**
 * Test helpers: start real moonbridge-lua servers (each in its own process
 * group, so master and workers can be killed together), talk to them over
 * real sockets, and wait with bounded timeouts.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const LAUNCHER = path.join(ROOT, 'bin', 'moonbridge-lua');
export const APPS = path.join(ROOT, 'spec', 'apps');

const started = new Set<ChildProcess>();

export interface RunningServer {
  proc: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the master exits. */
  exited: Promise<number | string>;
}

/** Starts `moonbridge-lua args...`; the process is killed (group-wide) by killAll(). */
export function startServer(args: string[], options: { node?: string[]; env?: NodeJS.ProcessEnv } = {}): RunningServer {
  const argv = options.node !== undefined ? [...options.node, ...args] : [LAUNCHER, ...args];
  const proc = spawn(process.execPath, argv, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env,
  });
  started.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      started.delete(proc);
      resolve(code ?? signal ?? -1);
    });
  });
  return { proc, pid: proc.pid!, stdout: () => out, stderr: () => err, exited };
}

/** Kills every server started by this process: SIGKILL to each process group. */
export function killAll(): void {
  for (const proc of started) {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
}

/** Waits for a promise at most ms milliseconds. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A TCP port that was free a moment ago (the OS picked it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Sends raw bytes on a new connection and collects what comes back until
 * `done(received)` says so, the peer closes, or the timeout passes.
 */
export function exchange(
  port: number, request: string | Buffer,
  options: { host?: string; timeout?: number; done?: (received: string) => boolean } = {},
): Promise<{ data: string; closed: boolean; reset: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: options.host ?? '127.0.0.1' });
    let data = '';
    let finished = false;
    const finish = (closed: boolean, reset: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data, closed, reset });
    };
    const timer = setTimeout(() => {
      if (options.done === undefined) finish(false, false);
      else {
        finished = true;
        sock.destroy();
        reject(new Error(`no complete answer within ${options.timeout ?? 5000} ms; got ${JSON.stringify(data)}`));
      }
    }, options.timeout ?? 5000);
    sock.on('connect', () => sock.write(request));
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (options.done?.(data)) finish(false, false);
    });
    sock.on('end', () => finish(true, false));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') finish(true, true);
      else if (!finished) {
        finished = true;
        clearTimeout(timer);
        reject(e);
      }
    });
  });
}

/** Whether a complete HTTP response (chunked or with Content-Length, or bodyless) is in text, counting n responses. */
export function completeResponses(text: string): number {
  let count = 0;
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return count;
    const head = rest.slice(0, end);
    let body = rest.slice(end + 4);
    const status = Number(head.slice(9, 12));
    const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (/^1\d\d$/.test(String(status)) && status !== 101) {
      rest = body;
      continue;
    }
    if (/\r\ntransfer-encoding: *chunked/i.test(head) && !head.startsWith('HEAD')) {
      const term = body.indexOf('0\r\n\r\n');
      // a HEAD response carries the header but no body; callers count those themselves
      if (term < 0) return count;
      body = body.slice(term + 5);
    } else if (cl) {
      const len = Number(cl[1]);
      if (body.length < len) return count;
      body = body.slice(len);
    }
    count++;
    rest = body;
  }
}

/** Polls check() every 50 ms until it returns a truthy value or ms pass. */
export async function waitFor<T>(check: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the server answers a GET on host:port. */
export async function waitUntilServing(port: number, host = '127.0.0.1', ms = 10000): Promise<void> {
  await waitFor(async () => {
    try {
      const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { host, timeout: 1000 });
      return r.data.startsWith('HTTP/1.1 ');
    } catch {
      return false;
    }
  }, ms, `server on ${host}:${port}`);
}

/** Child pids of a process (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Number of open descriptors of a process. */
export function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

export function app(name: string): string {
  return path.join(APPS, name);
}

/** Waits until a TCP connection to host:port is accepted by someone (the backlog counts). */
export async function waitUntilListening(port: number, host = '127.0.0.1', ms = 10000): Promise<void> {
  await waitFor(() => new Promise<boolean>((resolve) => {
    const sock = net.connect({ port, host });
    sock.on('connect', () => { sock.destroy(); resolve(true); });
    sock.on('error', () => resolve(false));
  }), ms, `listener on ${host}:${port}`);
}

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pid in a PID file ("N\n"), or null when it is missing or incomplete. */
export function readPid(file: string): number | null {
  try {
    const m = /^(\d+)\n$/.exec(fs.readFileSync(file, 'ascii'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** The body of one HTTP response (latin1 text as exchange() gives it), chunked framing removed, as bytes. */
export function responseBody(raw: string): Buffer {
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  if (!/\r\nTransfer-Encoding: chunked\r\n/i.test(raw.slice(0, raw.indexOf('\r\n\r\n') + 2))) return Buffer.from(rest, 'latin1');
  let out = '';
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return Buffer.from(out, 'latin1');
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}
