/**
 * listen() and timeout() from TypeScript: the same pool declaration and
 * timers as the Lua globals, with camelCase option names. Options are
 * checked by name here (an unknown one is an error naming it); values are
 * checked by the Lua listen{}, so the messages are the same as for Lua apps.
 */
import { lua as L53, type LuaState } from 'fengari';
import { protectedCall, withName } from './call';
import { pushValues } from './convert';
import { LuaError, MoonbridgeApiError } from './errors';
import type { Socket } from './socket';
import { runtime } from './runtime';

export interface TcpListener { proto: 'tcp'; host?: string; port: number | string }
export interface LocalListener { proto: 'local'; path: string }
export interface IntervalListener { proto: 'interval'; name?: string; delay: number; strict?: boolean }
export interface MainListener { proto: 'main'; name?: string }
export type ListenerOptions = TcpListener | LocalListener | IntervalListener | MainListener;

/** What the connect handler of an interval or main listener gets instead of a socket. */
export interface ScheduledRun { interval?: string; main?: string }

/**
 * The connect handler: return true to keep the worker for the next
 * connection (anything else ends it afterwards). Typed `unknown` so that a
 * LuaFunction (such as http.generateHandler's result) fits too.
 */
export type ConnectHandler = (conn: Socket | ScheduledRun) => unknown;

export interface ListenOptions {
  listeners: ListenerOptions[];
  /** Workers forked at start (default 1). */
  preFork?: number;
  /** Idle workers kept ready (default max(preFork, 2)). */
  minFork?: number;
  /** Most workers at once (default max(minFork, 16)). */
  maxFork?: number;
  /** Seconds between forks (default 0.25). */
  forkDelay?: number;
  /** Seconds to wait after a worker failed (default 2). */
  forkErrorDelay?: number;
  /** Seconds an idle surplus worker lives (default 60). */
  exitDelay?: number;
  /** Seconds a worker waits for a connection before it exits (default 0: forever). */
  idleTimeout?: number;
  /** Bytes of memory a worker may use (0: no limit). */
  memoryLimit?: number;
  /** Run in every worker after it is forked. */
  prepare?: () => void;
  /** Run for each connection (or interval/main run); return false to end the worker afterwards. */
  connect: ConnectHandler;
  /** Run in a worker before it exits. */
  finish?: () => void;
}

const POOL_OPTIONS: Record<string, string> = {
  preFork: 'pre_fork', minFork: 'min_fork', maxFork: 'max_fork', forkDelay: 'fork_delay',
  forkErrorDelay: 'fork_error_delay', exitDelay: 'exit_delay', idleTimeout: 'idle_timeout',
  memoryLimit: 'memory_limit', prepare: 'prepare', connect: 'connect', finish: 'finish',
};
const LISTENER_FIELDS: Record<string, readonly string[]> = {
  tcp: ['proto', 'host', 'port'],
  local: ['proto', 'path'],
  interval: ['proto', 'name', 'delay', 'strict'],
  main: ['proto', 'name'],
};

/** The Lua table listen{} expects for options. */
function luaListenTable(options: ListenOptions): Map<string | number, unknown> {
  if (typeof options !== 'object' || options === null) throw new MoonbridgeApiError('listen: an options object expected');
  const table = new Map<string | number, unknown>();
  for (const [k, v] of Object.entries(options)) {
    if (k === 'listeners') continue;
    const luaName = POOL_OPTIONS[k];
    if (luaName === undefined) {
      throw new MoonbridgeApiError(`listen: unknown option "${k}" (known: listeners, ${Object.keys(POOL_OPTIONS).join(', ')})`);
    }
    if (v === undefined) continue;
    table.set(luaName, typeof v === 'function' ? withName(v as () => unknown, `the ${k} handler`) : v);
  }
  if (!Array.isArray(options.listeners) || options.listeners.length === 0) {
    throw new MoonbridgeApiError('listen: option "listeners" must be a non-empty array, e.g. [{ proto: "tcp", port: 8080 }]');
  }
  options.listeners.forEach((l, i) => {
    const fields = LISTENER_FIELDS[(l as { proto?: string })?.proto ?? ''];
    if (fields === undefined) {
      throw new MoonbridgeApiError(`listen: listeners[${i}] needs proto "tcp", "local", "interval" or "main"`);
    }
    for (const k of Object.keys(l)) {
      if (!fields.includes(k)) {
        throw new MoonbridgeApiError(`listen: unknown field "${k}" in listeners[${i}] (proto "${l.proto}" takes ${fields.join(', ')})`);
      }
    }
    table.set(i + 1, { ...l });
  });
  return table;
}

function callGlobal(what: string, fn: (L: LuaState) => number, args: unknown[]): unknown[] {
  const { L } = runtime(what);
  return protectedCall(L, (T) => {
    L53.lua_pushcfunction(T, fn);
    pushValues(T, args, what);
    return args.length;
  });
}

/**
 * Declares a pool of workers and its listeners (Lua's listen{...}); only in
 * the app's entry file, before the server starts. The sockets are bound at
 * once: a port in use throws here.
 */
export function listen(options: ListenOptions): void {
  const table = luaListenTable(options);
  try {
    callGlobal('listen', runtime('listen').listen, [table]);
  } catch (err) {
    if (err instanceof LuaError) throw new MoonbridgeApiError(`listen: ${err.message}`);
    throw err;
  }
}

/**
 * timeout(seconds) kills the worker after that time (0 disables);
 * timeout() returns the time left; timeout(seconds, fn) limits fn's run.
 */
export function timeout(): number | undefined;
export function timeout(seconds: number): void;
export function timeout<T>(seconds: number, fn: () => T): T;
export function timeout(...args: unknown[]): unknown {
  return callGlobal('timeout', runtime('timeout').timeout, args)[0];
}
