/**
 * WebMCP 2.1.0's `json` C module (libraries/json/json.c) in TypeScript:
 * json.object, array, import, export, get, type, set and null, with the same
 * results, messages and metatable behaviour.
 *
 * Layout as in C: a JSON object or array is an empty "proxy" table whose
 * metatable is the module's object or array metatable; its contents live in
 * a "shadow" table stored in the proxy under a private lightuserdata key.
 * JSON null inside a document is the lightuserdata json.null (reads as nil
 * through __index, pairs and json.get).
 */
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari';
import { formatSpec } from '../lua/stdlib/printf';
import { LUA_MAXINTEGER, LUA_MININTEGER } from 'fengari/src/luaconf';
import { pushOwnedBytes } from '../lua/strings';

/** The null marker (a lightuserdata, as json.c's &json_lightuserdata.nullmark). */
const NULL_MARK = { json: 'null marker' };
/** Key of the shadow table in a proxy. */
const SHADOW = { json: 'shadow table' };
/** Registry keys of the two metatables. */
const OBJECT_MT = { json: 'object metatable' };
const ARRAY_MT = { json: 'array metatable' };

const s = (text: string): Uint8Array => to_luastring(text);

function fail(L: LuaState, message: string): never {
  lauxlib.luaL_error(L, s('%s'), s(message));
  throw new Error('unreachable');
}

function isNull(L: LuaState, idx: number): boolean {
  return lua.lua_type(L, idx) === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, idx) === NULL_MARK;
}

function pushNull(L: LuaState): void {
  lua.lua_pushlightuserdata(L, NULL_MARK);
}

/** Pushes the shadow table of the value at idx (nil if none; nil also for a non-table). */
function getShadow(L: LuaState, idx: number): void {
  if (lua.lua_type(L, idx) === lua.LUA_TTABLE) lua.lua_rawgetp(L, idx, SHADOW);
  else lua.lua_pushnil(L);
}

/** Pushes a new proxy with an empty shadow table and metatable mt (a registry key). */
function pushProxy(L: LuaState, mt: object): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_newtable(L);
  lua.lua_rawsetp(L, -2, SHADOW);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, mt);
  lua.lua_setmetatable(L, -2);
}

// json.object(source)
function jsonObject(L: LuaState): number {
  if (lua.lua_isnoneornil(L, 1)) {
    pushProxy(L, OBJECT_MT);
    return 1;
  }
  lua.lua_settop(L, 1);
  if (lauxlib.luaL_getmetafield(L, 1, s('__pairs')) !== lua.LUA_TNIL) {
    if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return fail(L, '__pairs metamethod is not a function');
  } else {
    lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
    lua.lua_pushnil(L);
  }
  pushProxy(L, OBJECT_MT); // 3
  lua.lua_rawgetp(L, 3, SHADOW); // 4
  if (lua.lua_isnil(L, 2)) {
    for (lua.lua_pushnil(L); lua.lua_next(L, 1); lua.lua_pop(L, 1)) {
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
        lua.lua_pushvalue(L, -2);
        lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, 4);
      }
    }
  } else {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 1, 3); // 5: iterator, 6: state, 7: control
    for (;;) {
      lua.lua_pushvalue(L, 5);
      lua.lua_pushvalue(L, 6);
      lua.lua_pushvalue(L, -3);
      lua.lua_remove(L, -4);
      lua.lua_call(L, 2, 2);
      if (lua.lua_isnil(L, -2)) break;
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
        lua.lua_pushvalue(L, -2);
        if (lua.lua_isnil(L, -2)) pushNull(L);
        else lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, 4);
      }
      lua.lua_pop(L, 1);
    }
  }
  lua.lua_settop(L, 3);
  return 1;
}

