/**
 * The Lua face of moonbridge_io handles: userdata whose metatable
 * (moonbridge_io's handle_mt) resolves fields first in a per-handle public
 * table (any field may be set on a handle), then in the method table
 * (handle_pt). Address fields of sockets are filled in on first use.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { cfunction, kfunction } from '../lua/cfunction';
import { objectUserdata } from './userdata';
import { key, latin1, pushLatin1, pushOwnedBytes, toBytes } from '../lua/strings';
import { IoError, IoHandle, type ReadResult } from './handle';
import { IoUsageError } from './errors';

export const HANDLE_MT = key('moonbridge_io_handle');
/** Registry field holding the moonbridge_io module table (passed to waitfuncs). */
export const MODULE_REGISTRY_KEY = key('moonbridge_io_module');


const STATUS = {
  term: key('term'), maxlen: key('maxlen'), eof: key('eof'), block: key('block'),
};
const K_R = key('r');
const K_W = key('w');

const handles = objectUserdata(IoHandle, HANDLE_MT, 'handle');

/** Pushes a new userdata for h. */
export const pushHandle: (L: LuaState, h: IoHandle) => void = handles.push;
/** The handle of the userdata at idx, or null. */
export const testHandle: (L: LuaState, idx: number) => IoHandle | null = handles.test;
export const checkHandle: (L: LuaState, idx: number) => IoHandle = handles.check;

/** Pushes (nil, message) and returns 2. */
function fail(L: LuaState, message: string): number {
  lua.lua_pushnil(L);
  pushLatin1(L, message);
  return 2;
}

/** Runs an I/O operation that pushes its results; an I/O error becomes (nil, message). */
function ioResult(L: LuaState, op: () => number): number {
  try {
    return op();
  } catch (err) {
    if (err instanceof IoError) return fail(L, err.message);
    throw err;
  }
}

function optMaxlen(L: LuaState, idx: number): number | null {
  if (lua.lua_isnoneornil(L, idx)) return null;
  const n = lauxlib.luaL_checkinteger(L, idx) as number;
  return n < 0 ? 0 : n;
}

function optTerminator(L: LuaState, idx: number): number {
  if (lua.lua_isnoneornil(L, idx)) return -1;
  const bytes = lauxlib.luaL_checklstring(L, idx) as Uint8Array;
  if (bytes.length === 0) return -1;
  if (bytes.length !== 1) lauxlib.luaL_argerror(L, idx, key('single byte expected'));
  return bytes[0];
}

function pushRead(L: LuaState, r: ReadResult, discard: boolean): number {
  if (discard) lua.lua_pushinteger(L, r.length);
  else pushOwnedBytes(L, r.data as Uint8Array);
  lua.lua_pushstring(L, STATUS[r.status]);
  return 2;
}

/** The byte strings of arguments first..top (strings or numbers, as Moonbridge accepts). */
function argChunks(L: LuaState, first: number): Uint8Array[] {
  const top = lua.lua_gettop(L);
  const chunks: Uint8Array[] = [];
  for (let i = first; i <= top; i++) {
    const t = lua.lua_type(L, i);
    if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) {
      lauxlib.luaL_argerror(L, i, key('string or number expected'));
    }
    chunks.push(toBytes(L, i) as Uint8Array);
  }
  return chunks;
}

// ------------------------------------------------------------------ reading

function readVariant(discard: boolean, blocking: boolean) {
  return cfunction((L) => {
    const h = checkHandle(L, 1);
    const maxlen = optMaxlen(L, 2);
    const term = optTerminator(L, 3);
    return ioResult(L, () => pushRead(L, h.read(maxlen, term, blocking, discard), discard));
  });
}

interface ReadCallState {
  discard: boolean;
  maxlen: number | null;
  term: number;
  parts: Uint8Array[];
  total: number;
  first: boolean;
}

/** Calls waitfunc(handle, mode, first, moonbridge_io) with a continuation; the waitfunc is at stack index 2. */
function callWaitfunc(L: LuaState, mode: Uint8Array, first: boolean, ctx: unknown, k: (L: LuaState, status: number, ctx: unknown) => number): void {
  lua.lua_pushvalue(L, 2);
  lua.lua_pushvalue(L, 1);
  lua.lua_pushstring(L, mode);
  lua.lua_pushboolean(L, first);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, MODULE_REGISTRY_KEY);
  lua.lua_callk(L, 4, 0, ctx, k);
}

