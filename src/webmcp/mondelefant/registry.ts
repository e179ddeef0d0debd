/**
 * What the parts of mondelefant_native share: the registry names of its
 * tables (the C module's names, so a Lua debugger sees the same registry)
 * and small stack helpers. Every helper works on absolute stack indices.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { key } from '../../lua/strings';

/** Registry key of the module table. */
export const MODULE_REGKEY = key('mondelefant_module');
/** Registry keys (luaL_newmetatable names) of the metatables. */
export const CONN_MT = key('mondelefant_connection');
export const RESULT_MT = key('mondelefant_result');
export const ERROROBJECT_MT = key('mondelefant_errorobject');
export const CLASS_MT = key('mondelefant_class');
export const COLUMNS_MT = key('mondelefant_columns');
/** Registry key of the default class prototype. */
export const CLASS_PROTO_REGKEY = key('mondelefant_class_proto');
/** Key (a lightuserdata) of a column proxy's result object. */
export const COLUMNS_RESULT = { mondelefant: 'column proxy result' };

/** Field names used on every query or field access, converted once. */
export const K = {
  _class: key('_class'), _type: key('_type'), _data: key('_data'), _dirty: key('_dirty'),
  _ref: key('_ref'), _col: key('_col'), _connection: key('_connection'),
  _column_info: key('_column_info'), _rows_affected: key('_rows_affected'), _oid: key('_oid'),
  list: key('list'), object: key('object'), object_get: key('object_get'),
  object_set: key('object_set'), prototype: key('prototype'), references: key('references'),
  foreign_keys: key('foreign_keys'), ref: key('ref'), that_key: key('that_key'),
  this_key: key('this_key'), document_column: key('document_column'), load: key('load'),
  code: key('code'), message: key('message'), fd: key('fd'), engine: key('engine'),
  field_name: key('field_name'), sep: key('sep'),
} as const;

/** Replaces the value at idx by its raw "prototype" field (the next class up the chain). */
export function toPrototype(L: LuaState, idx: number): void {
  lua.lua_pushstring(L, K.prototype);
  lua.lua_rawget(L, idx);
  lua.lua_replace(L, idx);
}

/**
 * Pushes the first non-nil cls[field][name] up cls's prototype chain (nil if
 * none): how references, foreign keys and the object, object_get and list
 * tables of a class are inherited. cls and name are absolute indices.
 */
export function pushInherited(L: LuaState, cls: number, field: Uint8Array, name: number): void {
  lua.lua_pushvalue(L, cls);
  const walker = lua.lua_gettop(L);
  while (lua.lua_toboolean(L, walker)) {
    lua.lua_getfield(L, walker, field);
    lua.lua_pushvalue(L, name);
    lua.lua_gettable(L, -2);
    if (!lua.lua_isnil(L, -1)) {
      lua.lua_replace(L, walker);
      lua.lua_settop(L, walker);
      return;
    }
    lua.lua_settop(L, walker);
    toPrototype(L, walker);
  }
  lua.lua_settop(L, walker);
  lua.lua_pushnil(L);
  lua.lua_replace(L, walker);
}

/** An optional table argument at idx: the stack cut to it, or to a new table put there when it is absent or nil. */
export function optTableArg(L: LuaState, idx: number): void {
  if (lua.lua_isnoneornil(L, idx)) {
    lua.lua_settop(L, idx - 1);
    lua.lua_newtable(L);
  } else {
    lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
    lua.lua_settop(L, idx);
  }
}