// json.array(source)
function jsonArray(L: LuaState): number {
  if (lua.lua_isnoneornil(L, 1)) {
    pushProxy(L, ARRAY_MT);
    return 1;
  }
  lua.lua_settop(L, 1);
  pushProxy(L, ARRAY_MT); // 2
  lua.lua_rawgetp(L, 2, SHADOW); // 3
  const len = lauxlib.luaL_len(L, 1) as number;
  for (let i = 1; i <= len; i++) {
    lua.lua_pushinteger(L, i);
    lua.lua_gettable(L, 1);
    if (lua.lua_isnil(L, -1)) {
      lua.lua_pop(L, 1);
      pushNull(L);
    }
    lua.lua_rawseti(L, 3, i);
  }
  lua.lua_settop(L, 2);
  return 1;
}

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
function jsonImport(L: LuaState): number {
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

/** json_path of json.c: json.get (typeMode false) and json.type (true). */
function jsonPath(L: LuaState, typeMode: boolean): number {
  lauxlib.luaL_checkany(L, 1);
  const top = lua.lua_gettop(L);
  lua.lua_pushvalue(L, 1);
  for (let idx = 2; idx <= top; idx++) {
    if (lua.lua_isnil(L, -1)) return 1;
    getShadow(L, -1);
    if (lua.lua_isnil(L, -1)) {
      if (lua.lua_type(L, -2) !== lua.LUA_TTABLE) return 1;
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, idx);
      lua.lua_gettable(L, -2);
    } else {
      lua.lua_replace(L, -2);
      lua.lua_pushvalue(L, idx);
      lua.lua_rawget(L, -2);
    }
    lua.lua_replace(L, -2);
  }
  if (!typeMode) {
    if (isNull(L, -1)) lua.lua_pushnil(L);
    return 1;
  }
  if (isNull(L, -1)) {
    lua.lua_pushstring(L, s('null'));
    return 1;
  }
  if (lua.lua_getmetatable(L, -1)) {
    lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT);
    if (lua.lua_rawequal(L, -2, -1)) { lua.lua_pushstring(L, s('object')); return 1; }
    lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
    if (lua.lua_rawequal(L, -3, -1)) { lua.lua_pushstring(L, s('array')); return 1; }
    lua.lua_pop(L, 3);
  }
  lua.lua_pushstring(L, lua.lua_typename(L, lua.lua_type(L, -1)));
  return 1;
}

// json.set(document, value, key1, ...)
function jsonSet(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1);
  lauxlib.luaL_checkany(L, 2);
  lauxlib.luaL_checkany(L, 3);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT);
  lua.lua_insert(L, 1);
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
  lua.lua_insert(L, 2);
  const top = lua.lua_gettop(L);
  lua.lua_pushnil(L); // parent
  lua.lua_pushvalue(L, 3); // current
  for (let idx = 5; idx <= top; idx++) {
    if (!lua.lua_getmetatable(L, -1)) lua.lua_pushnil(L);
    const t = lua.lua_type(L, idx);
    if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
      const mtIdx = t === lua.LUA_TSTRING ? 1 : 2;
      if (lua.lua_rawequal(L, -1, mtIdx) || (lua.lua_isnil(L, -1) && lua.lua_type(L, -2) === lua.LUA_TTABLE)) {
        lua.lua_pop(L, 1);
      } else {
        lua.lua_pop(L, 2);
        if (lua.lua_isnil(L, -1)) return fail(L, t === lua.LUA_TSTRING ? 'Root element is not a JSON object' : 'Root element is not a JSON array');
        pushProxy(L, t === lua.LUA_TSTRING ? OBJECT_MT : ARRAY_MT);
        lua.lua_pushvalue(L, idx - 1);
        lua.lua_pushvalue(L, -2);
        lua.lua_settable(L, -4);
      }
    } else {
      lauxlib.luaL_error(L, s('Invalid path key of type %s'), lua.lua_typename(L, t));
    }
    if (idx === top) {
      lua.lua_pushvalue(L, idx);
      lua.lua_pushvalue(L, 4);
      lua.lua_settable(L, -3);
    } else {
      lua.lua_remove(L, -2);
      lua.lua_pushvalue(L, idx);
      lua.lua_gettable(L, -2);
    }
  }
  lua.lua_settop(L, 3);
  return 1;
}

