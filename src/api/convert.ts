/**
 * Value conversion between Lua and JavaScript, both ways (the rules are the
 * README's "Values between Lua and TypeScript"):
 *
 *   Lua                       JavaScript
 *   nil                   <-> undefined (null also becomes nil)
 *   boolean               <-> boolean
 *   integer, float        <-> number (integral numbers in Lua's integer range
 *                             become integers, others floats; a bigint in
 *                             range becomes an integer)
 *   string (bytes)         -> string if valid UTF-8, else Buffer ('auto'), or
 *                             always string / always Buffer on request
 *                         <-  string (as UTF-8), Buffer / Uint8Array (bytes)
 *   table 1..n             -> array; all-string keys -> object; empty -> {};
 *                             other keys -> Map
 *                         <-  array (1..n), plain object, Map, Set (k = true)
 *   function              <-> LuaFunction / JS function (wrapped)
 *   socket handle         <-> Socket;  HTTP request table <-> Request
 *   other userdata, thread -> LuaReference (and back as the same value)
 *
 * Shared and cyclic tables stay shared and cyclic in both directions.
 * Metatables are not consulted when reading a table (raw traversal).
 */
import { isUtf8 } from 'buffer';
import { lua, lauxlib, type LuaState } from 'fengari';
import { LUA_MAXINTEGER, LUA_MININTEGER } from 'fengari/src/luaconf';
import { isRequestTable } from '../http/lua-request';
import { pushBytes, pushOwnedBytes } from '../lua/strings';
import { MoonbridgeApiError } from './errors';
import { LuaReference } from './refs';

/** How Lua strings reach JavaScript. */
export type StringMode = 'auto' | 'string' | 'buffer';

export interface ConvertOptions {
  /** 'auto' (default): a JS string when the bytes are valid UTF-8, else a Buffer. */
  strings?: StringMode;
}

/** Objects that stand for a Lua value (LuaReference and the wrappers around one). */
export interface LuaValueHolder {
  /** @internal Pushes the Lua value. */
  pushLuaValue(L: LuaState): void;
}

/** Constructors of the wrapper objects, set by the modules defining them (they import this one). */
export const wrappers = {
  func: null as ((L: LuaState, idx: number, options: ConvertOptions) => unknown) | null,
  request: null as ((L: LuaState, idx: number) => unknown) | null,
  jsFunction: null as ((L: LuaState, fn: (...args: never[]) => unknown, name: string) => void) | null,
  /** Userdata kinds (sockets, listeners, children): each returns its wrapper, or null when not its kind. */
  userdata: [] as Array<(L: LuaState, idx: number) => unknown>,
};

const MAX_DEPTH = 200;
const MAXINT = LUA_MAXINTEGER as number;
const MININT = LUA_MININTEGER as number;

/** Whether a JS number becomes a Lua integer: integral, not -0, in Lua's integer range. */
function isLuaInteger(v: number): boolean {
  return Number.isInteger(v) && !Object.is(v, -0) && v >= MININT && v <= MAXINT;
}

function isHolder(v: object): v is LuaValueHolder {
  return typeof (v as Partial<LuaValueHolder>).pushLuaValue === 'function';
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What a value is, for messages. */
function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `a ${v.constructor?.name ?? 'null-prototype object'}`;
  return `a ${typeof v}`;
}

class ToLua {
  /** Tables made for JS objects so far (for sharing and cycles): object -> slot in the seen table. */
  private readonly seen = new Map<object, number>();
  private seenMade = false;

  /** seenIdx: a stack slot (holding nil) reserved for the seen table, made on the first table. */
  constructor(private readonly L: LuaState, private readonly seenIdx: number) {}

