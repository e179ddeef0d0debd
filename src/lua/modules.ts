/**
 * Registering modules in a Lua state: preloaded loaders (found by require)
 * and libraries set as a global and in package.loaded at once (as
 * luaL_requiref with its global flag does).
 */
import { lua, type LuaCFunction, type LuaState } from 'fengari';
import { key } from './strings';

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
