/**
 * Reaching Lua from TypeScript: globals, modules and calls in the app's Lua
 * state (lua.call('render', page), lua.require('moonbridge_http')...).
 */
import { lua as L53, lauxlib, type LuaState } from 'fengari';
import { isLuaFunction, protectedCall, type LuaFunction } from './call';
import { fromLua, pushValues, type ConvertOptions } from './convert';
import { MoonbridgeApiError } from './errors';
import { runtime } from './runtime';

/** Pushes the value at a dotted global path ("a.b.c"), raw-free (with metamethods). */
function pushPath(L: LuaState, name: string): void {
  const parts = name.split('.');
  L53.lua_pushglobaltable(L);
  for (const part of parts) {
    if (L53.lua_type(L, -1) !== L53.LUA_TTABLE && L53.lua_type(L, -1) !== L53.LUA_TUSERDATA) {
      throw new MoonbridgeApiError(`lua: ${name}: ${part} is not inside a table`);
    }
    pushValues(L, [part], 'name');
    L53.lua_gettable(L, -2);
    L53.lua_remove(L, -2);
  }
}

function getter(L: LuaState): number {
  const name = Buffer.from(L53.lua_tostring(L, L53.lua_upvalueindex(1)) as Uint8Array).toString('utf8');
  pushPath(L, name);
  return 1;
}

export const lua = {
  /**
   * Calls a Lua function — a LuaFunction, or a global by (dotted) name — and
   * returns its first result. A Lua error throws LuaError.
   */
  call(fn: string | LuaFunction, ...args: unknown[]): unknown {
    return lua.callMulti(fn, ...args)[0];
  },

  /** As call, returning every result. */
  callMulti(fn: string | LuaFunction, ...args: unknown[]): unknown[] {
    if (isLuaFunction(fn)) return fn.callMulti(...args);
    if (typeof fn !== 'string') throw new MoonbridgeApiError('lua.call: a function name or a LuaFunction expected');
    const { L } = runtime('lua.call');
    return protectedCall(L, (T) => {
      pushPath(T, fn);
      if (L53.lua_type(T, -1) === L53.LUA_TNIL) throw new MoonbridgeApiError(`lua.call: there is no function ${fn} (it is nil)`);
      pushValues(T, args, `argument of ${fn}`);
      return args.length;
    });
  },

  /** The value of a global (a dotted path like "string.format" works too), converted. */
  global(name: string, options: ConvertOptions = {}): unknown {
    const { L } = runtime('lua.global');
    return protectedCall(L, (T) => {
      pushValues(T, [name], 'name');
      L53.lua_pushcclosure(T, getter, 1);
      return 0;
    }, options)[0];
  },

  /** Sets a global variable. */
  setGlobal(name: string, value: unknown): void {
    const { L } = runtime('lua.setGlobal');
    pushValues(L, [value], name);
    L53.lua_setglobal(L, Buffer.from(name, 'utf8'));
  },

  /** require(name) in Lua: the module's value (a Lua module table becomes an object of LuaFunctions). */
  require(name: string, options: ConvertOptions = {}): unknown {
    const { L } = runtime('lua.require');
    return protectedCall(L, (T) => {
      L53.lua_getglobal(T, Buffer.from('require'));
      pushValues(T, [name], 'module name');
      return 1;
    }, options)[0];
  },

  /** Loads and runs a chunk of Lua source; returns its first result. */
  run(source: string, chunkName = '=(lua.run)', ...args: unknown[]): unknown {
    const { L } = runtime('lua.run');
    return protectedCall(L, (T) => {
      const bytes = Buffer.from(source, 'utf8');
      if (lauxlib.luaL_loadbuffer(T, bytes, bytes.length, Buffer.from(chunkName, 'utf8')) !== L53.LUA_OK) {
        const message = String(fromLua(T, -1, { strings: 'string' }));
        throw new MoonbridgeApiError(`lua.run: ${message}`);
      }
      pushValues(T, args, 'argument');
      return args.length;
    })[0];
  },
};
