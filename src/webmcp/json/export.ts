/**
 * json.export of WebMCP's json module (libraries/json/json.c's
 * json_export), also the __tostring of JSON objects and arrays: keys sorted
 * bytewise, numbers and escapes as json.c writes them, optional indentation.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { formatSpec } from '../../lua/stdlib/printf';
import { pushOwnedBytes } from '../../lua/strings';
import { ARRAY_MT, OBJECT_MT, SHADOW, fail, isNull, s } from './values';

/** A number as json.c writes it. */
export function exportNumber(n: number, integer: boolean): string {
  if (integer) return String(n);
  if (Number.isNaN(n)) throw new RangeError('JSON export not possible for NaN value');
  if (!Number.isFinite(n)) throw new RangeError('JSON export not possible for infinite numbers');
  let text: string;
  if (Math.trunc(n) === n) {
    text = formatSpec('%.17g', n);
  } else {
    text = formatSpec('%.15g', n);
    if (Number(text) !== n) text = formatSpec('%.16g', n);
    if (Number(text) !== n) text = formatSpec('%.17g', n);
  }
  return /^[+-]?[0-9]*$/.test(text) ? `${text}.0` : text;
}

const HEX = '0123456789ABCDEF';

function exportString(out: number[], str: Uint8Array): void {
  out.push(0x22);
  for (const c of str) {
    if (c === 0x22) out.push(0x5c, 0x22);
    else if (c === 0x5c) out.push(0x5c, 0x5c);
    else if (c === 127) pushAscii(out, '\\u007F');
    else if (c >= 32) out.push(c);
    else if (c === 8) out.push(0x5c, 0x62);
    else if (c === 12) out.push(0x5c, 0x66);
    else if (c === 10) out.push(0x5c, 0x6e);
    else if (c === 13) out.push(0x5c, 0x72);
    else if (c === 9) out.push(0x5c, 0x74);
    else if (c === 11) out.push(0x5c, 0x76);
    else pushAscii(out, `\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
  }
  out.push(0x22);
}

function pushAscii(out: number[], text: string): void {
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

interface Frame { object: boolean; pos: number; keys: Uint8Array[] }

// json.export(value[, indentation]); also __tostring
export function jsonExport(L: LuaState): number {
  lua.lua_settop(L, 2);
  let pretty = false;
  if (lua.lua_toboolean(L, 2)) {
    pretty = true;
    if (lua.lua_isboolean(L, 2)) {
      lua.lua_pushstring(L, s('  '));
      lua.lua_replace(L, 2);
    } else {
      lauxlib.luaL_checktype(L, 2, lua.LUA_TSTRING);
    }
  }
  const indent = pretty ? Array.from(lua.lua_tolstring(L, 2) as Uint8Array) : [];
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT); // 3
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT); // 4
  lua.lua_newtable(L); // 5: the containers being written, by level
  const out: number[] = [];
  const frames: Frame[] = [];
  const newline = (level: number): void => {
    out.push(10);
    for (let i = 0; i < level; i++) for (const b of indent) out.push(b);
  };
  /** Writes the value on top of the stack (popped); a container opens a frame. */
  const emit = (): void => {
    const v = lua.lua_gettop(L);
    if (isNull(L, v)) {
      lua.lua_pushnil(L);
      lua.lua_replace(L, v);
    }
    const t = lua.lua_type(L, v);
    switch (t) {
      case lua.LUA_TNIL: pushAscii(out, 'null'); break;
      case lua.LUA_TNUMBER:
        try {
          pushAscii(out, exportNumber(lua.lua_tonumber(L, v) as number, lua.lua_isinteger(L, v) as boolean));
        } catch (err) {
          fail(L, (err as Error).message);
        }
        break;
      case lua.LUA_TBOOLEAN: pushAscii(out, lua.lua_toboolean(L, v) ? 'true' : 'false'); break;
      case lua.LUA_TSTRING: exportString(out, lua.lua_tolstring(L, v) as Uint8Array); break;
      case lua.LUA_TTABLE: {
        let type = 0; // 0 unknown, 1 object, 2 array
        if (lua.lua_getmetatable(L, v)) {
          if (lua.lua_rawequal(L, -1, 3)) type = 1;
          else if (lua.lua_rawequal(L, -1, 4)) type = 2;
          else fail(L, 'JSON export not possible for tables with nonsupported metatable');
          lua.lua_pop(L, 1);
        }
        lua.lua_rawgetp(L, v, SHADOW);
        if (lua.lua_isnil(L, -1)) lua.lua_pop(L, 1);
        else lua.lua_replace(L, v);
        const ambiguous = 'JSON export not possible for ambiguous table (cannot decide whether it is an object or array)';
        if (type === 0) {
          for (lua.lua_pushnil(L); lua.lua_next(L, v); lua.lua_pop(L, 1)) {
            const kt = lua.lua_type(L, -2);
            if (kt === lua.LUA_TSTRING) {
              if (type === 2) fail(L, ambiguous);
              type = 1;
            } else if (kt === lua.LUA_TNUMBER) {
              if (type === 1) fail(L, ambiguous);
              type = 2;
            }
          }
        }
        if (type === 0) fail(L, ambiguous);
        const keys: Uint8Array[] = [];
        if (type === 1) {
          for (lua.lua_pushnil(L); lua.lua_next(L, v); lua.lua_pop(L, 1)) {
            if (lua.lua_type(L, -2) === lua.LUA_TSTRING) keys.push(lua.lua_tolstring(L, -2) as Uint8Array);
          }
          keys.sort(compareBytes);
        }
        frames.push({ object: type === 1, pos: 0, keys });
        lua.lua_pushvalue(L, v);
        lua.lua_rawseti(L, 5, frames.length);
        out.push(type === 1 ? 0x7b : 0x5b);
        break;
      }
      default:
        lauxlib.luaL_error(L, s('JSON export not possible for values of type "%s"'), lua.lua_typename(L, t));
    }
    lua.lua_settop(L, v - 1);
  };
  lua.lua_pushvalue(L, 1);
  emit();
  while (frames.length > 0) {
    const f = frames[frames.length - 1];
    const level = frames.length;
    lua.lua_rawgeti(L, 5, level);
    const container = lua.lua_gettop(L);
    let done: boolean;
    if (f.object) {
      done = f.pos === f.keys.length;
      if (!done) {
        if (f.pos) out.push(0x2c);
        if (pretty) newline(level);
        const k = f.keys[f.pos++];
        exportString(out, k);
        out.push(0x3a);
        if (pretty) out.push(0x20);
        pushOwnedBytes(L, k);
        lua.lua_rawget(L, container);
      }
    } else {
      lua.lua_rawgeti(L, container, f.pos + 1);
      done = lua.lua_isnil(L, -1);
      if (done) {
        lua.lua_pop(L, 1);
      } else {
        if (f.pos) out.push(0x2c);
        f.pos++;
        if (pretty) newline(level);
      }
    }
    if (done) {
      lua.lua_pop(L, 1);
      frames.pop();
      lua.lua_pushnil(L);
      lua.lua_rawseti(L, 5, level);
      if (pretty && f.pos) newline(level - 1);
      out.push(f.object ? 0x7d : 0x5d);
      continue;
    }
    lua.lua_remove(L, container);
    emit();
  }
  if (pretty) out.push(10);
  pushOwnedBytes(L, Uint8Array.from(out));
  return 1;
}
