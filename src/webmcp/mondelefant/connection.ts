/**
 * mondelefant's database connection handle: a userdata with the connection
 * metatable, whose uservalue table holds the connection's own fields (fd,
 * engine, and whatever the app stores: prototype, input_converter, ...).
 * Lookups go to that table, then its prototype, then the module's
 * postgresql_connection_prototype and connection_prototype, so mondelefant.lua
 * and apps can add methods. Here: connect, the handle's metamethods and its
 * methods other than try_query/query (./query.ts).
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { cfunction } from '../../lua/cfunction';
import { key, pushBytes, pushOwnedBytes, pushText } from '../../lua/strings';
import { waitFd } from '../../io/fd-wait';
import { native } from '../../native/binding';
import { PgConnection, PgConnectError } from '../postgres/connection';
import { ERRCODE_CONNECTION, firstLine } from './error-codes';
import { CLASS_PROTO_REGKEY, COLUMNS_MT, COLUMNS_RESULT, CONN_MT, ERROROBJECT_MT, K, MODULE_REGKEY, RESULT_MT, optTableArg } from './registry';
import { raiseWhere } from '../../lua/errors';

/** What the userdata carries; pg is null once the connection is closed. */
export class ConnBox {
  constructor(public pg: PgConnection | null, public readonly utf8: boolean) {}
}

/** Sockets of handles the Lua GC dropped without close() (Fengari runs no __gc). */
const orphans = new FinalizationRegistry<PgConnection>((pg) => pg.close());

/** The box of the connection handle at idx (raises if it is no connection). */
export function checkConnBox(L: LuaState, idx: number): ConnBox {
  const box = lauxlib.luaL_checkudata(L, idx, CONN_MT) as { conn?: ConnBox };
  return box.conn as ConnBox;
}

/** The open PostgreSQL connection of the handle at idx (raises if closed). */
export function checkOpen(L: LuaState, idx: number): { box: ConnBox; pg: PgConnection } {
  const box = checkConnBox(L, idx);
  if (box.pg === null) raiseWhere(L, 'PostgreSQL connection has been closed.');
  return { box, pg: box.pg as PgConnection };
}

/** Pushes a new error object {code, message} with the error object metatable. */
export function pushErrorObject(L: LuaState, code: string, message: Uint8Array): void {
  lua.lua_newtable(L);
  lauxlib.luaL_setmetatable(L, ERROROBJECT_MT);
  pushText(L, code);
  lua.lua_setfield(L, -2, K.code);
  pushBytes(L, message);
  lua.lua_setfield(L, -2, K.message);
}

/** The first line of a connection-level error text, as bytes. */
export function connectionMessage(text: string): Uint8Array {
  return firstLine(Buffer.from(text, 'utf8'));
}

/**
 * The conninfo string of a connect{...} table: key='value' pairs, a quote
 * in a value escaped with a backslash. Like the C module it cuts the string
 * at a NUL (so an empty value, which C copies as its terminating NUL, ends
 * the conninfo there).
 */
function conninfoOfTable(L: LuaState): Uint8Array {
  const parts: Uint8Array[] = [];
  lua.lua_settop(L, 1);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) {
    if (!lua.lua_isstring(L, -2)) lauxlib.luaL_argerror(L, 1, key('key in table is not a string'));
    const value = lauxlib.luaL_tolstring(L, -1) as Uint8Array;
    lua.lua_pop(L, 2); // the value and its tostring
    lua.lua_pushvalue(L, -1);
    const name = lua.lua_tolstring(L, -1) as Uint8Array;
    lua.lua_pop(L, 1);
    if (parts.length > 0) parts.push(Buffer.from(' '));
    parts.push(name, Buffer.from("='"));
    const quoted: number[] = [];
    for (const c of value.length === 0 ? [0] : value) {
      if (c === 0x27) quoted.push(0x5c);
      quoted.push(c);
    }
    parts.push(Uint8Array.from(quoted), Buffer.from("'"));
  }
  const all = Buffer.concat(parts);
  const nul = all.indexOf(0);
  return nul < 0 ? all : all.subarray(0, nul);
}

