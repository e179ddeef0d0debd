/**
 * json.import of WebMCP's json module (libraries/json/json.c's json_import):
 * its state machine over the bytes, its messages, strtod numbers, and
 * unicode escapes with surrogate pairs decoded to UTF-8.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { LUA_MAXINTEGER, LUA_MININTEGER } from 'fengari/src/luaconf';
import { pushOwnedBytes } from '../../lua/strings';
import { ARRAY_MT, OBJECT_MT, SHADOW, pushNull, s } from './values';

// Parser states (json.c's JSON_STATE_*).
const VALUE = 0, OBJECT_KEY = 1, OBJECT_KEY_TERMINATOR = 2, OBJECT_VALUE = 3;
const OBJECT_SEPARATOR = 4, ARRAY_VALUE = 5, ARRAY_SEPARATOR = 6, END = 7;

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0b;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}
function matchWord(str: Uint8Array, pos: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (lower(str[pos + i] ?? 0) !== word.charCodeAt(i)) return false;
  return true;
}

/** C strtod (glibc, "C" locale) at pos: the value and where it ends, or null if nothing converts. */
function strtod(str: Uint8Array, start: number): { value: number; end: number } | null {
  let pos = start;
  let negative = false;
  if (str[pos] === 0x2b || str[pos] === 0x2d) negative = str[pos++] === 0x2d;
  const sign = (v: number): number => (negative ? -v : v);
  if (matchWord(str, pos, 'inf')) {
    return { value: sign(Infinity), end: pos + (matchWord(str, pos, 'infinity') ? 8 : 3) };
  }
  if (matchWord(str, pos, 'nan')) {
    let end = pos + 3;
    if (str[end] === 0x28) {
      let p = end + 1;
      while (p < str.length && (isDigit(str[p]) || (lower(str[p]) >= 0x61 && lower(str[p]) <= 0x7a) || str[p] === 0x5f)) p++;
      if (str[p] === 0x29) end = p + 1;
    }
    return { value: NaN, end };
  }
  if (str[pos] === 0x30 && lower(str[pos + 1] ?? 0) === 0x78) {
    let p = pos + 2;
    let mantissa = 0n;
    let digits = 0;
    let exp = 0;
    while (hexValue(str[p] ?? 0) >= 0) { mantissa = mantissa * 16n + BigInt(hexValue(str[p])); p++; digits++; }
    if (str[p] === 0x2e) {
      p++;
      while (hexValue(str[p] ?? 0) >= 0) { mantissa = mantissa * 16n + BigInt(hexValue(str[p])); p++; digits++; exp -= 4; }
    }
    if (digits > 0) {
      if (lower(str[p] ?? 0) === 0x70) {
        let q = p + 1;
        let eneg = false;
        if (str[q] === 0x2b || str[q] === 0x2d) eneg = str[q++] === 0x2d;
        if (isDigit(str[q] ?? 0)) {
          let e = 0;
          while (isDigit(str[q] ?? 0)) { e = Math.min(e * 10 + str[q] - 0x30, 1e6); q++; }
          exp += eneg ? -e : e;
          p = q;
        }
      }
      return { value: sign(Number(mantissa) * Math.pow(2, exp)), end: p };
    }
    return { value: sign(0), end: pos + 1 }; // "0x" without hex digits: strtod reads the "0"
  }
  let p = pos;
  let digits = 0;
  while (isDigit(str[p] ?? 0)) { p++; digits++; }
  if (str[p] === 0x2e) {
    p++;
    while (isDigit(str[p] ?? 0)) { p++; digits++; }
  }
  if (digits === 0) return null;
  if (lower(str[p] ?? 0) === 0x65) {
    let q = p + 1;
    if (str[q] === 0x2b || str[q] === 0x2d) q++;
    if (isDigit(str[q] ?? 0)) {
      while (isDigit(str[q] ?? 0)) q++;
      p = q;
    }
  }
  const text = Buffer.from(str.subarray(pos, p)).toString('latin1');
  return { value: sign(Number(text.endsWith('.') ? text.slice(0, -1) : text)), end: p };
}

