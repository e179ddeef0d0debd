/**
 * Server.start: runs an app (Lua or JavaScript) as a moonbridge-lua server
 * in a child process, for a Node program that embeds or tests one. The
 * caller needs no special node flags (the child gets them). The promise
 * resolves when the master reports that the app ran and every listener is
 * bound (a JSON line on an extra pipe, no port polling), and rejects with the
 * start-up error text and exit code when the app fails to start.
 */
import { spawn, type ChildProcess } from 'child_process';
import { constants } from 'os';
import * as path from 'path';
import { serverNodeFlags } from '../server/fork';
import { READY_FD_ENV, type ReadyListener, type ReadyReport } from '../server/ready';

export type { ReadyListener };

export interface ServerStartOptions {
  /** The app's entry: a .lua script or a .js/.cjs/.mjs file. */
  script: string;
  /** Arguments for the app (`...` in Lua, process.argv.slice(2) in JS). */
  args?: readonly string[];
  /** Environment variables added to (and overriding) this process's. */
  env?: Record<string, string | undefined>;
  /** Working directory of the server (default: this process's). */
  cwd?: string;
  /** Command-line options of moonbridge-lua, e.g. ['-s'] or ['-l', 'server.log']. */
  options?: readonly string[];
  /** How long to wait for readiness, in ms (default 30000); then the server is killed and start rejects. */
  readyTimeout?: number;
}

export interface RunningServer {
  /** The master's pid. */
  readonly pid: number;
  /** Every listener, as bound (tcp: the real port, also for port 0). */
  readonly listeners: readonly ReadyListener[];
  /** The port of the first TCP listener, if any. */
  readonly port: number | undefined;
  /** Log lines the server wrote so far (its stderr). */
  readonly logs: string[];
  /** What the app printed to stdout so far. */
  readonly output: string[];
  /** Resolves with the exit code when the server ended (128 + signal number when killed by a signal). */
  readonly exited: Promise<number>;
  /** Sends signal (default SIGTERM: a graceful shutdown) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Why Server.start failed. */
export class ServerStartError extends Error {
  /** The server's exit code (3 for a start-up error), or null if it was still running (a timeout). */
  readonly exitCode: number | null;
  readonly logs: readonly string[];
  constructor(message: string, exitCode: number | null, logs: readonly string[]) {
    super(message);
    this.name = 'ServerStartError';
    this.exitCode = exitCode;
    this.logs = logs;
  }
}

function lines(stream: NodeJS.ReadableStream | null, into: string[]): void {
  if (stream === null) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    into.push(...parts);
  });
  stream.on('end', () => {
    if (rest !== '') into.push(rest);
    rest = '';
  });
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : constants.signals[signal] ?? 0);
}

/** The log text of a failed start: the lines after the timestamps, without the start-up chatter. */
function startupError(logs: readonly string[], code: number): string {
  const errors = logs.filter((l) => !/: (Starting moonbridge server|Loading ")/.test(l));
  const text = errors.join('\n').trim();
  return text === '' ? `the server exited with code ${code} before it was ready` : text;
}

export const Server = {
  start(options: ServerStartOptions): Promise<RunningServer> {
    const main = path.join(__dirname, '..', 'cli', 'main.js');
    const argv = [...serverNodeFlags([], options.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS), main, ...(options.options ?? []), '--', options.script, ...(options.args ?? [])];
    const child: ChildProcess = spawn(process.execPath, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, [READY_FD_ENV]: '3' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const output: string[] = [];
    lines(child.stderr, logs);
    lines(child.stdout, output);
    const exited = new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => resolve(exitCode(code, signal)));
    });
    // Settle after stderr is read to the end, so that the error text is complete.
    const closed = new Promise<number>((resolve) => {
      child.on('close', (code, signal) => resolve(exitCode(code, signal)));
    });
    return new Promise<RunningServer>((resolve, reject) => {
      let ready = '';
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        child.kill('SIGKILL');
        reject(new ServerStartError(`the server was not ready within ${options.readyTimeout ?? 30000} ms`, null, logs));
      }, options.readyTimeout ?? 30000);
      child.on('error', (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new ServerStartError(`cannot start ${process.execPath}: ${err.message}`, null, logs));
      });
      const readyPipe = child.stdio[3] as NodeJS.ReadableStream | null;
      readyPipe?.setEncoding('utf8');
      readyPipe?.on('data', (chunk: string) => {
        ready += chunk;
        if (settled || !ready.includes('\n')) return;
        settled = true;
        clearTimeout(timer);
        const report = JSON.parse(ready.slice(0, ready.indexOf('\n'))) as ReadyReport;
        const tcp = report.listeners.find((l) => l.proto === 'tcp');
        resolve({
          pid: report.pid,
          listeners: report.listeners,
          port: tcp?.port,
          logs,
          output,
          exited,
          stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      });
      void closed.then((code) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new ServerStartError(startupError(logs, code), code, logs));
      });
    });
  },
};
