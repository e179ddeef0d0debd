/**
 * mondelefant's model machinery: classes (set_class, new_class and the class
 * methods), the __index/__newindex of result lists and objects (inherited
 * attributes, getters and setters, references to other objects, a document
 * column), and the column proxy `object._col`, which reads and writes the
 * raw column data. mondelefant.lua builds its whole ORM on these lookups, so
 * their order is kept exactly: object attributes, then object_get getters,
 * up the prototype chain; then a referenced object's key through a foreign
 * key; then the cached or loaded reference; then the column data.
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { key } from '../../lua/strings';
import { CLASS_MT, CLASS_PROTO_REGKEY, COLUMNS_RESULT, K, RESULT_MT, optTableArg, pushInherited, toPrototype } from './registry';
import { raiseWhere } from '../../lua/errors';

/** Whether the string at idx begins with "_" (or is not a string): such keys are plain fields. */
function isPlainKey(L: LuaState, idx: number): boolean {
  if (lua.lua_type(L, idx) !== lua.LUA_TSTRING) return true;
  const bytes = lua.lua_tolstring(L, idx) as Uint8Array;
  return bytes.length > 0 && bytes[0] === 0x5f;
}

const OBJECT = Buffer.from('object');
const LIST = Buffer.from('list');

/** The "_type" of the result at idx: "object", "list" or null for anything else. */
function resultType(L: LuaState, idx: number): 'object' | 'list' | null {
  lua.lua_getfield(L, idx, K._type);
  const bytes = lua.lua_tolstring(L, -1) as Uint8Array | null;
  lua.lua_pop(L, 1);
  if (bytes === null) return null;
  if (OBJECT.equals(bytes)) return 'object';
  if (LIST.equals(bytes)) return 'list';
  return null;
}

// class:get_reference(name): the reference description, inherited
export const getReference: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  pushInherited(L, 1, K.references, 2);
  return lua.lua_isnil(L, -1) ? 0 : 1;
};

// class:get_foreign_key_reference_name(column)
export const getForeignKeyReferenceName: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  pushInherited(L, 1, K.foreign_keys, 2);
  return lua.lua_isnil(L, -1) ? 0 : 1;
};

// class:iterate_over_references(): WebMCP 2.1.0's C module never implemented it and raises this.
export const iterateOverReferences: LuaCFunction = (L) => raiseWhere(L, 'Reference iterator not implemented yet.');

/**
 * For an object at obj whose column at name is a foreign key of a reference
 * already loaded (or known to be NULL): pushes that object's key (nil for a
 * NULL reference) and returns true; pushes nothing and returns false if the
 * column is no such key or the reference is not cached.
 */
function pushCachedForeignKey(L: LuaState, obj: number, cls: number, name: number): boolean {
  const base = lua.lua_gettop(L);
  pushInherited(L, cls, K.foreign_keys, name); // base+1: reference name
  if (lua.lua_isnil(L, base + 1)) {
    lua.lua_settop(L, base);
    return false;
  }
  pushInherited(L, cls, K.references, base + 1); // base+2: reference info
  lua.lua_getfield(L, obj, K._ref); // base+3
  lua.lua_getfield(L, base + 2, K.ref); // base+4
  lua.lua_gettable(L, base + 3); // base+4: the cached object, false, or nil
  if (lua.lua_isnil(L, base + 4)) {
    lua.lua_settop(L, base);
    return false;
  }
  if (lua.lua_toboolean(L, base + 4)) {
    if (lua.lua_getfield(L, base + 2, K.that_key) === lua.LUA_TNIL) raiseWhere(L, "Missing 'that_key' entry in model reference.");
    lua.lua_gettable(L, base + 4);
  } else {
    lua.lua_pushnil(L);
  }
  lua.lua_replace(L, base + 1);
  lua.lua_settop(L, base + 1);
  return true;
}

/** Sets obj._ref[reference name of the foreign key at name] = nil, if name is a foreign key. */
function forgetReference(L: LuaState, obj: number, cls: number, name: number): void {
  const base = lua.lua_gettop(L);
  pushInherited(L, cls, K.foreign_keys, name);
  if (!lua.lua_isnil(L, -1)) {
    lua.lua_getfield(L, obj, K._ref);
    lua.lua_pushvalue(L, base + 1);
    lua.lua_pushnil(L);
    lua.lua_settable(L, -3);
  }
  lua.lua_settop(L, base);
}

