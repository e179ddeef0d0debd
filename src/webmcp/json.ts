/**
 * WebMCP 2.1.0's `json` C module (libraries/json/json.c) in TypeScript:
 * json.object, array, import, export, get, type, set and null, with the same
 * results, messages and metatable behaviour.
 *
 * Layout as in C: a JSON object or array is an empty "proxy" table whose
 * metatable is the module's object or array metatable; its contents live in
 * a "shadow" table stored in the proxy under a private lightuserdata key.
 * JSON null inside a document is the lightuserdata json.null (reads as nil
 * through __index, pairs and json.get). json.import and json.export are in
 * json/import.ts and json/export.ts, what all three share in json/values.ts.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { ARRAY_MT, OBJECT_MT, SHADOW, fail, getShadow, isNull, pushNull, pushProxy, s } from './json/values';
import { jsonImport } from './json/import';
import { jsonExport } from './json/export';

// json.object(source)
function jsonObject(L: LuaState): number {
  if (lua.lua_isnoneornil(L, 1)) {
    pushProxy(L, OBJECT_MT);
    return 1;
  }
  lua.lua_settop(L, 1);
  if (lauxlib.luaL_getmetafield(L, 1, s('__pairs')) !== lua.LUA_TNIL) {
    if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return fail(L, '__pairs metamethod is not a function');
  } else {
    lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
    lua.lua_pushnil(L);
  }
  pushProxy(L, OBJECT_MT); // 3
  lua.lua_rawgetp(L, 3, SHADOW); // 4
  if (lua.lua_isnil(L, 2)) {
    for (lua.lua_pushnil(L); lua.lua_next(L, 1); lua.lua_pop(L, 1)) {
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
        lua.lua_pushvalue(L, -2);
        lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, 4);
      }
    }
  } else {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 1, 3); // 5: iterator, 6: state, 7: control
    for (;;) {
      lua.lua_pushvalue(L, 5);
      lua.lua_pushvalue(L, 6);
      lua.lua_pushvalue(L, -3);
      lua.lua_remove(L, -4);
      lua.lua_call(L, 2, 2);
      if (lua.lua_isnil(L, -2)) break;
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
        lua.lua_pushvalue(L, -2);
        if (lua.lua_isnil(L, -2)) pushNull(L);
        else lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, 4);
      }
      lua.lua_pop(L, 1);
    }
  }
  lua.lua_settop(L, 3);
  return 1;
}

// json.array(source)
function jsonArray(L: LuaState): number {
  if (lua.lua_isnoneornil(L, 1)) {
    pushProxy(L, ARRAY_MT);
    return 1;
  }
  lua.lua_settop(L, 1);
  pushProxy(L, ARRAY_MT); // 2
  lua.lua_rawgetp(L, 2, SHADOW); // 3
  const len = lauxlib.luaL_len(L, 1) as number;
  for (let i = 1; i <= len; i++) {
    lua.lua_pushinteger(L, i);
    lua.lua_gettable(L, 1);
    if (lua.lua_isnil(L, -1)) {
      lua.lua_pop(L, 1);
      pushNull(L);
    }
    lua.lua_rawseti(L, 3, i);
  }
  lua.lua_settop(L, 2);
  return 1;
}

/** json_path of json.c: json.get (typeMode false) and json.type (true). */
function jsonPath(L: LuaState, typeMode: boolean): number {
  lauxlib.luaL_checkany(L, 1);
  const top = lua.lua_gettop(L);
  lua.lua_pushvalue(L, 1);
  for (let idx = 2; idx <= top; idx++) {
    if (lua.lua_isnil(L, -1)) return 1;
    getShadow(L, -1);
    if (lua.lua_isnil(L, -1)) {
      if (lua.lua_type(L, -2) !== lua.LUA_TTABLE) return 1;
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, idx);
      lua.lua_gettable(L, -2);
    } else {
      lua.lua_replace(L, -2);
      lua.lua_pushvalue(L, idx);
      lua.lua_rawget(L, -2);
    }
    lua.lua_replace(L, -2);
  }
  if (!typeMode) {
    if (isNull(L, -1)) lua.lua_pushnil(L);
    return 1;
  }
  if (isNull(L, -1)) {
    lua.lua_pushstring(L, s('null'));
    return 1;
  }
  if (lua.lua_getmetatable(L, -1)) {
    lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT);
    if (lua.lua_rawequal(L, -2, -1)) { lua.lua_pushstring(L, s('object')); return 1; }
    lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
    if (lua.lua_rawequal(L, -3, -1)) { lua.lua_pushstring(L, s('array')); return 1; }
    lua.lua_pop(L, 3);
  }
  lua.lua_pushstring(L, lua.lua_typename(L, lua.lua_type(L, -1)));
  return 1;
}

