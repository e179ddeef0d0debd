/**
 * The time and date part of Lua 5.3's os library, as loslib.c has it:
 * os.date (strftime conversion by conversion, checked against the C99/POSIX
 * option list; "!" for UTC; "*t" tables), os.time (a date table normalised
 * by mktime, the table updated with the normalised fields), os.difftime and
 * os.clock. The calendar work is the C library's (native localtime_r,
 * gmtime_r, strftime, mktime), so time zones, DST and the locale behave as
 * under PUC Lua.
 */
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari';
import { native, type Tm } from '../../native/binding';
import { cfunction } from '../cfunction';
import { pushInterned, pushOwnedBytes } from '../strings';

/**
 * LUA_STRFTIMEOPTIONS for C99/POSIX: the one-character conversions, then
 * (after "||") the two-character ones.
 */
const STRFTIME_OPTIONS_1 = 'aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%';
const STRFTIME_OPTIONS_2 = ['Ec', 'EC', 'Ex', 'EX', 'Ey', 'EY',
  'Od', 'Oe', 'OH', 'OI', 'Om', 'OM', 'OS', 'Ou', 'OU', 'OV', 'Ow', 'OW', 'Oy'];
const OPTIONS_1 = new Set(Array.from(STRFTIME_OPTIONS_1, (c) => c.charCodeAt(0)));
const OPTIONS_2 = new Set(STRFTIME_OPTIONS_2);

/** SIZETIMEFMT: strftime's buffer for one conversion (a longer result gives 0, nothing). */
const SIZETIMEFMT = 250;
/** L_MAXDATEFIELD: INT_MAX / 2, so that mktime's int arithmetic cannot overflow. */
const L_MAXDATEFIELD = 1073741823;
/** The range of C's int64_t (lua_Integer in PUC's default build) as doubles. */
const TWO_TO_63 = 9223372036854775808;

const PERCENT = 37;
const BANG = 33;
const STAR = 42;
const LETTER_T = 116;

const DEFAULT_FORMAT = to_luastring('%c', true);
const MSG_UNREPRESENTABLE = to_luastring('time result cannot be represented in this installation', true);
const MSG_NOT_INTEGER = to_luastring("field '%s' is not an integer", true);
const MSG_MISSING = to_luastring("field '%s' missing in date table", true);
const MSG_OUT_OF_BOUND = to_luastring("field '%s' is out-of-bound", true);
const MSG_INVALID_CONVERSION = to_luastring("invalid conversion specifier '%%%s'", true);

/** time(NULL). */
function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * l_checktime: an integer argument. Its "time out-of-bounds" check cannot
 * fail here: time_t is 64 bits and every lua_Integer fits it.
 */
function checktime(L: LuaState, arg: number): number {
  return lauxlib.luaL_checkinteger(L, arg) as number;
}

/** The bytes from `from` up to the first NUL (or the end): what C's %s sees. */
function cString(s: Uint8Array, from: number): Uint8Array {
  const nul = s.indexOf(0, from);
  return s.subarray(from, nul < 0 ? s.length : nul);
}

// ------------------------------------------------------------------ tables

function setfield(L: LuaState, name: string, value: number): void {
  lua.lua_pushinteger(L, value);
  pushInterned(L, name);
  lua.lua_insert(L, -2);
  lua.lua_settable(L, -3);
}

function setboolfield(L: LuaState, name: string, value: number): void {
  if (value < 0) return; // undefined: the field is not set
  lua.lua_pushboolean(L, value !== 0);
  pushInterned(L, name);
  lua.lua_insert(L, -2);
  lua.lua_settable(L, -3);
}

/** setallfields: the fields of tm into the table on top of the stack. */
function setallfields(L: LuaState, tm: Tm): void {
  setfield(L, 'sec', tm.sec);
  setfield(L, 'min', tm.min);
  setfield(L, 'hour', tm.hour);
  setfield(L, 'day', tm.mday);
  setfield(L, 'month', tm.mon + 1);
  setfield(L, 'year', tm.year + 1900);
  setfield(L, 'wday', tm.wday + 1);
  setfield(L, 'yday', tm.yday + 1);
  setboolfield(L, 'isdst', tm.isdst);
}

function getboolfield(L: LuaState, name: string): number {
  const res = lua.lua_getfield(L, -1, to_luastring(name, true)) === lua.LUA_TNIL ? -1 : lua.lua_toboolean(L, -1) ? 1 : 0;
  lua.lua_pop(L, 1);
  return res;
}

/**
 * lua_tointegerx as PUC's 64-bit lua_Integer sees the value on top of the
 * stack: integers, floats with an exact integer value in int64_t's range,
 * and strings converting to either. null when it is not an integer.
 */
function tointeger64(L: LuaState): number | null {
  if (lua.lua_isinteger(L, -1)) return lua.lua_tointeger(L, -1) as number;
  const f = lua.lua_tonumberx(L, -1) as number | false;
  if (f === false || !Number.isInteger(f) || f < -TWO_TO_63 || f >= TWO_TO_63) return null;
  return f;
}