function readCallStep(L: LuaState, st: ReadCallState): number {
  const h = checkHandle(L, 1);
  for (;;) {
    let r: ReadResult | undefined;
    const failed = ioResult(L, () => {
      r = h.read(st.maxlen === null ? null : st.maxlen - st.total, st.term, false, st.discard);
      return 0;
    });
    if (r === undefined) return failed;
    st.total += r.length;
    if (!st.discard && r.length > 0) st.parts.push(r.data as Uint8Array);
    if (r.status !== 'block') {
      const data = st.parts.length === 1 ? st.parts[0] : Buffer.concat(st.parts);
      return pushRead(L, { data, length: st.total, status: r.status }, st.discard);
    }
    const first = st.first;
    st.first = false;
    callWaitfunc(L, K_R, first, st, readCallContinue);
  }
}

const readCallContinue = kfunction((L: LuaState, _status: number, ctx: unknown): number => readCallStep(L, ctx as ReadCallState));

function readCall(discard: boolean) {
  return cfunction((L) => {
    checkHandle(L, 1);
    lauxlib.luaL_checkany(L, 2);
    const st: ReadCallState = {
      discard, maxlen: optMaxlen(L, 3), term: optTerminator(L, 4), parts: [], total: 0, first: true,
    };
    lua.lua_settop(L, 2);
    return readCallStep(L, st);
  });
}

// ------------------------------------------------------------------ writing

/** Returns the handle itself (for chaining), as Moonbridge's blocking write and flush do. */
function returnHandle(L: LuaState): number {
  lua.lua_settop(L, 1);
  return 1;
}

function returnInteger(L: LuaState, n: number): number {
  lua.lua_pushinteger(L, n);
  return 1;
}

const write = cfunction((L) => {
  const h = checkHandle(L, 1);
  const chunks = argChunks(L, 2);
  return ioResult(L, () => {
    h.write(chunks, true);
    return returnHandle(L);
  });
});

const writeNb = cfunction((L) => {
  const h = checkHandle(L, 1);
  const chunks = argChunks(L, 2);
  return ioResult(L, () => {
    h.write(chunks, false);
    return returnInteger(L, h.writeNbResult);
  });
});

const flush = cfunction((L) => {
  const h = checkHandle(L, 1);
  const chunks = argChunks(L, 2);
  return ioResult(L, () => {
    h.write(chunks, true);
    h.flush();
    return returnHandle(L);
  });
});

const flushNb = cfunction((L) => {
  const h = checkHandle(L, 1);
  const chunks = argChunks(L, 2);
  return ioResult(L, () => {
    h.write(chunks, false);
    return returnInteger(L, h.flushNb());
  });
});

interface WriteCallState { flushAll: boolean; first: boolean; }

function writeCallStep(L: LuaState, st: WriteCallState): number {
  const h = checkHandle(L, 1);
  for (;;) {
    let left = -1;
    const failed = ioResult(L, () => {
      left = h.flushNb();
      return 0;
    });
    if (left < 0) return failed;
    if (st.flushAll ? left === 0 : h.writeNbResult === 0) {
      lua.lua_settop(L, 1);
      return 1;
    }
    const first = st.first;
    st.first = false;
    callWaitfunc(L, K_W, first, st, writeCallContinue);
  }
}

const writeCallContinue = kfunction((L: LuaState, _status: number, ctx: unknown): number => writeCallStep(L, ctx as WriteCallState));

function writeCall(flushAll: boolean) {
  return cfunction((L) => {
    const h = checkHandle(L, 1);
    lauxlib.luaL_checkany(L, 2);
    const chunks = argChunks(L, 3);
    return ioResult(L, () => {
      h.write(chunks, false);
      lua.lua_settop(L, 2);
      return writeCallStep(L, { flushAll, first: true });
    });
  });
}

/** X_yield(...) = X_call(coroutine.yield, ...). */
function yieldVariant(call: (L: LuaState) => number) {
  return cfunction((L) => {
    checkHandle(L, 1);
    lua.lua_getglobal(L, key('coroutine'));
    lua.lua_getfield(L, -1, key('yield'));
    lua.lua_remove(L, -2);
    lua.lua_insert(L, 2);
    return call(L);
  });
}

// ------------------------------------------------------------------ ending

