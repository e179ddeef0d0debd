/**
 * The global listen{...}: validates one pool declaration, binds and listens
 * its sockets at once (so errors surface as Lua errors the script can pcall),
 * and records the pool. Messages follow Moonbridge's, naming the listener or
 * option at fault where Moonbridge would crash or be vague.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { isErrnoError, native } from '../native/binding';
import { cfunction } from '../lua/cfunction';
import { raise } from '../lua/errors';
import { key, latin1, toBytes } from '../lua/strings';
import type { ListenerConfig, PoolConfig } from './config';
import type { Logger } from './log';
import { MAX_LOCAL_PATH, ResolveError, listenLocal, listenTcp, resolveListenAddress } from './sockets';
import { privateMemoryBytes } from './memory-limit';

const MAX_LISTENERS = 100;
const MAX_SECONDS = 1e8;

export interface ListenContext {
  pools: PoolConfig[];
  logger: Logger;
  /** Set once the master starts: listen{} is refused from then on. */
  started: boolean;
}

function fieldType(L: LuaState, idx: number, name: string): number {
  return lua.lua_getfield(L, idx, key(name)) as number;
}

function fieldString(L: LuaState, idx: number): string {
  return latin1(toBytes(L, idx) as Uint8Array);
}

/** Reads option `name` of the table at idx as a pool count: a non-negative integer, or null when absent. */
function countOption(L: LuaState, idx: number, name: string): number | null {
  const t = fieldType(L, idx, name);
  try {
    if (t === lua.LUA_TNIL) return null;
    const v = lua.lua_tonumber(L, -1) as number;
    if (t !== lua.LUA_TNUMBER || !Number.isInteger(v) || v < 0) {
      raise(L, `Option "${name}" is expected to be a non-negative integer`);
    }
    return v;
  } finally {
    lua.lua_pop(L, 1);
  }
}

/** Reads a time option: a number 0..1e8 or false (0); null when absent. */
function secondsOption(L: LuaState, idx: number, name: string): number | null {
  const t = fieldType(L, idx, name);
  try {
    if (t === lua.LUA_TNIL) return null;
    if (t === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, -1)) return 0;
    const v = lua.lua_tonumber(L, -1) as number;
    if (t !== lua.LUA_TNUMBER || !(v >= 0) || v > MAX_SECONDS) {
      raise(L, `Option "${name}" is expected to be a non-negative number`);
    }
    return v;
  } finally {
    lua.lua_pop(L, 1);
  }
}

/** Stores the handler option `name` in the registry; LUA_NOREF when absent. */
function handlerOption(L: LuaState, idx: number, name: string, required: boolean): number {
  const t = fieldType(L, idx, name);
  if (t === lua.LUA_TFUNCTION) return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
  lua.lua_pop(L, 1);
  if (required) {
    raise(L, `Option "${name}" must be a function; use listen{{...}, {...}, ${name}=function(socket) ... end, ...}`);
  }
  if (t !== lua.LUA_TNIL) raise(L, `Option "${name}" must be nil or a function`);
  return lua.LUA_NOREF as number;
}

