/**
 * A worker process: runs after fork() and never returns to the Node event
 * loop. It runs `prepare`, then serves one connection at a time: it reports
 * idle to the master, accepts on the pool's inherited listening sockets when
 * one is readable (so no descriptor passing is needed), calls `connect`
 * with the connection's handle, and keeps going while `connect` returns
 * exactly true. It ends with `finish` and _exit.
 */
import { missingModuleHint } from '../api/modules';
import { lua, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { waitFd, writeAll } from '../io/fd-wait';
import { IoHandle } from '../io/handle';
import { pushHandle } from '../io/lua-handle';
import { catchSigterm, sigtermReceived } from '../io/sigterm';
import { pcallTraceback } from '../lua/errors';
import { finishWorker, flushAll, setProcessExit } from '../lua/stdlib/lifecycle';
import { beginRunScope, beginWorkerScope, endRunScope, endWorkerScopes } from '../io/resources';
import { key, pushLatin1 } from '../lua/strings';
import { acceptingListeners, type ListenerConfig, type PoolConfig } from './config';
import { MSG_ACCEPTED, MSG_CONNECT, MSG_GOODBYE, MSG_IDLE, MSG_TERMINATE, readControl, sendCompiled, sendControl } from './control';
import { reportCompiledChunks } from '../lua/chunk-cache';
import { resetTimeout } from './timeout';
import { MEMORY_ERROR_MESSAGE, overMemoryLimit, setMemoryLimit } from './memory-limit';

export interface WorkerContext {
  L: LuaState;
  pool: PoolConfig;
  /** This worker's end of the control socketpair. */
  ctrlFd: number;
  /** The master's pid, for forwarding SIGINT/SIGHUP. */
  masterPid: number;
}

/** Writes a line to stderr (the master logs it with this worker's prefix). */
function report(message: string): void {
  try {
    writeAll(2, Buffer.from(message.endsWith('\n') ? message : message + '\n', 'utf8'));
  } catch {
    // stderr gone: nothing else to tell
  }
}

/** Ends this worker: what its Lua code wrote is flushed, the files it opened are closed. */
function endWorker(code: number): never {
  endWorkerScopes();
  finishWorker();
  return native()._exit(code);
}

/**
 * Calls the handler stored at ref with nargs arguments already pushed; exits
 * 1 on error. Buffered Lua output is flushed when the handler returns, so
 * that what a request wrote is out even if the worker is killed later.
 */
function callHandler(L: LuaState, ref: number, name: string, nargs: number, nresults: number): void {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  lua.lua_insert(L, -1 - nargs);
  const error = pcallTraceback(L, nargs, nresults);
  if (error !== null) {
    report(`Error in "${name}" function: ${error}`);
    const hint = missingModuleHint(error);
    if (hint !== null) report(hint);
    endWorker(1);
  }
  flushAll();
  if (overMemoryLimit()) {
    // What the C server's allocator would have refused during the handler.
    report(`Error in "${name}" function: ${MEMORY_ERROR_MESSAGE}`);
    endWorker(1);
  }
}

/** Forwards SIGINT/SIGHUP received by this worker to the master (Ctrl-C semantics). */
function forwardSignals(ctx: WorkerContext): void {
  const n = native();
  for (const sig of [n.constants.SIGINT, n.constants.SIGHUP]) {
    if (n.signalCounter(sig, true) > 0) {
      try {
        n.kill(ctx.masterPid, sig);
      } catch {
        // master gone: it will not need the signal
      }
    }
  }
}

type Wait =
  | { kind: 'connection'; fd: number; local: boolean }
  | { kind: 'scheduled'; listener: ListenerConfig }
  | { kind: 'leave' };

/** Reads the listener index that follows a 'C' (sent in the same write; waits briefly otherwise). */
function readListenerIndex(ctx: WorkerContext): number {
  for (;;) {
    const b = readControl(ctx.ctrlFd);
    if (b >= 0) return b;
    waitFd(ctx.ctrlFd, 'r', 1);
  }
}

/** Idle: waits for a connection on the listeners or a message from the master. */
function waitForWork(ctx: WorkerContext, listeners: Array<{ fd: number; proto: string }>): Wait {
  const n = native();
  const count = listeners.length + 1;
  const fds = new Int32Array(count);
  const events = new Int16Array(count).fill(n.constants.POLLIN);
  const revents = new Int16Array(count);
  fds[0] = ctx.ctrlFd;
  listeners.forEach((l, i) => { fds[i + 1] = l.fd; });
  for (;;) {
    if (sigtermReceived()) return { kind: 'leave' };
    forwardSignals(ctx);
    const ready = n.poll(fds, events, revents, count, -1);
    if (ready === -2) continue;
    if (revents[0] !== 0) {
      const msg = readControl(ctx.ctrlFd);
      if (msg === 0 || msg === MSG_TERMINATE) return { kind: 'leave' };
      if (msg === MSG_CONNECT) {
        const index = readListenerIndex(ctx);
        const listener = ctx.pool.listeners.find((l) => l.index === index);
        if (listener === undefined) return { kind: 'leave' };
        return { kind: 'scheduled', listener };
      }
    }
    for (let i = 1; i < count; i++) {
      if (revents[i] === 0) continue;
      const fd = n.accept(fds[i], true);
      if (fd >= 0) return { kind: 'connection', fd, local: listeners[i - 1].proto === 'local' };
      // -1: another worker took it; -2: interrupted. Either way, wait again.
    }
  }
}

export function runWorker(ctx: WorkerContext): never {
  const n = native();
  const { L, pool } = ctx;
  // os.exit ends only this worker.
  setProcessExit(endWorker);
  n.signalIgnore(n.constants.SIGPIPE);
  n.signalCount(n.constants.SIGINT);
  n.signalCount(n.constants.SIGHUP);
  // SIGTERM only sets a flag: a worker finishes its connection first.
  catchSigterm();
  setMemoryLimit(pool.memoryLimit);
  const compiled: Uint8Array[] = [];
  reportCompiledChunks((name) => compiled.push(Uint8Array.prototype.slice.call(name)));
  lua.lua_settop(L, 0);
  beginWorkerScope();
  if (pool.prepareRef !== lua.LUA_NOREF) callHandler(L, pool.prepareRef, 'prepare', 0, 0);
  const listeners = acceptingListeners(pool);
  for (;;) {
    resetTimeout();
    if (sigtermReceived()) break;
    // the files this worker compiled, for the master to compile for later workers
    for (const name of compiled.splice(0)) sendCompiled(ctx.ctrlFd, name);
    if (!sendControl(ctx.ctrlFd, MSG_IDLE)) break;
    const work = waitForWork(ctx, listeners);
    if (work.kind === 'leave') break;
    if (work.kind === 'scheduled') {
      // Interval and main handlers get a plain table {interval = name} / {main = name}.
      lua.lua_createtable(L, 0, 1);
      pushLatin1(L, work.listener.proto === 'interval' || work.listener.proto === 'main' ? work.listener.name : '');
      lua.lua_setfield(L, -2, key(work.listener.proto));
      beginRunScope();
      callHandler(L, pool.connectRef, 'connect', 1, 1);
      const keepScheduled = lua.lua_type(L, -1) === lua.LUA_TBOOLEAN && lua.lua_toboolean(L, -1);
      lua.lua_settop(L, 0);
      endRunScope();
      forwardSignals(ctx);
      if (!keepScheduled) break;
      continue;
    }
    sendControl(ctx.ctrlFd, MSG_ACCEPTED);
    if (!work.local) {
      try {
        n.setsockoptInt(work.fd, n.constants.IPPROTO_TCP, n.constants.TCP_NODELAY, 1);
      } catch {
        // connection already reset: the handler will see it
      }
    }
    const handle = new IoHandle(work.fd, work.local ? 'unix' : 'tcp', 'socket');
    pushHandle(L, handle);
    beginRunScope();
    callHandler(L, pool.connectRef, 'connect', 1, 1);
    const keep = lua.lua_type(L, -1) === lua.LUA_TBOOLEAN && lua.lua_toboolean(L, -1);
    lua.lua_settop(L, 0);
    endRunScope();
    if (!handle.closed) {
      try {
        handle.close();
      } catch {
        // the peer is gone; the descriptor is closed anyway
      }
    }
    forwardSignals(ctx);
    if (!keep) break;
  }
  resetTimeout();
  for (const name of compiled.splice(0)) sendCompiled(ctx.ctrlFd, name);
  sendControl(ctx.ctrlFd, MSG_GOODBYE);
  n.close(ctx.ctrlFd);
  if (pool.finishRef !== lua.LUA_NOREF) callHandler(L, pool.finishRef, 'finish', 0, 0);
  return endWorker(0);
}
