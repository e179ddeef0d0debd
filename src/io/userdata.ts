/**
 * Userdata that carry a JS object (an IoHandle, a Listener, a Child): the
 * object itself marks the userdata's kind, so test() replaces a metatable
 * lookup by name (which costs a string copy and hash in Fengari) on every
 * method call; only push() puts such an object into a userdata.
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { key, latin1 } from '../lua/strings';

interface Carrier { object?: unknown }

export interface ObjectUserdata<T> {
  /** Pushes a new userdata for obj, with the kind's metatable. */
  push(L: LuaState, obj: T): void;
  /** The object of the userdata at idx, or null if it is not this kind. */
  test(L: LuaState, idx: number): T | null;
  /** As test, raising "bad argument #idx (moonbridge_io <what> expected, got <type>)" otherwise. */
  check(L: LuaState, idx: number): T;
  /**
   * Pushes the method table (the module's <what>_pt) and then the metatable
   * (registered under the kind's name, the module's <what>_mt) with the
   * metamethods in meta. Its __index is indexClosure with the method table
   * as upvalue 1, or else the method table itself.
   */
  pushTables(L: LuaState, methods: Record<string, LuaCFunction>, meta: Record<string, LuaCFunction>, indexClosure?: LuaCFunction): void;
}

export function objectUserdata<T>(cls: abstract new (...args: never[]) => T, metatable: Uint8Array, what: string): ObjectUserdata<T> {
  const test = (L: LuaState, idx: number): T | null => {
    const ud = lua.lua_touserdata(L, idx) as Carrier | null;
    return ud !== null && typeof ud === 'object' && ud.object instanceof cls ? ud.object as T : null;
  };
  return {
    push(L, obj) {
      (lua.lua_newuserdata(L, 0) as Carrier).object = obj;
      lauxlib.luaL_setmetatable(L, metatable);
    },
    test,
    pushTables(L, methods, meta, indexClosure) {
      lua.lua_newtable(L);
      for (const [name, fn] of Object.entries(methods)) {
        lua.lua_pushcfunction(L, fn);
        lua.lua_setfield(L, -2, key(name));
      }
      lauxlib.luaL_newmetatable(L, metatable);
      lua.lua_pushvalue(L, -2);
      if (indexClosure !== undefined) lua.lua_pushcclosure(L, indexClosure, 1);
      lua.lua_setfield(L, -2, key('__index'));
      for (const [name, fn] of Object.entries(meta)) {
        lua.lua_pushcfunction(L, fn);
        lua.lua_setfield(L, -2, key(name));
      }
    },
    check(L, idx) {
      const obj = test(L, idx);
      if (obj === null) {
        const got = latin1(lauxlib.luaL_typename(L, idx) as Uint8Array);
        lauxlib.luaL_argerror(L, idx, Buffer.from(`moonbridge_io ${what} expected, got ${got}`));
      }
      return obj as T;
    },
  };
}
