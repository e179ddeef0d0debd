/**
 * The GET/POST parameter tables of Moonbridge's request object, made by the
 * same Lua code the real server uses (new_params_list): a list table mapping
 * each name to the sequence of its values, where a missing name gives (and
 * stores) an empty sequence, and a first-value table reading through it;
 * pairs() on either skips names without values. Apps index the list table
 * without checking for nil (`#request.post_params_list.x`), so plain tables
 * would not do. The real server keeps the list in a weak table keyed by the
 * first-value table; Fengari never clears weak tables, so here each
 * first-value table gets its own metatable closing over its list.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { key, pushLatin1, pushOwnedBytes } from '../lua/strings';

const SOURCE = `
local next, setmetatable = next, setmetatable
local function nextnonempty(tbl, key)
  while true do
    key = next(tbl, key)
    if key == nil then return nil end
    local value = tbl[key]
    if #value > 0 then return key, value end
  end
end
local function nextvalue(tbl, key)
  while true do
    key = next(tbl, key)
    if key == nil then return nil end
    local value = tbl[key][1]
    if value ~= nil then return key, value end
  end
end
local list_metatable = {
  __index = function(self, key)
    local tbl = {}
    self[key] = tbl
    return tbl
  end,
  __pairs = function(self) return nextnonempty, self, nil end,
}
return function()
  local list = setmetatable({}, list_metatable)
  local params = setmetatable({}, {
    __index = function(self, key) return list[key][1] end,
    __newindex = function(self, key, value) list[key] = {value} end,
    __pairs = function(self) return nextvalue, list, nil end,
  })
  return list, params
end
`;

/** Registry ref of new_params_list per Lua universe (global state). */
const factories = new WeakMap<object, number>();
const universe = (L: LuaState): object => (L as unknown as { l_G: object }).l_G;

function pushFactory(L: LuaState): void {
  let ref = factories.get(universe(L));
  if (ref === undefined) {
    if (lauxlib.luaL_loadbuffer(L, key(SOURCE), null, key('=moonbridge_http')) !== lua.LUA_OK) {
      throw new Error(`moonbridge_http params tables: ${lua.lua_tojsstring(L, -1)}`);
    }
    lua.lua_call(L, 0, 1);
    ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    factories.set(universe(L), ref);
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
}

export type ParamValue = string | Uint8Array;

/**
 * Pushes the list table and the first-value table (in that order) for the
 * name/value pairs; pushValue pushes a value of another kind (metadata).
 */
export function pushParamsTables<V>(L: LuaState, pairs: Array<[string, V]>, pushValue?: (L: LuaState, v: V) => void): void {
  pushFactory(L);
  lua.lua_call(L, 0, 2);
  const list = lua.lua_absindex(L, -2);
  for (const [k, v] of pairs) {
    pushLatin1(L, k);
    if (lua.lua_rawget(L, list) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      lua.lua_createtable(L, 1, 0);
      pushLatin1(L, k);
      lua.lua_pushvalue(L, -2);
      lua.lua_rawset(L, list);
    }
    if (pushValue !== undefined) pushValue(L, v);
    else if (typeof v === 'string') pushLatin1(L, v);
    else pushOwnedBytes(L, v as Uint8Array);
    lua.lua_rawseti(L, -2, (lua.lua_rawlen(L, -2) as number) + 1);
    lua.lua_pop(L, 1);
  }
}
