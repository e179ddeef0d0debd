/**
 * The request object the Lua handler sees: a plain Lua table (so the app may
 * set its own fields) with method, path, query and socket filled in, and a
 * shared metatable whose JS __index supplies methods and lazily computed
 * fields (headers*, params, cookies, body, fresh, faulty...).
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key, latin1, pushInterned, pushLatin1, pushOwnedBytes, rawsetField, toBytes } from '../lua/strings';
import type { Exchange } from './exchange';
import { HttpUsageError } from './errors';
import { parseCookies, parseQuery } from './uri';

const REQUEST_MT = key('moonbridge_http_request');
const exchanges = new WeakMap<object, Exchange>();

/** Methods whose Lua strings are interned (any other method is pushed as a new string). */
const COMMON_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/**
 * Registry reference of the request metatable per Lua universe (global
 * state): the HTTP warm-up runs requests in a Lua state of its own, whose
 * reference numbers mean nothing in the app's state.
 */
const requestMetatableRefs = new WeakMap<object, number>();
const universe = (L: LuaState): object => (L as unknown as { l_G: object }).l_G;

function exchangeOf(L: LuaState, idx: number): Exchange {
  lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
  const ex = exchanges.get(lua.lua_topointer(L, idx) as object);
  if (ex === undefined) lauxlib.luaL_argerror(L, idx, key('HTTP request object expected'));
  if (ex!.faulty) throw new HttpUsageError('Attempt to use a faulty request handle');
  return ex!;
}

/** Runs a response operation; a failing write marks the request faulty (and raises). */
function responding<T>(ex: Exchange, op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (!(err instanceof HttpUsageError)) ex.faulty = true;
    throw err;
  }
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

const METHODS: Record<string, (L: LuaState) => number> = {
  send_status: (L) => {
    const ex = exchangeOf(L, 1);
    const status = checkLatin1(L, 2);
    ex.beforeStatus();
    responding(ex, () => ex.writer.sendStatus(status));
    return 0;
  },
  send_header: (L) => {
    const ex = exchangeOf(L, 1);
    const k = checkLatin1(L, 2);
    const v = latin1(tostringBytes(L, 3));
    responding(ex, () => ex.writer.sendHeader(k, v));
    return 0;
  },
  finish_headers: (L) => {
    const ex = exchangeOf(L, 1);
    responding(ex, () => ex.writer.finishHeaders());
    return 0;
  },
  send_data: (L) => {
    const ex = exchangeOf(L, 1);
    ex.fresh = false;
    const top = lua.lua_gettop(L);
    for (let i = 2; i <= top; i++) {
      const bytes = tostringBytes(L, i);
      responding(ex, () => ex.writer.sendData(bytes));
    }
    return 0;
  },
  flush: (L) => {
    const ex = exchangeOf(L, 1);
    responding(ex, () => ex.writer.flush());
    return 0;
  },
  finish: (L) => {
    const ex = exchangeOf(L, 1);
    responding(ex, () => ex.writer.finish());
    return 0;
  },
  close_after_finish: (L) => {
    const ex = exchangeOf(L, 1);
    ex.writer.closeAfterFinish();
    return 0;
  },
  monologue: (L) => {
    const ex = exchangeOf(L, 1);
    ex.writer.closeAfterFinish();
    ex.fresh = false;
    ex.drainBody();
    return 0;
  },
  consume_input: (L) => {
    const ex = exchangeOf(L, 1);
    ex.fresh = false;
    const streamer = streamers.get(ex);
    if (streamer !== undefined) {
      runStreamer(L, ex, streamer, true);
    } else {
      ex.postFields();
      ex.drainBody();
    }
    return 0;
  },
  stream_request_body: (L) => {
    const ex = exchangeOf(L, 1);
    lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
    if (ex.body.begun) throw new HttpUsageError('Request body has already been read');
    ex.fresh = false;
    lua.lua_pushvalue(L, 2);
    streamers.set(ex, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number);
    return 0;
  },
  stream_request_body_now: (L) => {
    const ex = exchangeOf(L, 1);
    lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
    if (ex.body.begun) throw new HttpUsageError('Request body has already been read');
    ex.fresh = false;
    lua.lua_pushvalue(L, 2);
    runStreamer(L, ex, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number, false);
    return 0;
  },
};

