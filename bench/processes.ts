// Server processes of the benchmark: free ports, start, wait until they
// accept connections, stop (SIGTERM, SIGKILL after a grace period) without
// leaving anything behind.
//
// Every server is spawned detached, i.e. as the leader of its own process
// group (pgid = pid), so that the moonbridge-lua master *and* the workers it
// forks can be found and killed by that id even when the master is gone.

import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export interface ServerProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** stdout and stderr of the server (and its workers). */
  logPath: string;
  /** Set once the leader process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  exited: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Ports the OS calls free: bind port 0 (all addresses, both IP versions
 *  where available), read the port, close. All are held until every one has
 *  been read, so they differ. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('could not read a free port');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Starts `command[0]` with the other elements as arguments; stdout and stderr
 *  go to `logPath`. */
export function startServer(name: string, command: string[], cwd: string, logPath: string): ServerProcess {
  const fd = fs.openSync(logPath, 'w');
  let child: ChildProcess;
  try {
    child = spawn(command[0], command.slice(1), { cwd, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  const server: ServerProcess = {
    name,
    pid: child.pid ?? -1,
    child,
    logPath,
    exit: null,
    exited: Promise.resolve(),
  };
  server.exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      // Could not be started (ENOENT...): no 'exit' event follows.
      try {
        fs.appendFileSync(logPath, `spawn ${command[0]} failed: ${err.message}\n`);
      } catch {
        // the log is a convenience
      }
      server.exit = { code: null, signal: null };
      resolve();
    });
    child.once('exit', (code, signal) => {
      server.exit = { code, signal };
      resolve();
    });
  });
  return server;
}

export function describeExit(server: ServerProcess): string {
  if (server.exit === null) return 'is running';
  if (server.pid < 0) return 'could not be started';
  if (server.exit.signal !== null) return `was killed by ${server.exit.signal}`;
  return `exited with code ${server.exit.code}`;
}

/** Resolves once `127.0.0.1:port` accepts a TCP connection; rejects when the
 *  process exits first or after `timeoutMs`. */
export async function waitForAccept(server: ServerProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt';
  for (;;) {
    if (server.exit !== null) {
      throw new Error(`${server.name} ${describeExit(server)} before accepting connections on port ${port}`);
    }
    const result = await new Promise<string | null>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('connect timed out');
      }, 1000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve(null);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(err.message);
      });
    });
    if (result === null) return;
    lastError = result;
    if (Date.now() >= deadline) {
      throw new Error(
        `${server.name} does not accept connections on 127.0.0.1:${port} after ` +
          `${Math.round(timeoutMs / 1000)} s (last attempt: ${lastError})`,
      );
    }
    await sleep(100);
  }
}

/** Live (non-zombie) processes of process group `pgid`, from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp ..." - comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM to the server's pid; whatever of its process group is still
 *  alive after `graceMs` gets SIGKILL. Returns a warning, or null when
 *  nothing is left. */
export async function stopServer(server: ServerProcess, graceMs = 5000): Promise<string | null> {
  if (server.pid < 0) return null;
  const pgid = server.pid;
  if (server.exit === null) {
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const gone = (): boolean => server.exit !== null && groupMembers(pgid).length === 0;
  if (!(await waitUntil(gone, graceMs))) {
    signalGroup(pgid, 'SIGKILL');
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (!(await waitUntil(gone, 3000))) {
      return `${server.name}: processes still alive after SIGKILL: ${groupMembers(pgid).join(', ') || server.pid}`;
    }
  }
  return null;
}

/** Last resort from a synchronous 'exit' handler: SIGKILL the whole group. */
export function killServerNow(server: ServerProcess): void {
  if (server.pid < 0) return;
  signalGroup(server.pid, 'SIGKILL');
}

/** The last `lines` lines of a log file, for error messages. */
export function tailFile(path: string, lines = 20): string {
  try {
    const text = fs.readFileSync(path, 'utf8').trimEnd();
    if (text === '') return '(empty)';
    return text.split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(cannot read: ${(err as Error).message})`;
  }
}
