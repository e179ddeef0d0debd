/**
 * Lua error plumbing: the traceback message handler, protected calls from TS,
 * and turning a Lua error value into message text.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { key, text } from './strings';

/** Message handler for lua_pcall: appends a traceback to string messages (as lua.c's msghandler). */
export function tracebackHandler(L: LuaState): number {
  let msg = lua.lua_tostring(L, 1) as Uint8Array | null;
  if (msg === null) {
    if (lauxlib.luaL_callmeta(L, 1, KEY_TOSTRING) &&
        lua.lua_type(L, -1) === lua.LUA_TSTRING) {
      return 1;
    }
    msg = lua.lua_pushfstring(L, fmtNonString, lauxlib.luaL_typename(L, 1)) as Uint8Array;
  }
  lauxlib.luaL_traceback(L, L, msg, 1);
  return 1;
}
const KEY_TOSTRING = key('__tostring');
const fmtNonString = key('(error object is a %s value)');

/** Text of the error value on top of the stack (does not pop). */
export function errorText(L: LuaState, idx = -1): string {
  const bytes = lua.lua_tostring(L, idx) as Uint8Array | null;
  if (bytes !== null) return text(bytes);
  return `(error object is a ${text(lauxlib.luaL_typename(L, idx) as Uint8Array)} value)`;
}

/**
 * Calls the function below nargs arguments on the stack in protected mode
 * with a traceback. Returns null on success (results left on the stack) or
 * the error text (error value popped).
 */
export function pcallTraceback(L: LuaState, nargs: number, nresults: number): string | null {
  const base = lua.lua_gettop(L) - nargs;
  lua.lua_pushcfunction(L, tracebackHandler);
  lua.lua_insert(L, base);
  const status = lua.lua_pcall(L, nargs, nresults, base);
  lua.lua_remove(L, base);
  if (status === lua.LUA_OK) return null;
  const message = errorText(L, -1);
  lua.lua_pop(L, 1);
  return message;
}

/** Raises a Lua error with a plain message (no position prefix), like lua_error on a pushed string. */
export function raise(L: LuaState, message: string): never {
  lua.lua_pushstring(L, new Uint8Array(Buffer.from(message, 'utf8')));
  lua.lua_error(L);
  throw new Error('unreachable');
}

/** Raises a Lua error with the "chunk:line:" position of the calling Lua code, like luaL_error. */
export function raiseWhere(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, new Uint8Array(Buffer.from(message, 'utf8')));
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error('unreachable');
}