/** Registered body streamers (Lua registry refs), per exchange. */
const streamers = new WeakMap<Exchange, number>();

/** Feeds the body to the Lua callback at registry ref; with endCall, a final call with nil. */
function runStreamer(L: LuaState, ex: Exchange, ref: number, endCall: boolean): void {
  streamers.delete(ex);
  try {
    for (;;) {
      const piece = ex.body.read(ex.options.maximumInputChunkSize);
      if (piece === null) break;
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      pushOwnedBytes(L, piece);
      lua.lua_call(L, 1, 0);
    }
    if (endCall) {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      lua.lua_pushnil(L);
      lua.lua_call(L, 1, 0);
    }
  } finally {
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
  }
}

// ------------------------------------------------------------------ lazy fields

/** Pushes a table mapping keys to the first value (first) or to lists of all values. */
function pushParams(L: LuaState, pairs: Array<[string, string]>, lists: boolean): void {
  lua.lua_newtable(L);
  const t = lua.lua_gettop(L);
  for (const [k, v] of pairs) {
    pushLatin1(L, k);
    if (lists) {
      if (lua.lua_rawget(L, t) === lua.LUA_TNIL) {
        lua.lua_pop(L, 1);
        lua.lua_newtable(L);
        pushLatin1(L, k);
        lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, t);
      }
      pushLatin1(L, v);
      lua.lua_rawseti(L, -2, (lua.lua_rawlen(L, -2) as number) + 1);
      lua.lua_pop(L, 1);
    } else if (lua.lua_rawget(L, t) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      pushLatin1(L, k);
      pushLatin1(L, v);
      lua.lua_rawset(L, t);
    } else {
      lua.lua_pop(L, 1);
    }
  }
}

type HeaderView = (L: LuaState, values: string[] | undefined) => void;

function csvItems(values: string[]): string[] {
  const items: string[] = [];
  for (const v of values) for (const item of v.split(',')) {
    const trimmed = item.trim();
    if (trimmed !== '') items.push(trimmed);
  }
  return items;
}

function pushList(L: LuaState, items: string[]): void {
  lua.lua_createtable(L, items.length, 0);
  items.forEach((item, i) => {
    pushLatin1(L, item);
    lua.lua_rawseti(L, -2, i + 1);
  });
}

const HEADER_VIEWS: Record<string, HeaderView> = {
  headers: (L, values) => pushList(L, values ?? []),
  headers_csv_table: (L, values) => pushList(L, csvItems(values ?? [])),
  headers_csv_string: (L, values) => {
    if (values === undefined) lua.lua_pushnil(L);
    else pushLatin1(L, values.join(', '));
  },
  headers_value: (L, values) => {
    if (values === undefined) lua.lua_pushnil(L);
    else if (values.length > 1) lua.lua_pushboolean(L, false);
    else pushLatin1(L, values[0]);
  },
  headers_flags: (L, values) => {
    lua.lua_newtable(L);
    for (const item of csvItems(values ?? [])) {
      pushLatin1(L, item.toLowerCase());
      lua.lua_pushboolean(L, true);
      lua.lua_rawset(L, -3);
    }
    // lookups of flags are case-insensitive too
    pushCaseInsensitiveMeta(L, (L2) => { lua.lua_pushnil(L2); });
  },
};

/**
 * Sets on the table at the top a metatable whose __index lower-cases string
 * keys, consults the table again, and otherwise calls miss(L) to produce
 * (and cache) a value.
 */
function pushCaseInsensitiveMeta(L: LuaState, miss: (L: LuaState, lower: string) => void): void {
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, cfunction((L2) => {
    if (lua.lua_type(L2, 2) !== lua.LUA_TSTRING) return 0;
    const lower = latin1(toBytes(L2, 2) as Uint8Array).toLowerCase();
    pushLatin1(L2, lower);
    if (lua.lua_rawget(L2, 1) !== lua.LUA_TNIL) return 1;
    lua.lua_pop(L2, 1);
    miss(L2, lower);
    pushLatin1(L2, lower);
    lua.lua_pushvalue(L2, -2);
    lua.lua_rawset(L2, 1);
    return 1;
  }));
  lua.lua_setfield(L, -2, key('__index'));
  lua.lua_setmetatable(L, -2);
}