function ending(op: 'finish' | 'close' | 'reset') {
  return cfunction((L) => {
    const h = checkHandle(L, 1);
    return ioResult(L, () => {
      h[op]();
      lua.lua_pushboolean(L, true);
      return 1;
    });
  });
}

// ------------------------------------------------------------------ fields

const ADDRESS_FIELDS = new Set(['local_ip4', 'local_ip6', 'local_tcpport', 'remote_ip4', 'remote_ip6', 'remote_tcpport']);

/** Fills the socket address fields into the public table at index pub. */
function fillAddressFields(L: LuaState, h: IoHandle, pub: number): void {
  if (h.kind !== 'tcp' || h.fd < 0) return;
  const n = native();
  for (const [side, addr] of [['local', n.getsockname(h.fd)], ['remote', n.getpeername(h.fd)]] as const) {
    if (addr.family !== 'inet' && addr.family !== 'inet6') continue;
    pushLatin1(L, addr.address);
    lua.lua_setfield(L, pub, key(`${side}_ip${addr.family === 'inet' ? 4 : 6}`));
    lua.lua_pushinteger(L, addr.port);
    lua.lua_setfield(L, pub, key(`${side}_tcpport`));
  }
}

/** The handle's public table, created on first use; pushed on the stack. */
function pushPublic(L: LuaState, idx: number): void {
  if (lua.lua_getuservalue(L, idx) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 1);
    lua.lua_newtable(L);
    lua.lua_pushvalue(L, -1);
    lua.lua_setuservalue(L, idx);
  }
}

const ADDRESSES_FILLED = key('\0addresses');

const index = cfunction((L) => {
  const h = checkHandle(L, 1);
  pushPublic(L, 1);
  const pub = lua.lua_gettop(L);
  lua.lua_pushvalue(L, 2);
  if (lua.lua_rawget(L, pub) !== lua.LUA_TNIL) return 1;
  lua.lua_pop(L, 1);
  if (lua.lua_type(L, 2) === lua.LUA_TSTRING) {
    const name = latin1(toBytes(L, 2) as Uint8Array);
    if (ADDRESS_FIELDS.has(name) && lua.lua_getfield(L, pub, ADDRESSES_FILLED) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      lua.lua_pushboolean(L, true);
      lua.lua_setfield(L, pub, ADDRESSES_FILLED);
      try {
        fillAddressFields(L, h, pub);
      } catch {
        // Not connected (yet, for a non-blocking connect in progress, or any
        // more): the remote fields stay nil, and the next lookup tries again.
        lua.lua_pushnil(L);
        lua.lua_setfield(L, pub, ADDRESSES_FILLED);
      }
      lua.lua_pushvalue(L, 2);
      if (lua.lua_rawget(L, pub) !== lua.LUA_TNIL) return 1;
    }
    lua.lua_settop(L, 2);
  }
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, -2);
  return 1;
});

const newindex = cfunction((L) => {
  checkHandle(L, 1);
  pushPublic(L, 1);
  lua.lua_pushvalue(L, 2);
  lua.lua_pushvalue(L, 3);
  lua.lua_rawset(L, -3);
  return 0;
});

const tostring = cfunction((L) => {
  const h = checkHandle(L, 1);
  pushLatin1(L, h.closed ? 'moonbridge_io handle (closed)' : `moonbridge_io handle (fd ${h.fd})`);
  return 1;
});

const METHODS: Record<string, (L: LuaState) => number> = {
  read: readVariant(false, true),
  read_nb: readVariant(false, false),
  read_call: readCall(false),
  drain: readVariant(true, true),
  drain_nb: readVariant(true, false),
  drain_call: readCall(true),
  write,
  write_nb: writeNb,
  write_call: writeCall(false),
  flush,
  flush_nb: flushNb,
  flush_call: writeCall(true),
  finish: ending('finish'),
  close: ending('close'),
  reset: ending('reset'),
};
METHODS.read_yield = yieldVariant(METHODS.read_call);
METHODS.drain_yield = yieldVariant(METHODS.drain_call);
METHODS.write_yield = yieldVariant(METHODS.write_call);
METHODS.flush_yield = yieldVariant(METHODS.flush_call);

/**
 * Creates handle_pt (methods) and handle_mt (the metatable, registered as
 * HANDLE_MT) and pushes them: handle_pt below handle_mt.
 */
export function createHandleTables(L: LuaState): void {
  handles.pushTables(L, METHODS, { __newindex: newindex, __tostring: tostring }, index);
}

export { IoUsageError };
