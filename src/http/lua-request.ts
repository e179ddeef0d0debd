/**
 * The request object the Lua handler sees: a plain Lua table (so the app may
 * set its own fields) with method, path, query and socket filled in, and a
 * metatable whose __index supplies methods and lazily computed fields
 * (headers*, params, cookies, body, fresh, faulty...).
 *
 * Methods and fields are written once as implementations that either finish
 * at once or return an operation (driver.ts) for the parts that wait or call
 * back into Lua. The native metatable runs operations with runNative; the
 * one of a generate_handler with poll_function (poll-driver.ts) runs them
 * from Lua.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key, latin1, pushInterned, pushLatin1, pushOwnedBytes, rawsetField, toBytes } from '../lua/strings';
import type { Connection } from './connection';
import type { Exchange } from './exchange';
import { HttpUsageError } from './errors';
import { IoError } from '../io/handle';
import { parseCookies, parseQuery } from './uri';
import { runNative, type Op } from './driver';
import { HEADER_VIEWS, pushHeaderTable } from './request-headers';
import { pushParamsTables } from './params-tables';
import { pushMetadata } from './post-fields';

const REQUEST_MT = key('moonbridge_http_request');
const exchanges = new WeakMap<object, Exchange>();

/** Methods whose Lua strings are interned (any other method is pushed as a new string). */
const COMMON_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/** What a method does: finishes at once (results pushed, their count), or an operation whose result pushes them. */
export type MethodResult = number | Op<((L: LuaState) => number) | void>;
export type MethodImpl = (L: LuaState, ex: Exchange) => MethodResult;

/** The exchange of the request table at idx (raising for other values and faulty requests). */
export function exchangeOf(L: LuaState, idx: number): Exchange {
  lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
  const ex = exchanges.get(lua.lua_topointer(L, idx) as object);
  if (ex === undefined) lauxlib.luaL_argerror(L, idx, key('HTTP request object expected'));
  if (ex!.faulty) throw new HttpUsageError('Tried to use faulty request handle');
  return ex!;
}

/**
 * A failed response operation: the request becomes faulty; a write error
 * resets the connection and raises Moonbridge's "Could not send data to
 * client: ..." (usage errors pass unchanged and leave the request usable).
 */
function sendFailure(ex: Exchange, err: unknown): unknown {
  if (err instanceof HttpUsageError) return err;
  ex.faulty = true;
  if (!(err instanceof IoError)) return err;
  if (!ex.conn.handle.closed) ex.conn.handle.reset();
  return new Error(`Could not send data to client: ${err.message}`);
}

/** Runs a response operation (see sendFailure). */
function responding<T>(ex: Exchange, op: () => T): T {
  try {
    return op();
  } catch (err) {
    throw sendFailure(ex, err);
  }
}

/** Pushes the queued output (all of it, or down to the high-water mark), see sendFailure. */
function* flushing(ex: Exchange, all: boolean): Op<void> {
  try {
    yield* ex.conn.flushOutput(all);
  } catch (err) {
    throw sendFailure(ex, err);
  }
}

/** 0 results, after flushing if output is pending. */
function afterOutput(ex: Exchange, all: boolean): MethodResult {
  return ex.conn.outputPending(all) ? flushing(ex, all) : 0;
}

/** Converts argument i with tostring() semantics to bytes. */
function tostringBytes(L: LuaState, i: number): Uint8Array {
  if (lua.lua_type(L, i) === lua.LUA_TSTRING) return toBytes(L, i) as Uint8Array;
  const bytes = lauxlib.luaL_tolstring(L, i) as Uint8Array;
  lua.lua_pop(L, 1);
  return bytes;
}

function checkLatin1(L: LuaState, i: number): string {
  return latin1(lauxlib.luaL_checklstring(L, i) as Uint8Array);
}

// ------------------------------------------------------------------ methods