// mondelefant.connect(conninfo | {conninfo=...} | {name=value, ...})
export const connect: LuaCFunction = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
    lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
    if (lua.lua_getfield(L, 1, key('conninfo')) !== lua.LUA_TNIL) {
      if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) lauxlib.luaL_argerror(L, 1, key('"conninfo" value is not a string'));
      lua.lua_replace(L, 1);
    } else {
      const conninfo = conninfoOfTable(L);
      lua.lua_settop(L, 0);
      pushBytes(L, conninfo);
    }
  }
  const bytes = lua.lua_tolstring(L, 1) as Uint8Array;
  const nul = bytes.indexOf(0);
  const conninfo = Buffer.from(nul < 0 ? bytes : bytes.subarray(0, nul)).toString('utf8');
  lua.lua_settop(L, 1);
  let pg: PgConnection;
  try {
    pg = PgConnection.connect(conninfo);
  } catch (err) {
    if (!(err instanceof PgConnectError)) throw err;
    const message = connectionMessage(err.message);
    lua.lua_pushnil(L);
    pushBytes(L, message);
    pushErrorObject(L, ERRCODE_CONNECTION, message);
    return 3;
  }
  const box = new ConnBox(pg, pg.parameterStatus('server_encoding') === 'UTF8');
  const ud = lua.lua_newuserdata(L, 0) as { conn?: ConnBox }; // 2
  ud.conn = box;
  orphans.register(box, pg, box);
  lauxlib.luaL_setmetatable(L, CONN_MT);
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushinteger(L, pg.fd);
  lua.lua_setfield(L, -2, K.fd);
  lua.lua_pushstring(L, key('postgresql'));
  lua.lua_setfield(L, -2, K.engine);
  lua.lua_setuservalue(L, 2);
  return 1;
};

/** Pushes t[k] (k at kIdx) for the table at tIdx if it is truthy; returns whether the result is non-nil. */
function lookupIn(L: LuaState, tIdx: number, kIdx: number): boolean {
  if (!lua.lua_toboolean(L, tIdx)) return false;
  lua.lua_pushvalue(L, kIdx);
  return lua.lua_gettable(L, tIdx) !== lua.LUA_TNIL;
}

// __index of connection handles
const connIndex: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  lua.lua_getuservalue(L, 1); // 3
  lua.lua_pushvalue(L, 2);
  if (lua.lua_gettable(L, 3) !== lua.LUA_TNIL) return 1;
  lua.lua_settop(L, 3);
  lua.lua_getfield(L, 3, K.prototype); // 4
  if (lookupIn(L, 4, 2)) return 1;
  lua.lua_settop(L, 2);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, MODULE_REGKEY); // 3
  lua.lua_getfield(L, 3, key('postgresql_connection_prototype')); // 4
  if (lookupIn(L, 4, 2)) return 1;
  lua.lua_settop(L, 3);
  lua.lua_getfield(L, 3, key('connection_prototype')); // 4
  if (lookupIn(L, 4, 2)) return 1;
  return 0;
};

// __newindex of connection handles: into the uservalue table
const connNewindex: LuaCFunction = (L) => {
  lua.lua_settop(L, 3);
  lua.lua_getuservalue(L, 1);
  lua.lua_pushvalue(L, 2);
  lua.lua_pushvalue(L, 3);
  lua.lua_settable(L, 4);
  return 0;
};

// __gc (kept for the C module's metatable layout; Fengari never calls it, the FinalizationRegistry does the work)
const connGc: LuaCFunction = (L) => {
  const box = checkConnBox(L, 1);
  if (box.pg !== null) {
    orphans.unregister(box);
    box.pg.close();
    box.pg = null;
  }
  return 0;
};

// conn:close()
const close: LuaCFunction = (L) => {
  const { box, pg } = checkOpen(L, 1);
  orphans.unregister(box);
  pg.close();
  box.pg = null;
  lua.lua_pushnil(L);
  lua.lua_setfield(L, 1, K.fd);
  return 0;
};

// conn:is_ok()
const isOk: LuaCFunction = (L) => {
  lua.lua_pushboolean(L, checkOpen(L, 1).pg.isOk());
  return 1;
};

// conn:get_transaction_status(): "idle", "active", "intrans", "inerror" or "unknown"
const getTransactionStatus: LuaCFunction = (L) => {
  pushText(L, checkOpen(L, 1).pg.transactionStatus());
  return 1;
};

/** The longest try_wait timeout the C module accepts: 366 days. */
const MAX_WAIT_SECONDS = 86400 * 366;