  push(v: unknown, where: string, depth: number): void {
    const L = this.L;
    lauxlib.luaL_checkstack(L, 4, null);
    switch (typeof v) {
      case 'undefined': lua.lua_pushnil(L); return;
      case 'boolean': lua.lua_pushboolean(L, v); return;
      case 'number':
        if (isLuaInteger(v)) lua.lua_pushinteger(L, v);
        else lua.lua_pushnumber(L, v);
        return;
      case 'bigint':
        if (v < BigInt(MININT) || v > BigInt(MAXINT)) {
          throw new MoonbridgeApiError(`${where}: the bigint ${v} is outside Lua's integer range (${MININT}..${MAXINT})`);
        }
        lua.lua_pushinteger(L, Number(v));
        return;
      case 'string': pushOwnedBytes(L, Buffer.from(v, 'utf8')); return;
      case 'function':
        if (isHolder(v)) { v.pushLuaValue(L); return; }
        wrappers.jsFunction!(L, v as (...args: never[]) => unknown, where);
        return;
      case 'symbol':
        throw new MoonbridgeApiError(`${where}: a symbol cannot be passed to Lua`);
      case 'object': break;
    }
    if (v === null) { lua.lua_pushnil(L); return; }
    const o = v as object;
    if (isHolder(o)) { o.pushLuaValue(L); return; }
    if (o instanceof Uint8Array) { pushBytes(L, o); return; }
    if (typeof (o as { then?: unknown }).then === 'function') {
      throw new MoonbridgeApiError(`${where}: a Promise cannot be passed to Lua (workers have no event loop; ` +
        'the API is synchronous)');
    }
    if (depth > MAX_DEPTH) throw new MoonbridgeApiError(`${where}: nested more than ${MAX_DEPTH} levels deep`);
    const slot = this.seen.get(o);
    if (slot !== undefined) {
      lua.lua_rawgeti(L, this.seenIdx, slot);
      return;
    }
    if (Array.isArray(o)) {
      this.table(o, 0, o.length, () => o.forEach((item, i) => {
        this.push(item, `${where}[${i}]`, depth + 1);
        lua.lua_rawseti(L, -2, i + 1);
      }));
    } else if (o instanceof Map) {
      this.table(o, 0, o.size, () => {
        for (const [k, item] of o) this.entry(k, item, `${where}[${String(k)}]`, depth);
      });
    } else if (o instanceof Set) {
      this.table(o, 0, o.size, () => {
        for (const k of o) this.entry(k, true, `${where}(set)`, depth);
      });
    } else if (isPlainObject(o)) {
      const keys = Object.keys(o);
      this.table(o, 0, keys.length, () => {
        for (const k of keys) this.entry(k, (o as Record<string, unknown>)[k], `${where}.${k}`, depth);
      });
    } else {
      throw new MoonbridgeApiError(`${where}: ${describe(o)} cannot be passed to Lua ` +
        '(plain objects, arrays, Maps, Sets, strings, numbers, booleans, Buffers and functions can)');
    }
  }

  private entry(k: unknown, v: unknown, where: string, depth: number): void {
    if (k === undefined || k === null || (typeof k === 'number' && Number.isNaN(k))) {
      throw new MoonbridgeApiError(`${where}: a table key cannot be ${String(k)} in Lua`);
    }
    this.push(k, where, depth + 1);
    this.push(v, where, depth + 1);
    lua.lua_rawset(this.L, -3);
  }

  private table(o: object, narr: number, nrec: number, fill: () => void): void {
    const L = this.L;
    if (!this.seenMade) {
      lua.lua_newtable(L);
      lua.lua_replace(L, this.seenIdx);
      this.seenMade = true;
    }
    lua.lua_createtable(L, narr, nrec);
    lua.lua_pushvalue(L, -1);
    const slot = this.seen.size + 1;
    lua.lua_rawseti(L, this.seenIdx, slot);
    this.seen.set(o, slot);
    fill();
  }
}

/**
 * Pushes values onto L's stack, converted (one Lua value each); `where`
 * names them in errors. On error nothing stays pushed.
 */
export function pushValues(L: LuaState, values: readonly unknown[], where: string): void {
  lauxlib.luaL_checkstack(L, values.length + 4, null);
  // The common case, strings and numbers only (method arguments, results):
  // pushed without a converter object or a seen table.
  let i = 0;
  for (; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') pushOwnedBytes(L, Buffer.from(v, 'utf8'));
    else if (typeof v === 'number' && isLuaInteger(v)) lua.lua_pushinteger(L, v);
    else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
    else if (v === undefined || v === null) lua.lua_pushnil(L);
    else break;
  }
  if (i === values.length) return;
  const top = lua.lua_gettop(L) - i;
  lua.lua_settop(L, top);
  // The seen table, if needed, sits below the values and is removed at the end.
  lua.lua_pushnil(L);
  const conv = new ToLua(L, top + 1);
  try {
    values.forEach((v, j) => conv.push(v, values.length === 1 ? where : `${where} #${j + 1}`, 0));
  } catch (err) {
    lua.lua_settop(L, top);
    throw err;
  }
  lua.lua_remove(L, top + 1);
}

/** Pushes one value, converted. */
export function toLua(L: LuaState, value: unknown, where = 'value'): void {
  pushValues(L, [value], where);
}

class FromLua {
  /** Tables converted so far, by identity (lua_topointer); made on the first table. */
  private doneMap: Map<unknown, unknown> | null = null;