export const METHODS: Record<string, MethodImpl> = {
  send_status: (L, ex) => {
    const status = checkLatin1(L, 2);
    if (ex.beforeStatus()) {
      return (function* () {
        yield* ex.postFields();
        responding(ex, () => ex.writer.sendStatus(status));
      })();
    }
    responding(ex, () => ex.writer.sendStatus(status));
    return 0;
  },
  send_header: (L, ex) => {
    const k = checkLatin1(L, 2);
    const v = latin1(tostringBytes(L, 3));
    responding(ex, () => ex.writer.sendHeader(k, v));
    return 0;
  },
  finish_headers: (L, ex) => {
    responding(ex, () => ex.writer.finishHeaders());
    return afterOutput(ex, true);
  },
  send_data: (L, ex) => {
    ex.fresh = false;
    const top = lua.lua_gettop(L);
    for (let i = 2; i <= top; i++) {
      const bytes = tostringBytes(L, i);
      responding(ex, () => ex.writer.sendData(bytes));
    }
    return afterOutput(ex, false);
  },
  flush: (L, ex) => {
    responding(ex, () => ex.writer.flush());
    return afterOutput(ex, true);
  },
  finish: (L, ex) => {
    responding(ex, () => ex.writer.finish());
    return afterOutput(ex, true);
  },
  close_after_finish: (L, ex) => {
    ex.writer.closeAfterFinish();
    return 0;
  },
  monologue: (L, ex) => {
    ex.monologue();
    return 0;
  },
  consume_input: (L, ex) => ex.consumeInput(),
  stream_request_body: (L, ex) => {
    lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
    ex.setBodyStreamer(L, 2);
    return 0;
  },
  stream_request_body_now: (L, ex) => {
    lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
    ex.setBodyStreamer(L, 2);
    return ex.consumeInput(false);
  },
  stream_post_param: (L, ex) => {
    const name = checkLatin1(L, 2);
    lauxlib.luaL_checktype(L, 3, lua.LUA_TFUNCTION);
    ex.addFieldStreamer(L, name, 3);
    return 0;
  },
  stream_post_params: (L, ex) => {
    const pattern = lauxlib.luaL_checklstring(L, 2) as Uint8Array;
    lauxlib.luaL_checktype(L, 3, lua.LUA_TFUNCTION);
    ex.addPatternStreamer(L, pattern, 3);
    return 0;
  },
};

// ------------------------------------------------------------------ lazy fields

/** The value on top of the stack becomes request[name] (raw), staying on the stack. */
function cacheField(L: LuaState, ex: Exchange, name: string): void {
  ex.pushRequestTable(L);
  pushLatin1(L, name);
  lua.lua_pushvalue(L, -3);
  lua.lua_rawset(L, -3);
  lua.lua_pop(L, 1);
}

/**
 * Pushes a list table and its first-value table, caches both under their
 * names, and leaves the one asked for on the stack.
 */
function pushParamsPair<V>(L: LuaState, ex: Exchange, name: string, listName: string, firstName: string,
  pairs: Array<[string, V]>, pushValue?: (L: LuaState, v: V) => void): void {
  pushParamsTables(L, pairs, pushValue);
  cacheField(L, ex, firstName);
  lua.lua_pushvalue(L, -2);
  cacheField(L, ex, listName);
  lua.lua_pop(L, 1);
  if (name === firstName) lua.lua_remove(L, -2);
  else lua.lua_pop(L, 1);
}

/**
 * A field: pushes its value and returns whether to cache it in the request
 * table, or returns an operation whose result pushes (and caches) it.
 */
export type FieldImpl = (L: LuaState, ex: Exchange, name: string) => boolean | Op<(L: LuaState) => void>;

function* postField(ex: Exchange, name: string): Op<(L: LuaState) => void> {
  const fields = yield* ex.postFields();
  return (L) => {
    // All four are set at once, as in Moonbridge.
    const wantMeta = name === 'post_metadata' || name === 'post_metadata_list';
    if (wantMeta) {
      pushParamsPair(L, ex, 'post_params', 'post_params_list', 'post_params', fields.params);
      lua.lua_pop(L, 1);
      pushParamsPair(L, ex, name, 'post_metadata_list', 'post_metadata', fields.metadata, pushMetadata);
    } else {
      pushParamsPair(L, ex, 'post_metadata', 'post_metadata_list', 'post_metadata', fields.metadata, pushMetadata);
      lua.lua_pop(L, 1);
      pushParamsPair(L, ex, name, 'post_params_list', 'post_params', fields.params);
    }
  };
}

function* bodyField(ex: Exchange): Op<(L: LuaState) => void> {
  const body = yield* ex.readBody();
  return (L) => {
    pushOwnedBytes(L, body);
    cacheField(L, ex, 'body');
  };
}

export const FIELDS: Record<string, FieldImpl> = {
  host: (L, ex) => { pushLatin1(L, ex.info.host); return true; },
  get_params: (L, ex, name) => {
    ex.rememberRequest(L, 1);
    pushParamsPair(L, ex, name, 'get_params_list', 'get_params', parseQuery(ex.info.query ?? ''));
    return false;
  },
  // As in Moonbridge, a cookie sent twice keeps its last value.
  cookies: (L, ex) => {
    lua.lua_newtable(L);
    for (const [k, v] of parseCookies(ex.headers.get('cookie') ?? [])) {
      pushLatin1(L, k);
      pushLatin1(L, v);
      lua.lua_rawset(L, -3);
    }
    return true;
  },
  post_params: (L, ex, name) => postField(ex, name),
  body: (L, ex) => bodyField(ex),
  fresh: (L, ex) => { lua.lua_pushboolean(L, ex.fresh); return false; },
  faulty: (L, ex) => { lua.lua_pushboolean(L, ex.faulty); return false; },
};
FIELDS.get_params_list = FIELDS.get_params;
FIELDS.post_params_list = FIELDS.post_metadata = FIELDS.post_metadata_list = FIELDS.post_params;
for (const name of Object.keys(HEADER_VIEWS)) {
  FIELDS[name] = (L, ex) => { pushHeaderTable(L, ex, HEADER_VIEWS[name]); return true; };
}