/** getfield: a date-table field, with a default (d >= 0) or required; delta is subtracted. */
function getfield(L: LuaState, name: string, d: number, delta: number): number {
  const t = lua.lua_getfield(L, -1, to_luastring(name, true)) as number;
  let res = tointeger64(L);
  if (res === null) {
    if (t !== lua.LUA_TNIL) return lauxlib.luaL_error(L, MSG_NOT_INTEGER, name) as number;
    if (d < 0) return lauxlib.luaL_error(L, MSG_MISSING, name) as number;
    res = d;
  } else {
    if (!(-L_MAXDATEFIELD <= res && res <= L_MAXDATEFIELD)) {
      return lauxlib.luaL_error(L, MSG_OUT_OF_BOUND, name) as number;
    }
    res -= delta;
  }
  lua.lua_pop(L, 1);
  return res;
}

// ------------------------------------------------------------------ os.date

/**
 * checkoption: the conversion at s[at..end) (after its '%'); returns its
 * length, or raises "invalid conversion specifier '%<rest of format>'".
 */
function checkoption(L: LuaState, s: Uint8Array, at: number): number {
  const convlen = s.length - at;
  if (convlen >= 1 && OPTIONS_1.has(s[at])) return 1;
  if (convlen >= 2 && OPTIONS_2.has(String.fromCharCode(s[at], s[at + 1]))) return 2;
  lua.lua_pushfstring(L, MSG_INVALID_CONVERSION, cString(s, at));
  return lauxlib.luaL_argerror(L, 1, lua.lua_tostring(L, -1)) as number;
}

/** strftime of one conversion ("%X", "%EX"), as bytes; empty when the result would not fit SIZETIMEFMT. */
function strftimeOne(spec: string, t: number, utc: boolean): Uint8Array {
  const out = Buffer.from(native().strftime(spec, t, utc), 'utf8');
  return out.length < SIZETIMEFMT ? out : new Uint8Array(0);
}

const osDate = cfunction((L) => {
  const s = lauxlib.luaL_optlstring(L, 1, DEFAULT_FORMAT) as Uint8Array;
  const t = lua.lua_type(L, 2) <= 0 ? now() : checktime(L, 2);
  let i = 0;
  let utc = false;
  if (s[0] === BANG) {
    utc = true;
    i = 1;
  }
  const tm = native().localtime(t, utc);
  if (tm === null) return lauxlib.luaL_error(L, MSG_UNREPRESENTABLE) as number;
  // strcmp(s, "*t"): C's comparison ends at a NUL byte.
  if (s[i] === STAR && s[i + 1] === LETTER_T && (s.length === i + 2 || s[i + 2] === 0)) {
    lua.lua_createtable(L, 0, 9);
    setallfields(L, tm);
    return 1;
  }
  const parts: Uint8Array[] = [];
  let literal = i;
  while (i < s.length) {
    if (s[i] !== PERCENT) {
      i++;
      continue;
    }
    if (i > literal) parts.push(s.subarray(literal, i));
    i++; // skip '%'
    const len = checkoption(L, s, i);
    parts.push(strftimeOne('%' + String.fromCharCode(...s.subarray(i, i + len)), t, utc));
    i += len;
    literal = i;
  }
  if (i > literal) parts.push(s.subarray(literal, i));
  pushOwnedBytes(L, Buffer.concat(parts));
  return 1;
});

// ------------------------------------------------------------------ os.time

/** Pushes t as a lua_Integer, or raises when it does not fit one (or is mktime's -1). */
function pushtime(L: LuaState, t: number): number {
  lua.lua_pushnumber(L, t);
  const n = lua.lua_tointegerx(L, -1) as number | false;
  lua.lua_pop(L, 1);
  if (n === false || t === -1) return lauxlib.luaL_error(L, MSG_UNREPRESENTABLE) as number;
  lua.lua_pushinteger(L, n);
  return 1;
}

const osTime = cfunction((L) => {
  if (lua.lua_isnoneornil(L, 1)) return pushtime(L, now());
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  lua.lua_settop(L, 1); // the table on top
  const tm: Tm = { sec: 0, min: 0, hour: 0, mday: 0, mon: 0, year: 0, wday: 0, yday: 0, isdst: 0 };
  tm.sec = getfield(L, 'sec', 0, 0);
  tm.min = getfield(L, 'min', 0, 0);
  tm.hour = getfield(L, 'hour', 12, 0);
  tm.mday = getfield(L, 'day', -1, 0);
  tm.mon = getfield(L, 'month', -1, 1);
  tm.year = getfield(L, 'year', -1, 1900);
  tm.isdst = getboolfield(L, 'isdst');
  const result = native().mktime(tm);
  setallfields(L, result.tm); // the fields, normalised
  return pushtime(L, result.time);
});

const osDifftime = cfunction((L) => {
  const t1 = checktime(L, 1);
  const t2 = checktime(L, 2);
  lua.lua_pushnumber(L, t1 - t2);
  return 1;
});

// ------------------------------------------------------------------ os.clock

/** clock() / CLOCKS_PER_SEC: process CPU time, in glibc's microsecond clock ticks. */
const osClock = cfunction((L) => {
  const ns = Math.round(native().cpuTime() * 1e9);
  lua.lua_pushnumber(L, Math.floor(ns / 1000) / 1e6);
  return 1;
});

/** The functions of this part of the library, by name. */
export const OS_TIME_FUNCTIONS = {
  clock: osClock,
  date: osDate,
  difftime: osDifftime,
  time: osTime,
};