/** Validates listener #i (the table on top of the stack) without binding it. */
function readListener(L: LuaState, i: number): ListenerConfig {
  const entry = lua.lua_gettop(L);
  if (lua.lua_type(L, entry) !== lua.LUA_TTABLE) {
    raise(L, `Listener #${i} is not a table; use listen{{proto=..., port=...},...}`);
  }
  if (fieldType(L, entry, 'proto') !== lua.LUA_TSTRING) {
    raise(L, `No valid protocol specified for listener #${i}; use listen{{proto=..., port=...},...}`);
  }
  const proto = fieldString(L, -1);
  lua.lua_pop(L, 1);
  switch (proto) {
    case 'tcp': {
      const ht = fieldType(L, entry, 'host');
      if (ht !== lua.LUA_TNIL && ht !== lua.LUA_TSTRING) {
        raise(L, `No host specified for listener #${i}; use listen{{proto="tcp", host=...}, ...}`);
      }
      const host = ht === lua.LUA_TNIL ? '::' : fieldString(L, -1);
      lua.lua_pop(L, 1);
      const pt = fieldType(L, entry, 'port');
      if (pt !== lua.LUA_TNUMBER && pt !== lua.LUA_TSTRING) {
        raise(L, `No port specified for listener #${i}; use listen{{proto="tcp", host=...}, ...}`);
      }
      const port = fieldString(L, -1);
      lua.lua_pop(L, 1);
      return { proto, index: i, host, port, fd: -1, family: 'inet6', address: host, boundPort: 0 };
    }
    case 'local': {
      if (fieldType(L, entry, 'path') !== lua.LUA_TSTRING) {
        raise(L, `No valid path specified for local socket (listener #${i}); use listen{{proto="local", path=...}, ...}`);
      }
      const path = fieldString(L, -1);
      lua.lua_pop(L, 1);
      if (Buffer.byteLength(path, 'latin1') > MAX_LOCAL_PATH) {
        raise(L, `Path of local socket (listener #${i}) is too long: ${Buffer.byteLength(path, 'latin1')} bytes, at most ${MAX_LOCAL_PATH} allowed`);
      }
      return { proto, index: i, path, fd: -1 };
    }
    case 'interval': {
      const nt = fieldType(L, entry, 'name');
      if (nt !== lua.LUA_TNIL && nt !== lua.LUA_TSTRING) raise(L, `Option "name" of listener #${i} must be a string if set`);
      const name = nt === lua.LUA_TNIL ? '' : fieldString(L, -1);
      lua.lua_pop(L, 1);
      const dt = fieldType(L, entry, 'delay');
      const delay = lua.lua_tonumber(L, -1) as number;
      lua.lua_pop(L, 1);
      if (dt !== lua.LUA_TNUMBER || !(delay > 0) || delay > MAX_SECONDS) {
        raise(L, `No valid interval delay specified for listener #${i}; use listen{{proto="interval", delay=...}, ...}`);
      }
      const st = fieldType(L, entry, 'strict');
      const strict = lua.lua_toboolean(L, -1) as boolean;
      lua.lua_pop(L, 1);
      if (st !== lua.LUA_TNIL && st !== lua.LUA_TBOOLEAN) {
        raise(L, `Option "strict" must be a boolean if set; use listen{{proto="interval", strict=true, ...}, ...}`);
      }
      return { proto, index: i, name, delay, strict };
    }
    case 'main': {
      const nt = fieldType(L, entry, 'name');
      if (nt !== lua.LUA_TNIL && nt !== lua.LUA_TSTRING) raise(L, `Option "name" of listener #${i} must be a string if set`);
      const name = nt === lua.LUA_TNIL ? '' : fieldString(L, -1);
      lua.lua_pop(L, 1);
      return { proto, index: i, name };
    }
    default:
      return raise(L, `Unknown protocol "${proto}" for listener #${i}`);
  }
}

/** Binds the socket listeners of a pool; on failure closes what was bound and raises. */
function bindListeners(L: LuaState, ctx: ListenContext, listeners: ListenerConfig[]): void {
  const n = native();
  const opened: number[] = [];
  let current = 0;
  try {
    for (const l of listeners) {
      current = l.index;
      if (l.proto === 'tcp') {
        let addr;
        try {
          addr = resolveListenAddress(l.host, l.port);
        } catch (err) {
          if (err instanceof ResolveError) {
            raise(L, `Could not resolve host "${l.host}" (port "${l.port}") of listener #${l.index}: ${err.message}`);
          }
          throw err;
        }
        ctx.logger.info(`Adding TCP listener on interface "${addr.address}", port ${addr.port}`);
        l.fd = listenTcp(addr);
        opened.push(l.fd);
        const bound = n.getsockname(l.fd);
        l.family = addr.family === 'inet' ? 'inet' : 'inet6';
        l.address = bound.address;
        l.boundPort = bound.port;
      } else if (l.proto === 'local') {
        ctx.logger.info(`Adding local socket listener for path "${l.path}"`);
        const { fd, unlinked } = listenLocal(l.path);
        if (unlinked) ctx.logger.warning(`Unlinked named socket "${l.path}" prior to listening`);
        l.fd = fd;
        opened.push(fd);
      } else if (l.proto === 'interval') {
        ctx.logger.info(`Adding interval listener "${l.name}" with delay ${l.delay}${l.strict ? ' (strict)' : ''}`);
      } else {
        ctx.logger.info(`Adding main handler "${l.name}"`);
      }
    }
  } catch (err) {
    for (const fd of opened) n.close(fd);
    if (isErrnoError(err)) raise(L, `Could not initialize listener #${current}: ${err.strerror}`);
    throw err;
  }
}