/** The exchange of request table idx for a field lookup (faulty requests only answer "faulty"). */
export function fieldExchange(L: LuaState, idx: number, name: string): Exchange | undefined {
  const ex = exchanges.get(lua.lua_topointer(L, idx) as object);
  if (ex !== undefined && name !== 'faulty' && ex.faulty) throw new HttpUsageError('Tried to use faulty request handle');
  return ex;
}

/**
 * request[key] for a lazy field (request at index 1, key at 2): pushes the
 * value (cached in the request table if it may be) and returns 1, returns 0
 * for no such field, or returns the operation that computes the value.
 */
export function lookupField(L: LuaState): number | { ex: Exchange; op: Op<(L: LuaState) => void> } {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return 0;
  const name = latin1(toBytes(L, 2) as Uint8Array);
  const field = FIELDS[name];
  if (field === undefined) return 0;
  const ex = fieldExchange(L, 1, name);
  if (ex === undefined) return 0;
  const r = field(L, ex, name);
  if (typeof r !== 'boolean') {
    ex.rememberRequest(L, 1);
    return { ex, op: r };
  }
  if (r) {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, -2);
    lua.lua_rawset(L, 1);
  }
  return 1;
}

// ------------------------------------------------------------------ native metatable

/** A method as a C function that waits natively. */
function nativeMethod(impl: MethodImpl) {
  return cfunction((L) => {
    const ex = exchangeOf(L, 1);
    const r = impl(L, ex);
    if (typeof r === 'number') return r;
    const push = runNative(L, r);
    return push === undefined ? 0 : push(L);
  });
}

const nativeMethods = new Map<string, (L: LuaState) => number>();
for (const [name, impl] of Object.entries(METHODS)) nativeMethods.set(name, nativeMethod(impl));

/** The C function behind request:name(...) (for the TypeScript API's Request, which calls it directly). */
export function requestMethod(name: string): ((L: LuaState) => number) | undefined {
  return nativeMethods.get(name);
}

const nativeIndex = cfunction((L) => {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return 0;
  const name = latin1(toBytes(L, 2) as Uint8Array);
  const method = nativeMethods.get(name);
  if (method !== undefined) {
    lua.lua_pushcfunction(L, method);
    return 1;
  }
  const r = lookupField(L);
  if (typeof r === 'number') return r;
  runNative(L, r.op)(L);
  return 1;
});

/**
 * Registry reference of the request metatable per Lua universe (global
 * state): the HTTP warm-up runs requests in a Lua state of its own, whose
 * reference numbers mean nothing in the app's state.
 */
const requestMetatableRefs = new WeakMap<object, number>();
const universe = (L: LuaState): object => (L as unknown as { l_G: object }).l_G;

/**
 * The shared native request metatable (created once per Lua state; a forked
 * worker inherits it), as a registry reference.
 */
export function nativeRequestMetatable(L: LuaState): number {
  let ref = requestMetatableRefs.get(universe(L));
  if (ref === undefined) {
    lauxlib.luaL_newmetatable(L, REQUEST_MT);
    lua.lua_pushcfunction(L, nativeIndex);
    lua.lua_setfield(L, -2, key('__index'));
    ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    requestMetatableRefs.set(universe(L), ref);
  }
  return ref;
}

/** Pushes the request table for ex. */
export function pushRequest(L: LuaState, ex: Exchange, conn: Connection): void {
  lua.lua_createtable(L, 0, 6);
  const t = lua.lua_gettop(L);
  const method = ex.head.method;
  if (COMMON_METHODS.has(method)) pushInterned(L, method);
  else pushLatin1(L, method);
  rawsetField(L, t, 'method');
  if (ex.info.path !== null) {
    pushLatin1(L, ex.info.path);
    rawsetField(L, t, 'path');
    pushLatin1(L, ex.info.query ?? '');
    rawsetField(L, t, 'query');
  }
  conn.pushSocket(L);
  rawsetField(L, t, 'socket');
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, conn.requestMetatableRef);
  lua.lua_setmetatable(L, t);
  exchanges.set(lua.lua_topointer(L, t) as object, ex);
}

/** Whether the value at idx is a request table (of a request in progress or finished). */
export function isRequestTable(L: LuaState, idx: number): boolean {
  return lua.lua_type(L, idx) === lua.LUA_TTABLE && exchanges.has(lua.lua_topointer(L, idx) as object);
}
