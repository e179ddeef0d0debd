/**
 * Creating the Fengari Lua state the app runs in: the standard libraries,
 * then whatever globals and modules the host registers.
 */
import { lua, lauxlib, lualib, type LuaCFunction, type LuaState } from 'fengari';
import { key, pushText } from './strings';
import { pcallTraceback, errorText } from './errors';

export function createLuaState(): LuaState {
  const L = lauxlib.luaL_newstate() as LuaState;
  if (!L) throw new Error('cannot create a Lua state');
  lualib.luaL_openlibs(L);
  return L;
}

/** Registers a module loader in package.preload, so that require(name) finds it. */
export function preloadModule(L: LuaState, name: string, loader: LuaCFunction): void {
  lua.lua_getglobal(L, key('package'));
  lua.lua_getfield(L, -1, key('preload'));
  lua.lua_pushcfunction(L, loader);
  lua.lua_setfield(L, -2, key(name));
  lua.lua_pop(L, 2);
}

/** Sets global `name` and package.loaded[name] to the value on top of the stack (popped). */
export function setGlobalModule(L: LuaState, name: string): void {
  lua.lua_getglobal(L, key('package'));
  lua.lua_getfield(L, -1, key('loaded'));
  lua.lua_pushvalue(L, -3);
  lua.lua_setfield(L, -2, key(name));
  lua.lua_pop(L, 2);
  lua.lua_setglobal(L, key(name));
}

export type ScriptResult = { ok: true } | { ok: false; phase: 'loading' | 'executing'; message: string };

/** Loads and runs a script file with the given arguments as `...`, keeping nresults results on the stack. */
export function runScript(L: LuaState, file: string, args: readonly string[], nresults = 0): ScriptResult {
  const status = lauxlib.luaL_loadfile(L, Buffer.from(file, 'utf8')) as number;
  if (status !== lua.LUA_OK) {
    const message = errorText(L, -1);
    lua.lua_pop(L, 1);
    return { ok: false, phase: 'loading', message };
  }
  for (const arg of args) pushText(L, arg);
  const error = pcallTraceback(L, args.length, nresults);
  if (error !== null) return { ok: false, phase: 'executing', message: error };
  return { ok: true };
}