function objectIndex(L: LuaState): number {
  // 1: object, 2: key, 3: class
  lua.lua_pushvalue(L, 3); // 4: class walking up the prototypes
  while (lua.lua_toboolean(L, 4)) {
    lua.lua_getfield(L, 4, K.object);
    lua.lua_pushvalue(L, 2);
    if (lua.lua_gettable(L, 5) !== lua.LUA_TNIL) return 1;
    lua.lua_settop(L, 4);
    lua.lua_getfield(L, 4, K.object_get);
    lua.lua_pushvalue(L, 2);
    lua.lua_gettable(L, 5);
    if (lua.lua_toboolean(L, 6)) {
      lua.lua_pushvalue(L, 1);
      lua.lua_call(L, 1, 1);
      return 1;
    }
    lua.lua_settop(L, 4);
    toPrototype(L, 4);
  }
  lua.lua_settop(L, 3);
  if (pushCachedForeignKey(L, 1, 3, 2)) return 1;
  lua.lua_getfield(L, 1, K._data); // 4
  lua.lua_getfield(L, 1, K._ref); // 5
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, 5); // 6: a cached reference (false: NULL)
  if (lua.lua_type(L, 6) === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, 6)) {
    lua.lua_pushnil(L);
    return 1;
  }
  if (!lua.lua_isnil(L, 6)) return 1;
  lua.lua_settop(L, 4);
  pushInherited(L, 3, K.references, 2); // 5
  if (!lua.lua_isnil(L, 5)) {
    // a reference not loaded yet: object:load(name) fills _ref
    lua.lua_settop(L, 2);
    lua.lua_getfield(L, 1, K.load);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushvalue(L, 2);
    lua.lua_call(L, 2, 0);
    lua.lua_settop(L, 2);
    lua.lua_getfield(L, 1, K._ref);
    lua.lua_pushvalue(L, 2);
    lua.lua_gettable(L, 3);
    if (lua.lua_type(L, 4) === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, 4)) lua.lua_pushnil(L);
    return 1;
  }
  lua.lua_settop(L, 4);
  lua.lua_getfield(L, 3, K.document_column); // 5
  if (lua.lua_toboolean(L, 5)) {
    lua.lua_gettable(L, 4); // 5: the document
    if (!lua.lua_isnil(L, 5)) {
      lua.lua_pushvalue(L, 2);
      lua.lua_gettable(L, 5);
    }
    return 1;
  }
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, 4);
  return 1;
}

function listIndex(L: LuaState): number {
  // 1: list, 2: key, 3: class walking up the prototypes
  while (lua.lua_toboolean(L, 3)) {
    lua.lua_getfield(L, 3, K.list);
    lua.lua_pushvalue(L, 2);
    if (lua.lua_gettable(L, 4) !== lua.LUA_TNIL) return 1;
    lua.lua_settop(L, 3);
    toPrototype(L, 3);
  }
  return 0;
}

// __index of result lists and objects
export const resultIndex: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  if (isPlainKey(L, 2)) return 0;
  lua.lua_getfield(L, 1, K._class); // 3
  const type = resultType(L, 1);
  if (type === 'object') return objectIndex(L);
  if (type === 'list') return listIndex(L);
  return 0;
};

function objectNewindex(L: LuaState): number {
  // 1: object, 2: key, 3: value, 4: class
  lua.lua_pushvalue(L, 4); // 5: class walking up the prototypes
  while (lua.lua_toboolean(L, 5)) {
    lua.lua_getfield(L, 5, K.object_set);
    lua.lua_pushvalue(L, 2);
    lua.lua_gettable(L, 6);
    if (lua.lua_toboolean(L, 7)) {
      lua.lua_pushvalue(L, 1);
      lua.lua_pushvalue(L, 3);
      lua.lua_call(L, 2, 0);
      return 0;
    }
    lua.lua_settop(L, 5);
    toPrototype(L, 5);
  }
  lua.lua_settop(L, 4);
  lua.lua_getfield(L, 1, K._data); // 5
  pushInherited(L, 4, K.references, 2); // 6
  if (!lua.lua_isnil(L, 6)) {
    // assigning a referenced object: cache it (false for nil) and drop the stale key column
    lua.lua_getfield(L, 1, K._ref);
    lua.lua_pushvalue(L, 2);
    if (lua.lua_isnil(L, 3)) lua.lua_pushboolean(L, false);
    else lua.lua_pushvalue(L, 3);
    lua.lua_settable(L, 7);
    lua.lua_settop(L, 6);
    if (lua.lua_getfield(L, 6, K.this_key) === lua.LUA_TNIL) raiseWhere(L, "Missing 'this_key' entry in model reference."); // 7
    lua.lua_pushvalue(L, 7);
    lua.lua_pushnil(L);
    lua.lua_settable(L, 5);
    lua.lua_getfield(L, 1, K._dirty);
    lua.lua_pushvalue(L, 7);
    lua.lua_pushboolean(L, true);
    lua.lua_settable(L, -3);
    return 0;
  }
  lua.lua_settop(L, 5);
  lua.lua_getfield(L, 4, K.document_column); // 6
  if (lua.lua_toboolean(L, 6)) {
    lua.lua_gettable(L, 5);
    if (lua.lua_isnil(L, 6)) raiseWhere(L, 'Cannot write to document column: document is nil');
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, 3);
    lua.lua_settable(L, 6);
    return 0;
  }
  lua.lua_settop(L, 5);
  lua.lua_pushvalue(L, 2);
  lua.lua_pushvalue(L, 3);
  lua.lua_settable(L, 5);
  lua.lua_settop(L, 4);
  lua.lua_getfield(L, 1, K._dirty);
  lua.lua_pushvalue(L, 2);
  lua.lua_pushboolean(L, true);
  lua.lua_settable(L, 5);
  lua.lua_settop(L, 4);
  forgetReference(L, 1, 4, 2);
  return 0;
}