  private get done(): Map<unknown, unknown> {
    return this.doneMap ??= new Map();
  }

  private readonly strings: StringMode;

  constructor(private readonly L: LuaState, private readonly options: ConvertOptions) {
    this.strings = options.strings ?? 'auto';
  }

  get(idx: number, depth: number): unknown {
    const L = this.L;
    switch (lua.lua_type(L, idx)) {
      case lua.LUA_TNIL:
      case lua.LUA_TNONE: return undefined;
      case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
      case lua.LUA_TNUMBER: return lua.lua_isinteger(L, idx) ? lua.lua_tointeger(L, idx) : lua.lua_tonumber(L, idx);
      case lua.LUA_TSTRING: return this.string(lua.lua_tolstring(L, idx) as Uint8Array);
      case lua.LUA_TFUNCTION: return wrappers.func!(L, idx, this.options);
      case lua.LUA_TUSERDATA:
        for (const wrap of wrappers.userdata) {
          const w = wrap(L, idx);
          if (w !== null) return w;
        }
        return new LuaReference(L, idx);
      case lua.LUA_TTABLE:
        if (isRequestTable(L, idx)) return wrappers.request!(L, idx);
        return this.table(lua.lua_absindex(L, idx), depth);
      default: return new LuaReference(L, idx);
    }
  }

  private string(bytes: Uint8Array): string | Buffer {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (this.strings === 'string' || (this.strings === 'auto' && isUtf8(b))) return b.toString('utf8');
    return Buffer.from(b);
  }

  private table(t: number, depth: number): unknown {
    const L = this.L;
    const id = lua.lua_topointer(L, t);
    if (this.done.has(id)) return this.done.get(id);
    if (depth > MAX_DEPTH) throw new MoonbridgeApiError(`a Lua table nested more than ${MAX_DEPTH} levels deep`);
    lauxlib.luaL_checkstack(L, 6, null);
    // First pass: the kind of table, from its keys.
    let count = 0;
    let maxInt = 0;
    let allStrings = true;
    let allPositiveInts = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t) !== 0) {
      count++;
      const kt = lua.lua_type(L, -2);
      if (kt === lua.LUA_TNUMBER && lua.lua_isinteger(L, -2) && (lua.lua_tointeger(L, -2) as number) >= 1) {
        maxInt = Math.max(maxInt, lua.lua_tointeger(L, -2) as number);
        allStrings = false;
      } else {
        allPositiveInts = false;
        if (kt !== lua.LUA_TSTRING || !isUtf8(lua.lua_tolstring(L, -2) as Uint8Array)) allStrings = false;
      }
      lua.lua_pop(L, 1);
    }
    if (count === 0) {
      const empty = {};
      this.done.set(id, empty);
      return empty;
    }
    if (allPositiveInts && maxInt === count) {
      const arr: unknown[] = new Array(count);
      this.done.set(id, arr);
      this.each(t, () => { arr[(lua.lua_tointeger(L, -2) as number) - 1] = this.get(-1, depth + 1); });
      return arr;
    }
    if (allStrings) {
      const obj: Record<string, unknown> = {};
      this.done.set(id, obj);
      this.each(t, () => {
        const name = Buffer.from(lua.lua_tolstring(L, -2) as Uint8Array).toString('utf8');
        Object.defineProperty(obj, name, { value: this.get(-1, depth + 1), enumerable: true, writable: true, configurable: true });
      });
      return obj;
    }
    const map = new Map<unknown, unknown>();
    this.done.set(id, map);
    this.each(t, () => {
      const k = this.get(-2, depth + 1);
      map.set(k, this.get(-1, depth + 1));
    });
    return map;
  }

  /** Calls fn with the key at -2 and the value at -1 for each entry. */
  private each(t: number, fn: () => void): void {
    const L = this.L;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t) !== 0) {
      // Keys are read with lua_tolstring only when they are strings (a number
      // key would be converted in place and confuse lua_next).
      fn();
      lua.lua_pop(L, 1);
    }
  }
}

/** The Lua value at idx, converted to JavaScript. */
export function fromLua(L: LuaState, idx: number, options: ConvertOptions = {}): unknown {
  return new FromLua(L, options).get(idx, 0);
}

/** Values from..to of the stack, converted (sharing tables between them). */
export function fromLuaRange(L: LuaState, from: number, to: number, options: ConvertOptions = {}): unknown[] {
  const conv = new FromLua(L, options);
  const out: unknown[] = [];
  for (let i = from; i <= to; i++) out.push(conv.get(i, 0));
  return out;
}