// conn:try_wait(timeout): nil, channel, payload, pid for a notification; nil, nil on timeout; an error object on failure
export const tryWait: LuaCFunction = (L) => {
  const { pg } = checkOpen(L, 1);
  let deadline: number | null = null; // ms on the monotonic clock, null = forever
  let nonblock = false;
  if (!lua.lua_isnoneornil(L, 2)) {
    const n = lua.lua_tonumberx(L, 2) as number | false; // false: not convertible
    if (n !== false && n > 0 && n <= MAX_WAIT_SECONDS) deadline = native().monotonic() * 1000 + n * 1000;
    else if (n === 0) nonblock = true;
    else lauxlib.luaL_argerror(L, 2, key('not a valid timeout'));
  }
  const infinite = !nonblock && deadline === null;
  lua.lua_settop(L, 1);
  for (;;) {
    if (!pg.consumeInput()) {
      pushErrorObject(L, ERRCODE_CONNECTION, connectionMessage(pg.errorMessage()));
      return 1;
    }
    const notification = pg.takeNotification();
    if (notification !== undefined) {
      lua.lua_pushnil(L);
      pushBytes(L, notification.channel);
      pushBytes(L, notification.payload);
      lua.lua_pushinteger(L, notification.pid);
      return 4;
    }
    if (nonblock) break;
    if (infinite) {
      waitFd(pg.fd, 'r', null);
      continue;
    }
    const left = (deadline as number) - native().monotonic() * 1000;
    if (left <= 0) break;
    waitFd(pg.fd, 'r', left / 1000);
  }
  lua.lua_pushnil(L);
  lua.lua_pushnil(L);
  return 2;
};

/** A method that calls `tryFn` and raises its error object, or returns its other results. */
export function raising(tryFn: LuaCFunction): LuaCFunction {
  const wrapped = cfunction(tryFn);
  return (L) => {
    const argc = lua.lua_gettop(L);
    lua.lua_pushcfunction(L, wrapped);
    lua.lua_insert(L, 1);
    lua.lua_call(L, argc, lua.LUA_MULTRET);
    if (lua.lua_toboolean(L, 1)) {
      lua.lua_settop(L, 1);
      return lua.lua_error(L) as number;
    }
    return lua.lua_gettop(L) - 1;
  };
}

/** Sets the fields every result list and object has: its metatable, _connection, _type and _class. */
function initResult(L: LuaState, idx: number, type: Uint8Array): void {
  lauxlib.luaL_setmetatable(L, RESULT_MT);
  lua.lua_pushvalue(L, 1);
  lua.lua_setfield(L, idx, K._connection);
  lua.lua_pushstring(L, type);
  lua.lua_setfield(L, idx, K._type);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, CLASS_PROTO_REGKEY);
  lua.lua_setfield(L, idx, K._class);
}

// conn:create_list(table?)
export const createList: LuaCFunction = (L) => {
  checkConnBox(L, 1);
  optTableArg(L, 2);
  initResult(L, 2, K.list);
  return 1;
};

// conn:create_object(): an object with empty _data, _dirty and _ref, and its column proxy _col
export const createObject: LuaCFunction = (L) => {
  checkConnBox(L, 1);
  lua.lua_settop(L, 1);
  lua.lua_newtable(L); // 2
  initResult(L, 2, K.object);
  lua.lua_newtable(L);
  lua.lua_setfield(L, 2, K._data);
  lua.lua_newtable(L);
  lua.lua_setfield(L, 2, K._dirty);
  lua.lua_newtable(L);
  lua.lua_setfield(L, 2, K._ref); // nil: not known, false: NULL, else the referenced object
  lua.lua_newtable(L);
  lauxlib.luaL_setmetatable(L, COLUMNS_MT);
  lua.lua_pushvalue(L, 2);
  lua.lua_rawsetp(L, -2, COLUMNS_RESULT);
  lua.lua_setfield(L, 2, K._col);
  return 1;
};

const QUOTE = Buffer.from("'");

// conn:quote_string(s): an SQL string literal
export const quoteString: LuaCFunction = (L) => {
  const { pg } = checkOpen(L, 1);
  const input = lauxlib.luaL_checklstring(L, 2) as Uint8Array;
  pushOwnedBytes(L, Buffer.concat([QUOTE, pg.escapeString(input), QUOTE]));
  return 1;
};

// conn:quote_binary(s): a bytea literal
const quoteBinary: LuaCFunction = (L) => {
  const { pg } = checkOpen(L, 1);
  const input = lauxlib.luaL_checklstring(L, 2) as Uint8Array;
  pushOwnedBytes(L, Buffer.concat([QUOTE, pg.escapeBytea(input), QUOTE]));
  return 1;
};

export const CONN_METAMETHODS: Record<string, LuaCFunction> = { __gc: connGc, __index: connIndex, __newindex: connNewindex };

export const CONN_METHODS: Record<string, LuaCFunction> = {
  close, is_ok: isOk, get_transaction_status: getTransactionStatus, try_wait: tryWait, wait: raising(tryWait),
  create_list: createList, create_object: createObject, quote_string: quoteString, quote_binary: quoteBinary,
};