// __newindex of result lists and objects
export const resultNewindex: LuaCFunction = (L) => {
  lua.lua_settop(L, 3);
  if (isPlainKey(L, 2)) {
    lua.lua_rawset(L, 1);
    return 0;
  }
  lua.lua_getfield(L, 1, K._class); // 4
  if (resultType(L, 1) === 'object') return objectNewindex(L);
  lua.lua_settop(L, 3);
  lua.lua_rawset(L, 1);
  return 0;
};

// __index of the column proxy object._col
export const columnsIndex: LuaCFunction = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 2);
  lua.lua_rawgetp(L, 1, COLUMNS_RESULT); // 3: the object
  lua.lua_getfield(L, 3, K._class); // 4
  if (pushCachedForeignKey(L, 3, 4, 2)) return 1;
  lua.lua_getfield(L, 3, K._data);
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, -2);
  return 1;
};

// __newindex of the column proxy: sets the raw column, marks it dirty, forgets a reference through it
export const columnsNewindex: LuaCFunction = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 3);
  lua.lua_rawgetp(L, 1, COLUMNS_RESULT); // 4: the object
  lua.lua_getfield(L, 4, K._class); // 5
  forgetReference(L, 4, 5, 2);
  lua.lua_getfield(L, 4, K._data); // 6
  lua.lua_getfield(L, 4, K._dirty); // 7
  lua.lua_pushvalue(L, 2);
  lua.lua_pushvalue(L, 3);
  lua.lua_settable(L, 6);
  lua.lua_pushvalue(L, 2);
  lua.lua_pushboolean(L, true);
  lua.lua_settable(L, 7);
  return 0;
};

// __index of classes: the prototype's field
export const classIndex: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  lua.lua_pushstring(L, K.prototype);
  lua.lua_rawget(L, 1);
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, 3);
  return 1;
};

/** Whether the value at idx has the metatable registered under name. */
function hasMetatable(L: LuaState, idx: number, name: Uint8Array): boolean {
  const top = lua.lua_gettop(L);
  lua.lua_getmetatable(L, idx);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, name);
  const same = lua.lua_compare(L, top + 1, top + 2, lua.LUA_OPEQ) as boolean;
  lua.lua_settop(L, top);
  return same;
}

// mondelefant.set_class(result, class): the result's (and a list's elements') class
export const setClass: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  if (!hasMetatable(L, 1, RESULT_MT)) lauxlib.luaL_argerror(L, 1, key('not a database result'));
  if (!hasMetatable(L, 2, CLASS_MT)) lauxlib.luaL_argerror(L, 2, key('not a database class'));
  lua.lua_pushvalue(L, 2);
  lua.lua_setfield(L, 1, K._class);
  lua.lua_getfield(L, 1, K._type); // 3
  lua.lua_pushstring(L, K.list); // 4
  if (lua.lua_rawequal(L, 3, 4)) {
    for (let i = 1; i <= (lua.lua_rawlen(L, 1) as number); i++) {
      lua.lua_settop(L, 2);
      lua.lua_rawgeti(L, 1, i);
      lua.lua_pushvalue(L, 2);
      lua.lua_setfield(L, 3, K._class);
    }
  }
  lua.lua_settop(L, 1);
  return 1;
};

/** The tables a new class gets unless it brings its own. */
const CLASS_TABLES = [K.object, K.object_get, K.object_set, K.list, K.references, K.foreign_keys];

// mondelefant.new_class(table?): a class (model) inheriting from the default prototype
export const newClass: LuaCFunction = (L) => {
  optTableArg(L, 1);
  lauxlib.luaL_setmetatable(L, CLASS_MT);
  lua.lua_pushstring(L, K.prototype);
  lua.lua_rawget(L, 1);
  if (!lua.lua_toboolean(L, 2)) {
    lua.lua_pushstring(L, K.prototype);
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, CLASS_PROTO_REGKEY);
    lua.lua_rawset(L, 1);
  }
  for (const name of CLASS_TABLES) {
    lua.lua_settop(L, 1);
    lua.lua_pushstring(L, name);
    lua.lua_rawget(L, 1);
    if (!lua.lua_toboolean(L, 2)) {
      lua.lua_pushstring(L, name);
      lua.lua_newtable(L);
      lua.lua_rawset(L, 1);
    }
  }
  lua.lua_settop(L, 1);
  return 1;
};
