/**
 * What the parts of the json module (../json.ts) share: json.c's layout of
 * a JSON value in Lua. A JSON object or array is an empty "proxy" table with
 * the module's object or array metatable; its contents live in a "shadow"
 * table stored in the proxy under a private lightuserdata key; JSON null is
 * the lightuserdata json.null.
 */
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari';

/** The null marker (a lightuserdata, as json.c's &json_lightuserdata.nullmark). */
export const NULL_MARK = { json: 'null marker' };
/** Key of the shadow table in a proxy. */
export const SHADOW = { json: 'shadow table' };
/** Registry keys of the two metatables. */
export const OBJECT_MT = { json: 'object metatable' };
export const ARRAY_MT = { json: 'array metatable' };

export const s = (text: string): Uint8Array => to_luastring(text);

export function fail(L: LuaState, message: string): never {
  lauxlib.luaL_error(L, s('%s'), s(message));
  throw new Error('unreachable');
}

export function isNull(L: LuaState, idx: number): boolean {
  return lua.lua_type(L, idx) === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, idx) === NULL_MARK;
}

export function pushNull(L: LuaState): void {
  lua.lua_pushlightuserdata(L, NULL_MARK);
}

/** Pushes the shadow table of the value at idx (nil if none; nil also for a non-table). */
export function getShadow(L: LuaState, idx: number): void {
  if (lua.lua_type(L, idx) === lua.LUA_TTABLE) lua.lua_rawgetp(L, idx, SHADOW);
  else lua.lua_pushnil(L);
}

/** Pushes a new proxy with an empty shadow table and metatable mt (a registry key). */
export function pushProxy(L: LuaState, mt: object): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_newtable(L);
  lua.lua_rawsetp(L, -2, SHADOW);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, mt);
  lua.lua_setmetatable(L, -2);
}
