/**
 * moonbridge_io from TypeScript: poll over sockets, raw fds and other
 * pollable Lua objects, process id, monotonic time, SIGTERM catching and the
 * stdio handles. Blocking, like the Lua library.
 */
import { lua as L53 } from 'fengari';
import { protectedCall } from './call';
import { pushValues } from './convert';
import type { LuaReference } from './refs';
import { runtime } from './runtime';
import { MODULE_REGISTRY_KEY } from '../io/lua-handle';
import type { Socket } from './socket';
import type { Child } from './child';
import type { Listener } from './listener';
import { IoError } from './errors';

/** What poll waits on: sockets, raw file descriptors, or other Lua objects (listeners, children). */
export type Pollable = Socket | number | LuaReference;

export interface PollResult {
  /** true: something is ready; false: a timeout or SIGTERM. */
  ready: boolean;
  message?: string;
  /** With wakeupOnSigterm: whether SIGTERM ended the wait. */
  sigterm?: boolean;
}

/** Calls moonbridge_io[name](...args); returns every result. */
function ioCall(name: string, args: unknown[]): unknown[] {
  const { L } = runtime(`io.${name}`);
  return protectedCall(L, (T) => {
    L53.lua_getfield(T, L53.LUA_REGISTRYINDEX, MODULE_REGISTRY_KEY);
    L53.lua_getfield(T, -1, Buffer.from(name));
    L53.lua_remove(T, -2);
    pushValues(T, args, `argument of ${name}`);
    return args.length;
  });
}

export const io = {
  /** Waits until one of inputs can be read or outputs written, or timeout seconds passed. */
  poll(inputs: Iterable<Pollable> = [], outputs: Iterable<Pollable> = [], timeout?: number, wakeupOnSigterm = false): PollResult {
    const r = ioCall('poll', [new Set(inputs), new Set(outputs), timeout, wakeupOnSigterm]);
    if (r[0] === true) return { ready: true };
    return { ready: false, message: r[1] as string | undefined, ...(r.length >= 3 ? { sigterm: r[2] as boolean } : {}) };
  },
  /** The pid of this process (a worker's own pid in a handler). */
  getpid(): number {
    return ioCall('getpid', [])[0] as number;
  },
  /** Monotonic seconds, minus previous when given. */
  timeref(previous?: number): number {
    return ioCall('timeref', [previous])[0] as number;
  },
  /** From now on SIGTERM does not end the process; poll(..., true) reports it. */
  catchSigterm(): void {
    ioCall('catch_sigterm', []);
  },
  /**
   * Starts a program (PATH search) with arguments; throws IoError when it
   * cannot be executed ("Could not execute: No such file or directory").
   */
  exec(command: string, ...args: string[]): Child {
    return opened('exec', [command, ...args]) as Child;
  },
  /** Connects to host:port (a name, IPv6 preferred; a port number or service name); throws IoError on failure. */
  tcpconnect(host: string, port: number | string): Socket { return opened('tcpconnect', [host, port]) as Socket; },
  /** As tcpconnect, without waiting: a failed connect shows on the first I/O. */
  tcpconnectNb(host: string, port: number | string): Socket { return opened('tcpconnect_nb', [host, port]) as Socket; },
  /** Connects to a Unix socket. */
  localconnect(path: string): Socket { return opened('localconnect', [path]) as Socket; },
  localconnectNb(path: string): Socket { return opened('localconnect_nb', [path]) as Socket; },
  /** Listens on host:port (host undefined: every interface). */
  tcplisten(host: string | undefined, port: number | string): Listener { return opened('tcplisten', [host, port]) as Listener; },
  /** Listens on a Unix socket path (an old socket file there is replaced). */
  locallisten(path: string): Listener { return opened('locallisten', [path]) as Listener; },
  get stdin(): Socket { return field('stdin'); },
  get stdout(): Socket { return field('stdout'); },
  get stderr(): Socket { return field('stderr'); },
};

/** The object a moonbridge_io constructor returned, or IoError for its (nil, message). */
function opened(name: string, args: unknown[]): unknown {
  const r = ioCall(name, args);
  if (r[0] === undefined) throw new IoError(`${name}: ${String(r[1])}`);
  return r[0];
}

function field(name: string): Socket {
  const { L } = runtime(`io.${name}`);
  return protectedCall(L, (T) => {
    L53.lua_pushcfunction(T, (T2: typeof T) => {
      L53.lua_getfield(T2, L53.LUA_REGISTRYINDEX, MODULE_REGISTRY_KEY);
      L53.lua_getfield(T2, -1, Buffer.from(name));
      return 1;
    });
    return 0;
  })[0] as Socket;
}
