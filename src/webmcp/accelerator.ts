/**
 * WebMCP 2.1.0's optional `webmcp_accelerator` C module
 * (framework/accelerator) in TypeScript. `require "webmcp_accelerator"`
 * (in an app's config) replaces four of the framework's Lua functions, the
 * ones every page calls most often, by native ones with the same results:
 * encode.html, slot.put_into, slot.put and ui.tag. The framework's globals
 * encode, slot and ui must exist when it is required.
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key, pushOwnedBytes } from '../lua/strings';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const QUOT = 0x22;
const ENTITIES: Record<number, Buffer> = {
  [LT]: Buffer.from('&lt;'), [GT]: Buffer.from('&gt;'), [AMP]: Buffer.from('&amp;'), [QUOT]: Buffer.from('&quot;'),
};

function isSpecial(c: number): boolean {
  return c === LT || c === GT || c === AMP || c === QUOT;
}

// encode.html(text): <, >, & and " as entities; the argument itself when it has none
const encodeHtml: LuaCFunction = cfunction((L) => {
  const input = lauxlib.luaL_checklstring(L, 1) as Uint8Array;
  let i = 0;
  while (i < input.length && !isSpecial(input[i])) i++;
  if (i === input.length) {
    lua.lua_settop(L, 1);
    return 1;
  }
  const parts: Uint8Array[] = [input.subarray(0, i)];
  let start = i;
  for (; i < input.length; i++) {
    const c = input[i];
    if (!isSpecial(c)) continue;
    if (i > start) parts.push(input.subarray(start, i));
    parts.push(ENTITIES[c]);
    start = i + 1;
  }
  if (start < input.length) parts.push(input.subarray(start));
  pushOwnedBytes(L, Buffer.concat(parts));
  return 1;
});

const K = {
  slot: key('slot'), _data: key('_data'), _active_slot: key('_active_slot'),
  string_fragments: key('string_fragments'), tag: key('tag'), attr: key('attr'), content: key('content'),
  span: key('span'), class: key('class'), table: key('table'), concat: key('concat'),
  lt: key('<'), space: key(' '), eqQuote: key('="'), quote: key('"'), gt: key('>'), ltSlash: key('</'), selfClose: key(' />'),
};

/** Appends the values at from..to to the fragment list at frags (its length is n); returns the new length. */
function appendValues(L: LuaState, frags: number, n: number, from: number, to: number): number {
  for (let i = from; i <= to; i++) {
    lua.lua_pushvalue(L, i);
    lua.lua_rawseti(L, frags, ++n);
  }
  return n;
}

// slot.put_into(slot_ref, ...): appends the strings to that slot
const slotPutInto: LuaCFunction = cfunction((L) => {
  lauxlib.luaL_checkany(L, 1);
  const argc = lua.lua_gettop(L);
  lua.lua_getglobal(L, K.slot);
  lua.lua_getfield(L, -1, K._data);
  lua.lua_pushvalue(L, 1);
  lua.lua_gettable(L, -2);
  lua.lua_getfield(L, -1, K.string_fragments);
  appendValues(L, lua.lua_gettop(L), lua.lua_rawlen(L, -1) as number, 2, argc);
  return 0;
});

// slot.put(...): appends the strings to the active slot
const slotPut: LuaCFunction = cfunction((L) => {
  const argc = lua.lua_gettop(L);
  lua.lua_getglobal(L, K.slot);
  lua.lua_getfield(L, -1, K._data);
  lua.lua_getfield(L, -2, K._active_slot);
  lua.lua_gettable(L, -2);
  lua.lua_getfield(L, -1, K.string_fragments);
  appendValues(L, lua.lua_gettop(L), lua.lua_rawlen(L, -1) as number, 1, argc);
  return 0;
});

/** Pushes a literal and appends it to the fragments at 5. */
function put(L: LuaState, n: number, s: Uint8Array): number {
  lua.lua_pushstring(L, s);
  lua.lua_rawseti(L, 5, ++n);
  return n;
}