// json.set(document, value, key1, ...)
function jsonSet(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1);
  lauxlib.luaL_checkany(L, 2);
  lauxlib.luaL_checkany(L, 3);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT);
  lua.lua_insert(L, 1);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
  lua.lua_insert(L, 2);
  const top = lua.lua_gettop(L);
  lua.lua_pushnil(L); // parent
  lua.lua_pushvalue(L, 3); // current
  for (let idx = 5; idx <= top; idx++) {
    if (!lua.lua_getmetatable(L, -1)) lua.lua_pushnil(L);
    const t = lua.lua_type(L, idx);
    if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
      const mtIdx = t === lua.LUA_TSTRING ? 1 : 2;
      if (lua.lua_rawequal(L, -1, mtIdx) || (lua.lua_isnil(L, -1) && lua.lua_type(L, -2) === lua.LUA_TTABLE)) {
        lua.lua_pop(L, 1);
      } else {
        lua.lua_pop(L, 2);
        if (lua.lua_isnil(L, -1)) return fail(L, t === lua.LUA_TSTRING ? 'Root element is not a JSON object' : 'Root element is not a JSON array');
        pushProxy(L, t === lua.LUA_TSTRING ? OBJECT_MT : ARRAY_MT);
        lua.lua_pushvalue(L, idx - 1);
        lua.lua_pushvalue(L, -2);
        lua.lua_settable(L, -4);
      }
    } else {
      lauxlib.luaL_error(L, s('Invalid path key of type %s'), lua.lua_typename(L, t));
    }
    if (idx === top) {
      lua.lua_pushvalue(L, idx);
      lua.lua_pushvalue(L, 4);
      lua.lua_settable(L, -3);
    } else {
      lua.lua_remove(L, -2);
      lua.lua_pushvalue(L, idx);
      lua.lua_gettable(L, -2);
    }
  }
  lua.lua_settop(L, 3);
  return 1;
}

// __len: the raw length of the shadow table, as a float (lua_pushnumber in C)
function mtLen(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 1);
  getShadow(L, 1);
  if (lua.lua_isnil(L, -1)) lua.lua_pop(L, 1);
  lua.lua_pushnumber(L, lua.lua_rawlen(L, -1));
  return 1;
}

function shadowFirst(L: LuaState, top: number): void {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, top);
  getShadow(L, 1);
  if (lua.lua_isnil(L, -1)) fail(L, 'Shadow table not found');
  lua.lua_replace(L, 1);
}

function mtIndex(L: LuaState): number {
  shadowFirst(L, 2);
  lua.lua_rawget(L, 1);
  if (isNull(L, 2)) lua.lua_pushnil(L);
  return 1;
}

function mtNewindex(L: LuaState): number {
  shadowFirst(L, 3);
  lua.lua_rawset(L, 1);
  return 0;
}

function pairsIter(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 2);
  if (!lua.lua_next(L, 1)) return 0;
  if (isNull(L, -1)) {
    lua.lua_pop(L, 1);
    lua.lua_pushnil(L);
  }
  return 2;
}

/** __pairs and __ipairs: the iterator, the shadow table of argument 1 and the first key (nil or 0). */
function iterateShadow(L: LuaState, iter: (L: LuaState) => number, ordered: boolean): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_pushcfunction(L, iter);
  getShadow(L, 1);
  if (lua.lua_isnil(L, -1)) return fail(L, 'Shadow table not found');
  if (ordered) lua.lua_pushinteger(L, 0);
  else lua.lua_pushnil(L);
  return 3;
}

function mtPairs(L: LuaState): number {
  return iterateShadow(L, pairsIter, false);
}

function ipairsIter(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 2);
  const idx = (lua.lua_tointeger(L, 2) as number) + 1;
  lua.lua_rawgeti(L, 1, idx);
  if (lua.lua_isnil(L, 3)) return 0;
  lua.lua_pushinteger(L, idx);
  if (isNull(L, 3)) lua.lua_pushnil(L);
  else lua.lua_pushvalue(L, 3);
  return 2;
}

function mtIpairs(L: LuaState): number {
  return iterateShadow(L, ipairsIter, true);
}

function nullToString(L: LuaState): number {
  lua.lua_pushstring(L, s('<JSON null marker>'));
  return 1;
}

const FUNCTIONS: Array<[string, (L: LuaState) => number]> = [
  ['object', jsonObject],
  ['array', jsonArray],
  ['import', jsonImport],
  ['export', jsonExport],
  ['get', (L) => jsonPath(L, false)],
  ['type', (L) => jsonPath(L, true)],
  ['set', jsonSet],
];

const METAMETHODS: Array<[string, (L: LuaState) => number]> = [
  ['__len', mtLen],
  ['__index', mtIndex],
  ['__newindex', mtNewindex],
  ['__pairs', mtPairs],
  ['__ipairs', mtIpairs],
  ['__tostring', jsonExport],
];

function setFunctions(L: LuaState, list: Array<[string, (L: LuaState) => number]>): void {
  for (const [name, f] of list) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, s(name));
  }
}

/** luaopen_json: the module table. */
export function openJson(L: LuaState): number {
  lua.lua_settop(L, 0);
  lua.lua_newtable(L);
  setFunctions(L, FUNCTIONS);
  lua.lua_newtable(L);
  setFunctions(L, METAMETHODS);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT);
  lua.lua_newtable(L);
  setFunctions(L, METAMETHODS);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
  pushNull(L);
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, nullToString);
  lua.lua_setfield(L, -2, s('__tostring'));
  lua.lua_setmetatable(L, -2);
  lua.lua_setfield(L, 1, s('null'));
  return 1;
}
