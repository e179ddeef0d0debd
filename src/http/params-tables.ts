/**
 * The GET/POST parameter tables of Moonbridge's request object, with the
 * behaviour of the real server's new_params_list: a list table mapping each
 * name to the sequence of its values, where a missing name gives (and
 * stores) an empty sequence, and a first-value table reading through it;
 * pairs() on either skips names without values. Apps index the list table
 * without checking for nil (`#request.post_params_list.x`), so plain tables
 * would not do. The metamethods are C functions (a Lua version cost about
 * 40 us per request to build and iterate 10 fields in Fengari). The real
 * server keeps the list in a weak table keyed by the first-value table;
 * Fengari never clears weak tables, so here each first-value table has its
 * own metatable holding its list at index 1.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key, pushLatin1, pushOwnedBytes } from '../lua/strings';

const LIST_MT = key('moonbridge_http_params_list');

/** next() skipping names whose sequence is empty. */
const nextNonEmpty = cfunction((L) => {
  lua.lua_settop(L, 2);
  while (lua.lua_next(L, 1) !== 0) {
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE && (lua.lua_rawlen(L, -1) as number) > 0) return 2;
    lua.lua_pop(L, 1);
  }
  return 0;
});

/** next() over a list table giving each name's first value. */
const nextFirstValue = cfunction((L) => {
  lua.lua_settop(L, 2);
  while (lua.lua_next(L, 1) !== 0) {
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      if (lua.lua_rawgeti(L, -1, 1) !== lua.LUA_TNIL) {
        lua.lua_remove(L, -2);
        return 2;
      }
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  return 0;
});

const listMethods: Record<string, (L: LuaState) => number> = {
  // list[name] of a name not sent: a new empty sequence, stored
  __index: cfunction((L) => {
    lua.lua_settop(L, 2);
    lua.lua_newtable(L);
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, -2);
    lua.lua_rawset(L, 1);
    return 1;
  }),
  __pairs: cfunction((L) => {
    lua.lua_pushcfunction(L, nextNonEmpty);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushnil(L);
    return 3;
  }),
};

/** Pushes the list table of the first-value table at idx (from its metatable). */
function pushListOf(L: LuaState, idx: number): void {
  if (!lua.lua_getmetatable(L, idx)) lauxlib.luaL_error(L, key('parameter table expected'));
  lua.lua_rawgeti(L, -1, 1);
  lua.lua_remove(L, -2);
}

const firstMethods: Record<string, (L: LuaState) => number> = {
  __index: cfunction((L) => {
    pushListOf(L, 1);
    lua.lua_pushvalue(L, 2);
    lua.lua_gettable(L, -2);
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return 0;
    lua.lua_rawgeti(L, -1, 1);
    return 1;
  }),
  // params[name] = value replaces the name's values by {value}
  __newindex: cfunction((L) => {
    pushListOf(L, 1);
    lua.lua_pushvalue(L, 2);
    lua.lua_createtable(L, 1, 0);
    lua.lua_pushvalue(L, 3);
    lua.lua_rawseti(L, -2, 1);
    lua.lua_settable(L, -3);
    return 0;
  }),
  __pairs: cfunction((L) => {
    lua.lua_pushcfunction(L, nextFirstValue);
    pushListOf(L, 1);
    lua.lua_pushnil(L);
    return 3;
  }),
};

function pushListMetatable(L: LuaState): void {
  if (lauxlib.luaL_newmetatable(L, LIST_MT)) {
    for (const [name, fn] of Object.entries(listMethods)) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, key(name));
    }
  }
}

/** Pushes a new list table and its first-value table (in that order). */
function pushNewParamsList(L: LuaState): void {
  lua.lua_newtable(L);
  pushListMetatable(L);
  lua.lua_setmetatable(L, -2);
  lua.lua_newtable(L);
  lua.lua_createtable(L, 1, 3);
  for (const [name, fn] of Object.entries(firstMethods)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, key(name));
  }
  lua.lua_pushvalue(L, -3);
  lua.lua_rawseti(L, -2, 1);
  lua.lua_setmetatable(L, -2);
}

export type ParamValue = string | Uint8Array;

/**
 * Pushes the list table and the first-value table (in that order) for the
 * name/value pairs; pushValue pushes a value of another kind (metadata).
 */
export function pushParamsTables<V>(L: LuaState, pairs: Array<[string, V]>, pushValue?: (L: LuaState, v: V) => void): void {
  pushNewParamsList(L);
  const list = lua.lua_absindex(L, -2);
  for (const [k, v] of pairs) {
    pushLatin1(L, k);
    if (lua.lua_rawget(L, list) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      lua.lua_createtable(L, 1, 0);
      pushLatin1(L, k);
      lua.lua_pushvalue(L, -2);
      lua.lua_rawset(L, list);
    }
    if (pushValue !== undefined) pushValue(L, v);
    else if (typeof v === 'string') pushLatin1(L, v);
    else pushOwnedBytes(L, v as Uint8Array);
    lua.lua_rawseti(L, -2, (lua.lua_rawlen(L, -2) as number) + 1);
    lua.lua_pop(L, 1);
  }
}
