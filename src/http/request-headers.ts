/**
 * The header tables of the request object (headers, headers_csv_table,
 * headers_csv_string, headers_value, headers_flags): filled with the headers
 * received, looked up case-insensitively through a metatable, with what the
 * real server gives for a header that is absent.
 */
import { lua, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key, latin1, pushLatin1, toBytes } from '../lua/strings';
import type { Exchange } from './exchange';

type HeaderView = (L: LuaState, values: string[] | undefined) => void;

/**
 * The comma-separated items of header values, as the real server splits
 * them: each run of non-commas, trimmed of SP/HTAB; empty items are dropped,
 * and an item of blanks only keeps its first blank (the Lua pattern
 * "^[ \t]*(..-)[ \t]*$" needs one character).
 */
export function csvItems(values: string[]): string[] {
  const items: string[] = [];
  for (const v of values) {
    for (const item of v.split(',')) {
      if (item === '') continue;
      const trimmed = item.replace(/^[ \t]+|[ \t]+$/g, '');
      items.push(trimmed === '' ? item[0] : trimmed);
    }
  }
  return items;
}

function pushList(L: LuaState, items: string[]): void {
  lua.lua_createtable(L, items.length, 0);
  items.forEach((item, i) => {
    pushLatin1(L, item);
    lua.lua_rawseti(L, -2, i + 1);
  });
}

export const HEADER_VIEWS: Record<string, HeaderView> = {
  headers: (L, values) => pushList(L, values ?? []),
  headers_csv_table: (L, values) => pushList(L, csvItems(values ?? [])),
  // An absent header joins to "" (table.concat of nothing).
  headers_csv_string: (L, values) => pushLatin1(L, values === undefined ? '' : values.join(', ')),
  headers_value: (L, values) => {
    if (values === undefined) lua.lua_pushnil(L);
    else if (values.length > 1) lua.lua_pushboolean(L, false);
    else pushLatin1(L, values[0]);
  },
  headers_flags: (L, values) => {
    lua.lua_newtable(L);
    for (const item of csvItems(values ?? [])) {
      pushLatin1(L, item.toLowerCase());
      lua.lua_pushboolean(L, true);
      lua.lua_rawset(L, -3);
    }
    // lookups of flags are case-insensitive too; an absent token is false
    pushCaseInsensitiveMeta(L, (L2) => { lua.lua_pushboolean(L2, false); });
  },
};

/**
 * Sets on the table at the top a metatable whose __index lower-cases string
 * keys, consults the table again, and otherwise calls miss(L) to produce
 * (and cache) a value.
 */
function pushCaseInsensitiveMeta(L: LuaState, miss: (L: LuaState, lower: string) => void): void {
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, cfunction((L2) => {
    if (lua.lua_type(L2, 2) !== lua.LUA_TSTRING) return 0;
    const lower = latin1(toBytes(L2, 2) as Uint8Array).toLowerCase();
    pushLatin1(L2, lower);
    if (lua.lua_rawget(L2, 1) !== lua.LUA_TNIL) return 1;
    lua.lua_pop(L2, 1);
    miss(L2, lower);
    pushLatin1(L2, lower);
    lua.lua_pushvalue(L2, -2);
    lua.lua_rawset(L2, 1);
    return 1;
  }));
  lua.lua_setfield(L, -2, key('__index'));
  lua.lua_setmetatable(L, -2);
}

/** Pushes one of the header tables of ex. */
export function pushHeaderTable(L: LuaState, ex: Exchange, view: HeaderView): void {
  lua.lua_newtable(L);
  for (const [name, values] of ex.headers) {
    pushLatin1(L, name);
    view(L, values);
    lua.lua_rawset(L, -3);
  }
  pushCaseInsensitiveMeta(L, (L2, lower) => view(L2, ex.headers.get(lower)));
}
