/**
 * Moving bytes between Fengari strings (Uint8Array) and JS without going
 * through UTF-8 conversion: Lua strings are byte strings, and every string
 * that crosses this boundary is either raw bytes (Uint8Array) or a latin1 JS
 * string (one char per byte).
 */
import { lua, to_luastring, type LuaState } from 'fengari';
import { luaS_bless } from 'fengari/src/lstring';
import { pushsvalue2s } from 'fengari/src/lobject';

const EMPTY = to_luastring('', true);

/** Pushes bytes as a Lua string, taking ownership: the caller must not modify `bytes` afterwards. */
export function pushOwnedBytes(L: LuaState, bytes: Uint8Array): void {
  if (bytes.length === 0) {
    lua.lua_pushstring(L, EMPTY);
  } else {
    pushsvalue2s(L, luaS_bless(L, bytes));
  }
}

/** Pushes a copy of bytes as a Lua string. */
export function pushBytes(L: LuaState, bytes: Uint8Array): void {
  pushOwnedBytes(L, Uint8Array.prototype.slice.call(bytes));
}

/**
 * Lua strings for a fixed set of JS strings (field names, HTTP methods),
 * created once: Lua strings are immutable, so one Fengari string object can
 * be pushed any number of times, and its hash is computed once.
 */
const interned = new Map<string, unknown>();

/** Pushes a latin1 string from a small, fixed vocabulary (never unbounded input). */
export function pushInterned(L: LuaState, s: string): void {
  let ts = interned.get(s);
  if (ts === undefined) {
    ts = luaS_bless(L, Buffer.from(s, 'latin1'));
    interned.set(s, ts);
  }
  pushsvalue2s(L, ts);
}

/** t[name] = value on top of the stack (popped), raw, with an interned key; t is an absolute index. */
export function rawsetField(L: LuaState, t: number, name: string): void {
  pushInterned(L, name);
  lua.lua_insert(L, -2);
  lua.lua_rawset(L, t);
}

/** Pushes a latin1 JS string (one char per byte) as a Lua string. */
export function pushLatin1(L: LuaState, s: string): void {
  pushOwnedBytes(L, Buffer.from(s, 'latin1'));
}

/**
 * Lua strings are immutable and a constant used in Lua code is the same byte
 * array on every call, so short conversions (field and method names) are
 * memoized per array.
 */
const latin1Cache = new WeakMap<Uint8Array, string>();

/** Converts Lua string bytes to a latin1 JS string. */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length > 32) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  let s = latin1Cache.get(bytes);
  if (s === undefined) {
    s = String.fromCharCode.apply(null, bytes as unknown as number[]);
    latin1Cache.set(bytes, s);
  }
  return s;
}

/** The bytes of the string (or number, converted in place) at idx, or null. No copy. */
export function toBytes(L: LuaState, idx: number): Uint8Array | null {
  return lua.lua_tolstring(L, idx) as Uint8Array | null;
}

/** The value at idx as a latin1 JS string, or null if it is neither string nor number. */
export function toLatin1(L: LuaState, idx: number): string | null {
  const bytes = toBytes(L, idx);
  return bytes === null ? null : latin1(bytes);
}

/** A Lua string literal key, converted once. */
export function key(s: string): Uint8Array {
  return to_luastring(s, true);
}

/** Text for messages: the bytes decoded as UTF-8, invalid sequences replaced. */
export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** Pushes a JS (UTF-16) string as UTF-8 bytes: for messages and file names. */
export function pushText(L: LuaState, s: string): void {
  pushOwnedBytes(L, Buffer.from(s, 'utf8'));
}
