/**
 * conn:assemble_command(cmd): mondelefant's SQL templates. A command is a
 * string (used as is), a value with __tostring, or a table {template, ...}
 * whose template holds placeholders:
 *  - `?` takes the next positional value, `?name` the field name, quoted as
 *    a literal (nil -> NULL, booleans -> TRUE/FALSE, strings and numbers
 *    through quote_string) or through the connection's input_converter;
 *  - `$` and `$name` take a sub-structure (a list of commands, joined by
 *    its `sep`, default ", ") assembled recursively;
 *  - `??` and `$$` are a literal ? and $.
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { cfunction } from '../../lua/cfunction';
import { key, pushBytes, pushOwnedBytes } from '../../lua/strings';
import { K } from './registry';
import { raiseWhere } from '../../lua/errors';

const QUESTION = 0x3f;
const DOLLAR = 0x24;
const NULL_TEXT = Buffer.from('NULL');
const TRUE_TEXT = Buffer.from('TRUE');
const FALSE_TEXT = Buffer.from('FALSE');
const DEFAULT_SEP = key(', ');
const INPUT_CONVERTER = key('input_converter');

function isNameByte(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** The bytes of the string or number at idx (a number is converted in place, as lua_tolstring does); Lua strings are immutable, so they may be kept after a pop. */
function bytesAt(L: LuaState, idx: number): Uint8Array {
  return lua.lua_tolstring(L, idx) as Uint8Array;
}

/**
 * Creates assemble_command, given quote_string (both are called through
 * Lua, so an error in a converter or a nested command unwinds normally).
 */
export function makeAssembleCommand(quoteFn: LuaCFunction): LuaCFunction {
  const quoteString = cfunction(quoteFn);
  const assemble: LuaCFunction = cfunction((L) => {
    if (lua.lua_type(L, 2) === lua.LUA_TSTRING) {
      lua.lua_settop(L, 2);
      return 1;
    }
    if (lauxlib.luaL_callmeta(L, 2, key('__tostring'))) return 1;
    lauxlib.luaL_checktype(L, 2, lua.LUA_TTABLE);
    lua.lua_settop(L, 2);
    lua.lua_rawgeti(L, 2, 1); // 3: template
    if (!lua.lua_isstring(L, 3)) lauxlib.luaL_argerror(L, 2, key('First entry of SQL command structure is not a string.'));
    const full = bytesAt(L, 3);
    const nul = full.indexOf(0);
    const template = nul < 0 ? full : full.subarray(0, nul);
    lua.lua_pushstring(L, INPUT_CONVERTER);
    lua.lua_gettable(L, 1); // 4: the connection's input_converter
    const converter = lua.lua_toboolean(L, 4) as boolean;
    const parts: Uint8Array[] = [];
    let paramIdx = 2;
    let pos = 0;
    let literalStart = 0;
    while (pos < template.length) {
      const c = template[pos];
      if (c !== QUESTION && c !== DOLLAR) {
        pos++;
        continue;
      }
      if (pos > literalStart) parts.push(template.subarray(literalStart, pos));
      pos++;
      if (template[pos] === c) {
        // an escaped ? or $
        parts.push(template.subarray(pos, pos + 1));
        pos++;
        literalStart = pos;
        continue;
      }
      const nameStart = pos;
      while (pos < template.length && isNameByte(template[pos])) pos++;
      literalStart = pos;
      lua.lua_settop(L, 4);
      if (pos > nameStart) {
        pushBytes(L, template.subarray(nameStart, pos)); // 5: key
        lua.lua_pushvalue(L, 5);
        lua.lua_gettable(L, 2); // 6: value
      } else {
        lua.lua_pushnil(L); // 5: no key
        lua.lua_rawgeti(L, 2, paramIdx++); // 6: value
      }
      if (c === DOLLAR) parts.push(...assembleSubstructure(L, assemble));
      else parts.push(quoteValue(L, converter, quoteString));
    }
    if (template.length > literalStart) parts.push(template.subarray(literalStart));
    lua.lua_settop(L, 2);
    pushOwnedBytes(L, Buffer.concat(parts));
    return 1;
  });
  return assemble;
}

/** The value at 6 (its key at 5) as a sub-structure: its items assembled and joined by its sep. */
function assembleSubstructure(L: LuaState, assemble: LuaCFunction): Uint8Array[] {
  if (lua.lua_isnil(L, 6)) lauxlib.luaL_argerror(L, 2, key('SQL sub-structure not found.'));
  if (lua.lua_type(L, 6) !== lua.LUA_TTABLE) lauxlib.luaL_argerror(L, 2, key('SQL sub-structure must be a table.'));
  lua.lua_getfield(L, 6, K.sep); // 7
  if (lua.lua_isnil(L, 7)) {
    lua.lua_pop(L, 1);
    lua.lua_pushstring(L, DEFAULT_SEP);
  } else if (!lua.lua_isstring(L, 7)) {
    lauxlib.luaL_argerror(L, 2, key('Seperator of SQL sub-structure has to be a string.'));
  }
  const sep = bytesAt(L, 7);
  const parts: Uint8Array[] = [];
  const count = lua.lua_rawlen(L, 6) as number;
  for (let i = 1; i <= count; i++) {
    if (i > 1) parts.push(sep);
    lua.lua_pushcfunction(L, assemble);
    lua.lua_pushvalue(L, 1);
    lua.lua_rawgeti(L, 6, i);
    lua.lua_call(L, 2, 1);
    parts.push(bytesAt(L, -1));
    lua.lua_pop(L, 1);
  }
  return parts;
}

/** The value at 6 (its key at 5, nil if positional) as an SQL literal. */
function quoteValue(L: LuaState, converter: boolean, quoteString: LuaCFunction): Uint8Array {
  if (converter) {
    lua.lua_pushvalue(L, 4);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushvalue(L, 6);
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushvalue(L, 5);
    lua.lua_setfield(L, -2, K.field_name);
    lua.lua_call(L, 3, 1);
    if (!lua.lua_isstring(L, -1)) raiseWhere(L, 'input_converter returned non-string.');
    return bytesAt(L, -1);
  }
  switch (lua.lua_type(L, 6)) {
    case lua.LUA_TNIL: return NULL_TEXT;
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, 6) ? TRUE_TEXT : FALSE_TEXT;
    case lua.LUA_TSTRING:
    case lua.LUA_TNUMBER:
      lua.lua_tolstring(L, 6);
      lua.lua_pushcfunction(L, quoteString);
      lua.lua_pushvalue(L, 1);
      lua.lua_pushvalue(L, 6);
      lua.lua_call(L, 2, 1);
      return bytesAt(L, -1);
    default:
      return raiseWhere(L, 'Unable to convert SQL value due to unknown type or missing input_converter.');
  }
}