function pushHeaderTable(L: LuaState, ex: Exchange, view: HeaderView): void {
  lua.lua_newtable(L);
  for (const [name, values] of ex.headers) {
    pushLatin1(L, name);
    view(L, values);
    lua.lua_rawset(L, -3);
  }
  pushCaseInsensitiveMeta(L, (L2, lower) => view(L2, ex.headers.get(lower)));
}

const FIELDS: Record<string, (L: LuaState, ex: Exchange) => boolean /* cache */> = {
  host: (L, ex) => { pushLatin1(L, ex.info.host); return true; },
  get_params: (L, ex) => { pushParams(L, parseQuery(ex.info.query ?? ''), false); return true; },
  get_params_list: (L, ex) => { pushParams(L, parseQuery(ex.info.query ?? ''), true); return true; },
  cookies: (L, ex) => { pushParams(L, parseCookies(ex.headers.get('cookie') ?? []), false); return true; },
  post_params: (L, ex) => { pushParams(L, ex.postFields(), false); return true; },
  post_params_list: (L, ex) => { pushParams(L, ex.postFields(), true); return true; },
  post_metadata: (L, ex) => { ex.postFields(); lua.lua_newtable(L); return true; },
  post_metadata_list: (L, ex) => { ex.postFields(); lua.lua_newtable(L); return true; },
  body: (L, ex) => { pushOwnedBytes(L, Uint8Array.prototype.slice.call(ex.readBody()) as Uint8Array); return true; },
  fresh: (L, ex) => { lua.lua_pushboolean(L, ex.fresh); return false; },
  faulty: (L, ex) => { lua.lua_pushboolean(L, ex.faulty); return false; },
};
for (const name of Object.keys(HEADER_VIEWS)) {
  FIELDS[name] = (L, ex) => { pushHeaderTable(L, ex, HEADER_VIEWS[name]); return true; };
}

const wrappedMethods = new Map<string, (L: LuaState) => number>();
for (const [name, fn] of Object.entries(METHODS)) wrappedMethods.set(name, cfunction(fn));

/** The C function behind request:name(...) (for the TypeScript API's Request, which calls it directly). */
export function requestMethod(name: string): ((L: LuaState) => number) | undefined {
  return wrappedMethods.get(name);
}

const index = cfunction((L) => {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return 0;
  const name = latin1(toBytes(L, 2) as Uint8Array);
  const method = wrappedMethods.get(name);
  if (method !== undefined) {
    lua.lua_pushcfunction(L, method);
    return 1;
  }
  const field = FIELDS[name];
  if (field === undefined) return 0;
  const ex = exchanges.get(lua.lua_topointer(L, 1) as object);
  if (ex === undefined) return 0;
  if (name !== 'faulty' && ex.faulty) throw new HttpUsageError('Attempt to use a faulty request handle');
  if (field(L, ex)) {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, -2);
    lua.lua_rawset(L, 1);
  }
  return 1;
});

/**
 * Creates the shared request metatable (once per Lua state; a forked worker
 * inherits it) and remembers it by registry reference, so that every request
 * table gets it without a lookup by name.
 */
export function registerRequestMetatable(L: LuaState): void {
  if (lauxlib.luaL_newmetatable(L, REQUEST_MT)) {
    lua.lua_pushcfunction(L, index);
    lua.lua_setfield(L, -2, key('__index'));
    lua.lua_pushvalue(L, -1);
    requestMetatableRefs.set(universe(L), lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number);
  }
  lua.lua_pop(L, 1);
}

/** Pushes the request table for ex; the socket handle is at stack index socketIdx. */
export function pushRequest(L: LuaState, ex: Exchange, socketIdx: number): void {
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
  lua.lua_pushvalue(L, socketIdx);
  rawsetField(L, t, 'socket');
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, requestMetatableRefs.get(universe(L)) as number);
  lua.lua_setmetatable(L, t);
  exchanges.set(lua.lua_topointer(L, t) as object, ex);
}

/** Whether the value at idx is a request table (of a request in progress or finished). */
export function isRequestTable(L: LuaState, idx: number): boolean {
  return lua.lua_type(L, idx) === lua.LUA_TTABLE && exchanges.has(lua.lua_topointer(L, idx) as object);
}