// __len: the raw length of the shadow table, as a float (lua_pushnumber in C)
function mtLen(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 1);
  getShadow(L, 1);
  if (lua.lua_isnil(L, -1)) lua.lua_pop(L, 1);
  lua.lua_pushnumber(L, lua.lua_rawlen(L, -1));
  return 1;
}

function shadowFirst(L: LuaState, top: number): void {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, top);
  getShadow(L, 1);
  if (lua.lua_isnil(L, -1)) fail(L, 'Shadow table not found');
  lua.lua_replace(L, 1);
}

function mtIndex(L: LuaState): number {
  shadowFirst(L, 2);
  lua.lua_rawget(L, 1);
  if (isNull(L, 2)) lua.lua_pushnil(L);
  return 1;
}

function mtNewindex(L: LuaState): number {
  shadowFirst(L, 3);
  lua.lua_rawset(L, 1);
  return 0;
}

function pairsIter(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 2);
  if (!lua.lua_next(L, 1)) return 0;
  if (isNull(L, -1)) {
    lua.lua_pop(L, 1);
    lua.lua_pushnil(L);
  }
  return 2;
}

/** __pairs and __ipairs: the iterator, the shadow table of argument 1 and the first key (nil or 0). */
function iterateShadow(L: LuaState, iter: (L: LuaState) => number, ordered: boolean): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_pushcfunction(L, iter);
  getShadow(L, 1);
  if (lua.lua_isnil(L, -1)) return fail(L, 'Shadow table not found');
  if (ordered) lua.lua_pushinteger(L, 0);
  else lua.lua_pushnil(L);
  return 3;
}

function mtPairs(L: LuaState): number {
  return iterateShadow(L, pairsIter, false);
}

function ipairsIter(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 2);
  const idx = (lua.lua_tointeger(L, 2) as number) + 1;
  lua.lua_rawgeti(L, 1, idx);
  if (lua.lua_isnil(L, 3)) return 0;
  lua.lua_pushinteger(L, idx);
  if (isNull(L, 3)) lua.lua_pushnil(L);
  else lua.lua_pushvalue(L, 3);
  return 2;
}

function mtIpairs(L: LuaState): number {
  return iterateShadow(L, ipairsIter, true);
}

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
function jsonExport(L: LuaState): number {
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

function nullToString(L: LuaState): number {
  lua.lua_pushstring(L, s('<JSON null marker>'));
  return 1;
}

const FUNCTIONS: Array<[string, (L: LuaState) => number]> = [
  ['object', jsonObject],
  ['array', jsonArray],
  ['import', jsonImport],
  ['export', jsonExport],
  ['get', (L) => jsonPath(L, false)],
  ['type', (L) => jsonPath(L, true)],
  ['set', jsonSet],
];

const METAMETHODS: Array<[string, (L: LuaState) => number]> = [
  ['__len', mtLen],
  ['__index', mtIndex],
  ['__newindex', mtNewindex],
  ['__pairs', mtPairs],
  ['__ipairs', mtIpairs],
  ['__tostring', jsonExport],
];

function setFunctions(L: LuaState, list: Array<[string, (L: LuaState) => number]>): void {
  for (const [name, f] of list) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, s(name));
  }
}

/** luaopen_json: the module table. */
export function openJson(L: LuaState): number {
  lua.lua_settop(L, 0);
  lua.lua_newtable(L);
  setFunctions(L, FUNCTIONS);
  lua.lua_newtable(L);
  setFunctions(L, METAMETHODS);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, OBJECT_MT);
  lua.lua_newtable(L);
  setFunctions(L, METAMETHODS);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
  pushNull(L);
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, nullToString);
  lua.lua_setfield(L, -2, s('__tostring'));
  lua.lua_setmetatable(L, -2);
  lua.lua_setfield(L, 1, s('null'));
  return 1;
}
