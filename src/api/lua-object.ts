/**
 * The base of the TS objects that stand for a Lua object (a socket handle,
 * a request table): fields are read and methods called through Lua itself,
 * in protected mode, so they behave exactly as they do for Lua code (lazy
 * fields, argument checks, errors), and an error surfaces as a JS exception.
 */
import { lua, type LuaCFunction, type LuaState } from 'fengari';
import { protectedCall, threadFor } from './call';
import { fromLua, pushValues, type ConvertOptions } from './convert';
import { IoError, MoonbridgeApiError } from './errors';
import { LuaReference } from './refs';

/** A Lua C function doing t[k] (with metamethods), for use in protected mode. */
function gettable(L: LuaState): number {
  lua.lua_settop(L, 2);
  lua.lua_gettable(L, 1);
  return 1;
}

/** A Lua C function doing t[k] = v (with metamethods). */
function settable(L: LuaState): number {
  lua.lua_settop(L, 3);
  lua.lua_settable(L, 1);
  return 0;
}

const BUFFERS: ConvertOptions = { strings: 'buffer' };

export class LuaObject {
  /** @internal The Lua value. */
  protected readonly ref: LuaReference;

  /** @internal Wraps the Lua value at idx. */
  constructor(L: LuaState, idx: number) {
    this.ref = new LuaReference(L, idx);
  }

  /** Keeps the object usable after the handler it came with returned (until release()). */
  retain(): this {
    this.ref.retain();
    return this;
  }

  /** Drops the object's reference to its Lua value. */
  release(): void {
    this.ref.release();
  }

  /** @internal */
  pushLuaValue(L: LuaState): void {
    this.ref.push(L);
  }

  /** Reads field `name` as Lua code would (obj[name]), converted. */
  get(name: string, options: ConvertOptions = {}): unknown {
    return protectedCall(this.ref.state, (L) => {
      lua.lua_pushcfunction(L, gettable);
      this.ref.push(L);
      pushValues(L, [name], 'field name');
      return 2;
    }, options)[0];
  }

  /**
   * Reads a field stored in the object's table itself (rawget: no
   * metamethod, so nothing can raise and no protected call is needed).
   */
  protected rawField(name: string, options: ConvertOptions = {}): unknown {
    const L = threadFor(this.ref.state);
    this.ref.push(L);
    pushValues(L, [name], 'field name');
    lua.lua_rawget(L, -2);
    try {
      return fromLua(L, -1, options);
    } finally {
      lua.lua_pop(L, 2);
    }
  }

  /** Sets field `name` as Lua code would (obj[name] = value). */
  set(name: string, value: unknown): void {
    protectedCall(this.ref.state, (L) => {
      lua.lua_pushcfunction(L, settable);
      this.ref.push(L);
      pushValues(L, [name, value], `field ${name}`);
      return 3;
    });
  }

  /**
   * The C function of method `name` when it is known without asking the
   * object (a subclass's fixed methods), else null: the object is asked.
   */
  protected knownMethod(_name: string): LuaCFunction | null {
    return null;
  }

  /** Calls method `name` (obj:name(...args)); returns all results, converted. */
  protected invoke(name: string, args: readonly unknown[], options: ConvertOptions = {}): unknown[] {
    const known = this.knownMethod(name);
    return protectedCall(this.ref.state, (L) => {
      this.ref.push(L);
      pushValues(L, [name], 'method name');
      // A method set in the object's own table wins, as it does in Lua.
      if (known !== null && lua.lua_rawget(L, -2) === lua.LUA_TNIL) {
        lua.lua_pop(L, 1);
        lua.lua_pushcfunction(L, known);
      } else {
        if (known !== null) {
          lua.lua_pop(L, 1);
          pushValues(L, [name], 'method name');
        }
        lua.lua_gettable(L, -2);
      }
      if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) {
        throw new MoonbridgeApiError(`${this.constructor.name}: the Lua object has no method ${name}`);
      }
      lua.lua_insert(L, -2);
      // stack: method, object
      pushValues(L, args, `argument of ${name}`);
      return args.length + 1;
    }, options);
  }

  /**
   * Calls an I/O method with the moonbridge_io convention: (nil, message)
   * becomes an IoError; strings come back as Buffers.
   */
  protected io(name: string, args: readonly unknown[]): unknown[] {
    const results = this.invoke(name, args, BUFFERS);
    if (results.length >= 2 && (results[0] === undefined || results[0] === false) && Buffer.isBuffer(results[1])) {
      throw new IoError(`${name}: ${results[1].toString('utf8')}`);
    }
    return results;
  }
}

/** A Buffer or string result as latin1 text (status words, addresses as text). */
export function word(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
}
