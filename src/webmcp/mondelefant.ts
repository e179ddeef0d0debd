/**
 * WebMCP 2.1.0's `mondelefant_native` C module (libraries/mondelefant) in
 * TypeScript: PostgreSQL connections (speaking the wire protocol through
 * ./postgres, no libpq), error objects, result lists and objects, and the
 * class (model) machinery that mondelefant.lua builds its ORM on. The
 * tables are laid out as the C module lays them out (module fields,
 * registry names, metatables), since mondelefant.lua and apps reach into
 * them. Everything is synchronous: WebMCP calls it from initializers,
 * where a yield is an error.
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key } from '../lua/strings';
import { CONN_METAMETHODS, CONN_METHODS, connect } from './mondelefant/connection';
import { assembleCommand, query, tryQuery } from './mondelefant/query';
import {
  classIndex, columnsIndex, columnsNewindex, getForeignKeyReferenceName, getReference,
  iterateOverReferences, newClass, resultIndex, resultNewindex, setClass,
} from './mondelefant/classes';
import { isKindOf } from './mondelefant/error-codes';
import { CLASS_MT, CLASS_PROTO_REGKEY, COLUMNS_MT, CONN_MT, ERROROBJECT_MT, MODULE_REGKEY, RESULT_MT } from './mondelefant/registry';

function setFuncs(L: LuaState, funcs: Record<string, LuaCFunction>): void {
  for (const [name, fn] of Object.entries(funcs)) {
    lua.lua_pushcfunction(L, cfunction(fn));
    lua.lua_setfield(L, -2, key(name));
  }
}

// errorobject:is_kind_of(class)
const errorIsKindOf: LuaCFunction = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const errclass = lauxlib.luaL_checkstring(L, 2) as Uint8Array;
  lua.lua_settop(L, 2);
  lua.lua_getfield(L, 1, key('code'));
  if (lua.lua_type(L, 3) !== lua.LUA_TSTRING) lauxlib.luaL_argerror(L, 1, key("field 'code' of error object is not a string"));
  lua.lua_pushboolean(L, isKindOf(lua.lua_tolstring(L, 3) as Uint8Array, errclass));
  return 1;
};

// errorobject:escalate(): raises the error object
const errorEscalate: LuaCFunction = (L) => lua.lua_error(L) as number;

/** luaopen_mondelefant_native */
export function openMondelefant(L: LuaState): number {
  lua.lua_settop(L, 0);
  lua.lua_newtable(L);
  setFuncs(L, { __index: columnsIndex, __newindex: columnsNewindex });
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, COLUMNS_MT);

  lua.lua_newtable(L); // 1: the module
  setFuncs(L, { connect, set_class: setClass, new_class: newClass });
  lua.lua_pushvalue(L, 1);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, MODULE_REGKEY);

  lua.lua_newtable(L);
  setFuncs(L, { ...CONN_METHODS, assemble_command: assembleCommand, try_query: tryQuery, query });
  lua.lua_setfield(L, 1, key('postgresql_connection_prototype'));
  lua.lua_newtable(L);
  lua.lua_setfield(L, 1, key('connection_prototype'));

  lauxlib.luaL_newmetatable(L, CONN_MT);
  setFuncs(L, CONN_METAMETHODS);
  lua.lua_settop(L, 1);
  lauxlib.luaL_newmetatable(L, RESULT_MT);
  setFuncs(L, { __index: resultIndex, __newindex: resultNewindex });
  lua.lua_setfield(L, 1, key('result_metatable'));
  lauxlib.luaL_newmetatable(L, CLASS_MT);
  setFuncs(L, { __index: classIndex });
  lua.lua_setfield(L, 1, key('class_metatable'));

  lua.lua_newtable(L); // the default class prototype
  setFuncs(L, {
    get_reference: getReference,
    iterate_over_references: iterateOverReferences,
    get_foreign_key_reference_name: getForeignKeyReferenceName,
  });
  for (const name of ['object', 'object_get', 'object_set', 'list', 'references', 'foreign_keys']) {
    lua.lua_newtable(L);
    lua.lua_setfield(L, -2, key(name));
  }
  lua.lua_pushvalue(L, -1);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, CLASS_PROTO_REGKEY);
  lua.lua_setfield(L, 1, key('class_prototype'));

  lauxlib.luaL_newmetatable(L, ERROROBJECT_MT);
  lua.lua_newtable(L);
  setFuncs(L, { escalate: errorEscalate, is_kind_of: errorIsKindOf });
  lua.lua_setfield(L, -2, key('__index'));
  lua.lua_setfield(L, 1, key('errorobject_metatable'));
  return 1;
}
