/**
 * Built-in replacements for WebMCP's C modules (json, multirand, extos,
 * mondelefant_native, webmcp_accelerator), registered in every app's
 * package.preload: require finds them where it would find the C module,
 * which is never loaded (a compiled .so of that name may sit on
 * package.cpath). As a C module comes after package.path, an app's own Lua
 * file of that name on package.path wins, and so does its JS replacement
 * (name.js next to the app, see src/api/modules.ts). Each entry is a module
 * name and its opener (luaopen_<name>); the module's file is loaded on the
 * first require.
 */
import { lua, type LuaCFunction, type LuaState } from 'fengari';
import { preloadModule } from '../lua/modules';
import { key } from '../lua/strings';

/* eslint-disable @typescript-eslint/no-require-imports */
export const WEBMCP_MODULES: ReadonlyArray<readonly [string, LuaCFunction]> = [
  ['json', (L) => (require('./json') as typeof import('./json')).openJson(L)],
  ['multirand', (L) => (require('./multirand') as typeof import('./multirand')).openMultirand(L)],
  ['extos', (L) => (require('./extos') as typeof import('./extos')).openExtos(L)],
  ['mondelefant_native', (L) => (require('./mondelefant') as typeof import('./mondelefant')).openMondelefant(L)],
  ['webmcp_accelerator', (L) => (require('./accelerator') as typeof import('./accelerator')).openAccelerator(L)],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Runs the loader on top of the stack (popped) with name and extra, leaving
 * its result; returns 1.
 */
function runLoader(L: LuaState, name: number, extra: number): number {
  lua.lua_pushvalue(L, name);
  lua.lua_pushvalue(L, extra);
  lua.lua_call(L, 2, 1);
  return 1;
}

/**
 * The preload loader of a built-in module: an app's Lua file on
 * package.path (package.searchers[2]) or JS file (package.preload's
 * __index) of that name first, else the built-in opener.
 */
function loaderFor(open: LuaCFunction): LuaCFunction {
  return (L) => {
    lua.lua_settop(L, 1); // 1: name
    lua.lua_getglobal(L, key('package')); // 2
    if (lua.lua_type(L, 2) === lua.LUA_TTABLE) {
      if (lua.lua_getfield(L, 2, key('searchers')) === lua.LUA_TTABLE && lua.lua_rawgeti(L, -1, 2) === lua.LUA_TFUNCTION) {
        lua.lua_pushvalue(L, 1);
        lua.lua_call(L, 1, 2); // loader, extra
        if (lua.lua_type(L, -2) === lua.LUA_TFUNCTION) {
          const top = lua.lua_gettop(L);
          lua.lua_pushvalue(L, top - 1);
          return runLoader(L, 1, top);
        }
      }
      lua.lua_settop(L, 2);
      if (lua.lua_getfield(L, 2, key('preload')) === lua.LUA_TTABLE && lua.lua_getmetatable(L, -1)
        && lua.lua_getfield(L, -1, key('__index')) === lua.LUA_TFUNCTION) {
        lua.lua_pushvalue(L, 3);
        lua.lua_pushvalue(L, 1);
        lua.lua_call(L, 2, 1);
        if (lua.lua_type(L, -1) === lua.LUA_TFUNCTION) {
          lua.lua_pushnil(L);
          lua.lua_insert(L, 1); // an absent extra, below the name
          const loader = lua.lua_gettop(L);
          lua.lua_pushvalue(L, loader);
          return runLoader(L, 2, 1);
        }
      }
    }
    lua.lua_settop(L, 0);
    return open(L);
  };
}

/** Registers the built-in WebMCP modules in L's package.preload. */
export function installWebmcpModules(L: LuaState): void {
  for (const [name, open] of WEBMCP_MODULES) preloadModule(L, name, loaderFor(open));
}