export function makeListen(ctx: ListenContext) {
  return cfunction((L) => {
    if (ctx.started) {
      raise(L, 'listen{...} can only be called from the main script, not from a handler');
    }
    lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
    lua.lua_settop(L, 1);
    const count = lauxlib.luaL_len(L, 1) as number;
    if (count < 1) raise(L, 'No listen ports specified; use listen{{proto=..., port=...},...}');
    if (count > MAX_LISTENERS) raise(L, `Too many listeners (${count}, at most ${MAX_LISTENERS})`);
    const listeners: ListenerConfig[] = [];
    for (let i = 1; i <= count; i++) {
      lua.lua_geti(L, 1, i);
      listeners.push(readListener(L, i));
      lua.lua_pop(L, 1);
    }
    const dynamic = listeners.some((l) => l.proto !== 'main');
    let preFork = 0;
    let minFork = listeners.length;
    let maxFork = listeners.length;
    if (dynamic) {
      preFork = countOption(L, 1, 'pre_fork') ?? 1;
      minFork = countOption(L, 1, 'min_fork') ?? Math.max(preFork, 2);
      maxFork = countOption(L, 1, 'max_fork') ?? Math.max(minFork, 16);
      if (minFork > maxFork) raise(L, `Option "min_fork" (${minFork}) must not exceed "max_fork" (${maxFork})`);
      if (maxFork < 1) raise(L, 'Option "max_fork" must be at least 1');
    }
    const forkDelay = secondsOption(L, 1, 'fork_delay') ?? 0.25;
    const forkErrorDelay = Math.max(secondsOption(L, 1, 'fork_error_delay') ?? 2, forkDelay);
    const exitDelay = secondsOption(L, 1, 'exit_delay') ?? 60;
    const idleTimeout = secondsOption(L, 1, 'idle_timeout') ?? secondsOption(L, 1, 'idle_time') ?? 0;
    const mt = fieldType(L, 1, 'memory_limit');
    const memoryLimit = mt === lua.LUA_TNIL ? 0 : (lua.lua_tonumber(L, -1) as number);
    lua.lua_pop(L, 1);
    if (mt !== lua.LUA_TNIL && (mt !== lua.LUA_TNUMBER || !(memoryLimit >= 0))) {
      raise(L, 'Option "memory_limit" is expected to be a non-negative number');
    }
    if (memoryLimit > 0) {
      // Enforced against smaps_rollup (memory-limit.ts): refuse now, not in every worker.
      try {
        privateMemoryBytes();
      } catch (err) {
        raise(L, `Option "memory_limit" cannot be enforced: ${(err as Error).message}`);
      }
    }
    const prepareRef = handlerOption(L, 1, 'prepare', false);
    const connectRef = handlerOption(L, 1, 'connect', true);
    const finishRef = handlerOption(L, 1, 'finish', false);
    ctx.logger.info('Creating pool');
    bindListeners(L, ctx, listeners);
    const id = ctx.pools.length + 1;
    ctx.pools.push({
      id, listeners, preFork, minFork, maxFork, forkDelay, forkErrorDelay, exitDelay, idleTimeout, memoryLimit,
      prepareRef, connectRef, finishRef,
    });
    ctx.logger.info(`Pool #${id} created`);
    return 0;
  });
}