/** Appends the attribute list of the attr table at 7: ` name="value"`, a class list joined by spaces. */
function putAttributes(L: LuaState, n: number): number {
  for (lua.lua_pushnil(L); lua.lua_next(L, 7); lua.lua_pop(L, 1)) {
    // 9: name, 10: value
    n = put(L, n, K.space);
    lua.lua_pushvalue(L, 9);
    lua.lua_rawseti(L, 5, ++n);
    n = put(L, n, K.eqQuote);
    lua.lua_pushvalue(L, 9);
    const name = lua.lua_tolstring(L, -1) as Uint8Array | null;
    lua.lua_pop(L, 1);
    if (name !== null && Buffer.from(name).equals(K.class) && lua.lua_istable(L, 10)) {
      lua.lua_getglobal(L, K.table);
      lua.lua_getfield(L, -1, K.concat);
      lua.lua_replace(L, -2);
      lua.lua_pushvalue(L, 10);
      lua.lua_pushstring(L, K.space);
      lua.lua_call(L, 2, 1);
    } else {
      lua.lua_pushcfunction(L, encodeHtml);
      lua.lua_pushvalue(L, 10);
      lua.lua_call(L, 1, 1);
    }
    lua.lua_rawseti(L, 5, ++n);
    n = put(L, n, K.quote);
  }
  return n;
}

// ui.tag{tag = ..., attr = {...}, content = string or function}
const uiTag: LuaCFunction = cfunction((L) => {
  lua.lua_settop(L, 1);
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_getglobal(L, K.slot); // 2
  lua.lua_getfield(L, 2, K._data); // 3
  lua.lua_getfield(L, 2, K._active_slot);
  lua.lua_gettable(L, 3); // 4: the active slot
  lua.lua_getfield(L, 4, K.string_fragments); // 5
  lua.lua_getfield(L, 1, K.tag); // 6
  lua.lua_getfield(L, 1, K.attr); // 7
  lua.lua_getfield(L, 1, K.content); // 8
  if (lua.lua_toboolean(L, 7) && !lua.lua_istable(L, 7)) {
    lauxlib.luaL_error(L, key('"attr" argument for ui.tag{...} must be nil or a table.'));
  }
  let tagGiven = false;
  if (lua.lua_toboolean(L, 6)) {
    tagGiven = true;
  } else if (lua.lua_toboolean(L, 7)) {
    lua.lua_pushnil(L);
    if (lua.lua_next(L, 7)) {
      // attributes without a tag make a span
      lua.lua_pop(L, 2);
      lua.lua_pushstring(L, K.span);
      lua.lua_replace(L, 6);
      tagGiven = true;
    }
  }
  let n = lua.lua_rawlen(L, 5) as number;
  if (tagGiven) {
    n = put(L, n, K.lt);
    lua.lua_pushvalue(L, 6);
    lua.lua_rawseti(L, 5, ++n);
    if (lua.lua_toboolean(L, 7)) n = putAttributes(L, n);
  }
  if (!lua.lua_toboolean(L, 8)) {
    if (tagGiven) put(L, n, K.selfClose);
    return 0;
  }
  if (tagGiven) n = put(L, n, K.gt);
  if (lua.lua_isfunction(L, 8)) {
    lua.lua_call(L, 0, 0);
    // the content function appended to the same (active) slot
    n = lua.lua_rawlen(L, 5) as number;
  } else {
    lua.lua_pushcfunction(L, encodeHtml);
    lua.lua_pushvalue(L, 8);
    lua.lua_call(L, 1, 1);
    lua.lua_rawseti(L, 5, ++n);
  }
  if (tagGiven) {
    n = put(L, n, K.ltSlash);
    lua.lua_pushvalue(L, 6);
    lua.lua_rawseti(L, 5, ++n);
    put(L, n, K.gt);
  }
  return 0;
});

/** luaopen_webmcp_accelerator: installs the four functions; returns nothing (require gives true). */
export function openAccelerator(L: LuaState): number {
  lua.lua_settop(L, 0);
  lua.lua_getglobal(L, key('encode'));
  lua.lua_pushcfunction(L, encodeHtml);
  lua.lua_setfield(L, 1, key('html'));
  lua.lua_settop(L, 0);
  lua.lua_getglobal(L, K.slot);
  lua.lua_pushcfunction(L, slotPutInto);
  lua.lua_setfield(L, 1, key('put_into'));
  lua.lua_pushcfunction(L, slotPut);
  lua.lua_setfield(L, 1, key('put'));
  lua.lua_settop(L, 0);
  lua.lua_getglobal(L, key('ui'));
  lua.lua_pushcfunction(L, uiTag);
  lua.lua_setfield(L, 1, key('tag'));
  return 0;
}