function utf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

const MAX_INT = BigInt(LUA_MAXINTEGER);
const MIN_INT = BigInt(LUA_MININTEGER);

// json.import(str): value, or nil and a message
export function jsonImport(L: LuaState): number {
  const str = lauxlib.luaL_checklstring(L, 1) as Uint8Array;
  const result = (message: string): number => {
    lua.lua_pushnil(L);
    lua.lua_pushstring(L, s(message));
    return 2;
  };
  const SYNTAX = 'Syntax error in JSON document';
  const EOF = 'Unexpected end of JSON document';
  if (str.indexOf(0) >= 0) return result(SYNTAX);
  const at = (i: number): number => (i < str.length ? str[i] : 0);
  lua.lua_settop(L, 1);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT); // 2
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT); // 3
  lua.lua_newtable(L); // 4: stack swap
  let swap = 0;
  let pos = 0;
  let level = 0;
  let mode = VALUE;
  for (;;) {
    while (isWhite(at(pos))) pos++;
    const c = at(pos);
    // true when a value (or, after a closing bracket, the inner container) is on top
    let value = false;
    if (c === 0) {
      if (mode === END) return 1;
      return result(level === 0 ? 'Empty string' : EOF);
    } else if (c === 0x7b || c === 0x5b) { // { [
      if (mode !== VALUE && mode !== OBJECT_VALUE && mode !== ARRAY_VALUE) return result(SYNTAX);
      pos++;
      if (level) {
        lua.lua_rawseti(L, 4, ++swap);
        lua.lua_rawseti(L, 4, ++swap);
        lua.lua_rawseti(L, 4, ++swap);
      }
      level++;
      lua.lua_newtable(L);
      lua.lua_pushvalue(L, c === 0x7b ? 2 : 3);
      lua.lua_setmetatable(L, -2);
      lua.lua_newtable(L);
      lua.lua_pushvalue(L, -1);
      lua.lua_rawsetp(L, -3, SHADOW);
      if (c === 0x7b) {
        mode = OBJECT_KEY;
      } else {
        mode = ARRAY_VALUE;
        lua.lua_pushnil(L); // the "key" of an array level
      }
      continue;
    } else if (c === 0x7d || c === 0x5d) { // } ]
      if (c === 0x7d && mode !== OBJECT_KEY && mode !== OBJECT_SEPARATOR) return result(SYNTAX);
      if (c === 0x5d) {
        if (mode !== ARRAY_VALUE && mode !== ARRAY_SEPARATOR) return result(SYNTAX);
        lua.lua_pop(L, 1);
      }
      pos++;
      lua.lua_pop(L, 1); // the shadow table
      if (--level) {
        for (let i = 0; i < 3; i++) {
          lua.lua_rawgeti(L, 4, swap--);
          lua.lua_insert(L, -2);
        }
        mode = lua.lua_isnil(L, -2) ? ARRAY_VALUE : OBJECT_VALUE;
        value = true;
      } else {
        mode = END;
        continue;
      }
    } else if (c === 0x3a) { // :
      if (mode !== OBJECT_KEY_TERMINATOR) return result(SYNTAX);
      pos++;
      mode = OBJECT_VALUE;
      continue;
    } else if (c === 0x2c) { // , (a trailing comma is tolerated, as in C)
      if (mode === OBJECT_SEPARATOR) mode = OBJECT_KEY;
      else if (mode === ARRAY_SEPARATOR) mode = ARRAY_VALUE;
      else return result(SYNTAX);
      pos++;
      continue;
    } else if (c === 0x22) { // "
      pos++;
      // json.c first looks for the closing quote, skipping a quote right
      // after any backslash (so '"a\\"' at the end of the input is an
      // unexpected end, as there)
      let scan = pos;
      for (;;) {
        const d = at(scan);
        if (d === 0x22) break;
        scan++;
        if (d === 0) return result(EOF);
        if (d === 0x5c && at(scan) === 0x22) scan++;
      }
      const out: number[] = [];
      for (;;) {
        let d = at(pos++);
        if (d === 0x22) break;
        if (d < 32 || d === 127) return result('Unexpected control character in JSON string');
        if (d !== 0x5c) { out.push(d); continue; }
        d = at(pos++);
        switch (d) {
          case 0: return result(EOF);
          case 0x22: case 0x2f: case 0x5c: out.push(d); break;
          case 0x62: out.push(8); break;
          case 0x66: out.push(12); break;
          case 0x6e: out.push(10); break;
          case 0x72: out.push(13); break;
          case 0x74: out.push(9); break;
          case 0x75: {
            const hex = (): number | string => {
              let x = 0;
              for (let i = 0; i < 4; i++) {
                const h = at(pos++);
                const v = hexValue(h);
                if (v < 0) return h === 0 ? EOF : 'Unexpected string escape sequence in JSON document';
                x = x * 16 + v;
              }
              return x;
            };
            let cp = hex();
            if (typeof cp === 'string') return result(cp);
            if (cp >= 0xd800 && cp <= 0xdfff) {
              const WRONG = 'Illegal UTF-16 surrogate in JSON string escape sequence';
              if (cp > 0xdbff) return result(WRONG);
              let e = at(pos++);
              if (e === 0x5c) e = at(pos++);
              else { return result(e === 0 ? EOF : WRONG); }
              if (e !== 0x75) return result(e === 0 ? EOF : WRONG);
              const tail = hex();
              if (typeof tail === 'string') return result(tail);
              if (tail < 0xdc00 || tail > 0xdfff) return result(WRONG);
              cp = 0x10000 + (tail - 0xdc00) + (cp - 0xd800) * 0x400;
            }
            utf8(out, cp);
            break;
          }
          default: return result('Unexpected string escape sequence in JSON document');
        }
      }
      pushOwnedBytes(L, Uint8Array.from(out));
      value = true;
    } else if (isDigit(c) || c === 0x2d || c === 0x2b) {
      const num = strtod(str, pos);
      if (num === null) return result(SYNTAX);
      // the integer reading json.c tries: all characters after the first are digits, no overflow
      let acc: bigint = isDigit(c) ? BigInt(c - 0x30) : 0n;
      let isInt = true;
      for (let p = pos + 1; p < num.end; p++) {
        const d = str[p] - 0x30;
        if (d < 0 || d > 9) { isInt = false; break; }
        const next: bigint = c === 0x2d ? acc * 10n - BigInt(d) : acc * 10n + BigInt(d);
        if (next > MAX_INT || next < MIN_INT) { isInt = false; break; }
        acc = next;
      }
      if (isInt) lua.lua_pushinteger(L, Number(acc));
      else lua.lua_pushnumber(L, num.value);
      pos = num.end;
      value = true;
    } else if (matchExact(str, pos, 'true')) {
      pos += 4;
      lua.lua_pushboolean(L, true);
      value = true;
    } else if (matchExact(str, pos, 'false')) {
      pos += 5;
      lua.lua_pushboolean(L, false);
      value = true;
    } else if (matchExact(str, pos, 'null')) {
      pos += 4;
      pushNull(L);
      value = true;
    } else {
      return result(SYNTAX);
    }
    if (!value) continue;
    switch (mode) {
      case OBJECT_KEY:
        if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) return result(SYNTAX);
        mode = OBJECT_KEY_TERMINATOR;
        break;
      case OBJECT_VALUE:
        lua.lua_rawset(L, -3);
        mode = OBJECT_SEPARATOR;
        break;
      case ARRAY_VALUE:
        lua.lua_rawseti(L, -3, lua.lua_rawlen(L, -3) + 1);
        mode = ARRAY_SEPARATOR;
        break;
      case VALUE:
        mode = END;
        break;
      default:
        return result(SYNTAX);
    }
  }
}

function matchExact(str: Uint8Array, pos: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (str[pos + i] !== word.charCodeAt(i)) return false;
  return true;
}
