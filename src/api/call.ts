/**
 * Calls across the boundary, both ways.
 *
 * Lua -> TS: a JS function passed to Lua becomes a Lua C function. Its
 * arguments are converted (references made meanwhile live until it returns),
 * its result becomes one Lua value (`undefined`: none; `multi(a, b)`:
 * several). A thrown JS error becomes a Lua error at the calling Lua line
 * whose message carries the JS stack; a LuaError thrown through TS raises its
 * original value again. Returning a Promise is an error: workers have no
 * event loop, so the API is synchronous.
 *
 * TS -> Lua: a LuaFunction (or lua.call) runs the Lua function in protected
 * mode with a traceback handler; a Lua error becomes a LuaError with the
 * message, the Lua traceback and the error value.
 */
import { lua, lauxlib, type LuaState } from 'fengari';

import { fromLua, fromLuaRange, pushValues, wrappers, type ConvertOptions } from './convert';
import { LuaError, MoonbridgeApiError } from './errors';
import { LuaReference, withScope } from './refs';

/** The Lua thread running the innermost Lua -> TS call (calls to Lua from TS run on it). */
const activeThreads: LuaState[] = [];

/** The thread TS -> Lua calls run on: the calling Lua thread, else the main state of ref. */
export function threadFor(main: LuaState): LuaState {
  return activeThreads[activeThreads.length - 1] ?? main;
}

/** Several results of a JS function called from Lua: `return multi(data, 'eof')`. */
export class MultipleResults {
  readonly values: readonly unknown[];
  constructor(values: readonly unknown[]) {
    this.values = values;
  }
}

/** Returns several values to Lua from a JS function. */
export function multi(...values: unknown[]): MultipleResults {
  return new MultipleResults(values);
}

const WRAPPED = Symbol('moonbridge-lua.jsfunction');

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** The Lua error message for a JS exception: position, message, then the JS stack. */
function luaMessage(err: Error): string {
  const head = err.name === 'Error' || err.name === 'MoonbridgeApiError' ? err.message : `${err.name}: ${err.message}`;
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return frames.length === 0 ? head : `${head}\nJS stack traceback:\n${frames.map((f) => `\t${f.trim()}`).join('\n')}`;
}

/** Pushes a JS function as a Lua C function (named `name` in its errors). */
export function pushJsFunction(L: LuaState, fn: (...args: never[]) => unknown, name: string, options?: ConvertOptions): void {
  if (options !== undefined) {
    lua.lua_pushcfunction(L, makeCFunction(fn, name, options));
    return;
  }
  // The same JS function becomes the same Lua function each time it is passed.
  const cached = (fn as { [WRAPPED]?: (L: LuaState) => number })[WRAPPED];
  const wrapped = cached ?? makeCFunction(fn, name, {});
  if (cached === undefined) Object.defineProperty(fn, WRAPPED, { value: wrapped });
  lua.lua_pushcfunction(L, wrapped);
}

/** A JS function to pass to Lua, called `name` in its error messages. */
export function withName(fn: (...args: never[]) => unknown, name: string): { pushLuaValue(L: LuaState): void } {
  return { pushLuaValue: (L: LuaState) => pushJsFunction(L, fn, name, {}) };
}

/** A JS function to pass to Lua whose arguments are converted with options (e.g. strings as Buffers). */
export function withOptions(fn: (...args: never[]) => unknown, options: ConvertOptions): { pushLuaValue(L: LuaState): void } {
  return { pushLuaValue: (L: LuaState) => pushJsFunction(L, fn, fn.name || 'function', options) };
}

function makeCFunction(fn: (...args: never[]) => unknown, name: string, options: ConvertOptions): (L: LuaState) => number {
  return (L: LuaState): number => {
    let failure: Error | null = null;
    let count = 0;
    activeThreads.push(L);
    try {
      withScope(() => {
        const args = fromLuaRange(L, 1, lua.lua_gettop(L), options);
        const result = (fn as (...a: unknown[]) => unknown)(...args);
        if (isThenable(result)) {
          throw new MoonbridgeApiError(`${name} returned a Promise: handlers and functions called from Lua must be ` +
            'synchronous (workers have no event loop; use the blocking API instead of await)');
        }
        const values = result === undefined ? [] : result instanceof MultipleResults ? result.values : [result];
        lua.lua_settop(L, 0);
        pushValues(L, values, `the result of ${name}`);
        count = values.length;
      });
    } catch (err) {
      // Fengari's own unwinding (a Lua error raised inside, a yield) is not an Error: let it through.
      if (!(err instanceof Error)) throw err;
      failure = err;
    } finally {
      activeThreads.pop();
    }
    if (failure === null) return count;
    lua.lua_settop(L, 0);
    if (failure instanceof LuaError) {
      pushValues(L, [failure.value], 'error value');
    } else {
      lauxlib.luaL_where(L, 1);
      pushValues(L, [luaMessage(failure)], 'error');
      lua.lua_concat(L, 2);
    }
    return lua.lua_error(L) as number;
  };
}

/** The traceback of the last error caught by protectedCall's message handler. */
let lastTraceback = '';

/** Message handler: records the traceback, keeps the error value as it is. */
function captureTraceback(L: LuaState): number {
  const msg = lua.lua_type(L, 1) === lua.LUA_TSTRING ? lua.lua_tostring(L, 1) as Uint8Array : null;
  lauxlib.luaL_traceback(L, L, msg, 1);
  lastTraceback = Buffer.from(lua.lua_tostring(L, -1) as Uint8Array).toString('utf8');
  lua.lua_settop(L, 1);
  return 1;
}

/**
 * Calls a Lua function in protected mode: push() pushes the function and
 * its arguments and returns the argument count. Returns the results,
 * converted; a Lua error is thrown as LuaError.
 */
export function protectedCall(main: LuaState, push: (L: LuaState) => number, options: ConvertOptions = {}): unknown[] {
  const L = threadFor(main);
  const base = lua.lua_gettop(L);
  lauxlib.luaL_checkstack(L, 3, null);
  lua.lua_pushcfunction(L, captureTraceback);
  let nargs: number;
  try {
    nargs = push(L);
  } catch (err) {
    lua.lua_settop(L, base);
    throw err;
  }
  const status = lua.lua_pcall(L, nargs, lua.LUA_MULTRET, base + 1);
  try {
    if (status !== lua.LUA_OK) {
      const value = fromLua(L, -1, options);
      const message = typeof value === 'string' ? value
        : value instanceof Error ? value.message
        : `(error object is a ${Buffer.from(lauxlib.luaL_typename(L, -1) as Uint8Array).toString('latin1')} value)`;
      const traceback = lastTraceback;
      throw new LuaError(message, traceback, value);
    }
    return fromLuaRange(L, base + 2, lua.lua_gettop(L), options);
  } finally {
    lua.lua_settop(L, base);
  }
}

/**
 * A Lua function seen from TypeScript: a JS function (call it directly:
 * `render(page)` returns the first result; Lua errors throw LuaError) with
 * the methods of a LuaReference.
 */
export interface LuaFunction {
  (...args: unknown[]): unknown;
  /** Calls the function; returns all its results. */
  callMulti(...args: unknown[]): unknown[];
  /** The same Lua function, with the strings in its results converted as `strings` says. */
  withStrings(strings: ConvertOptions['strings']): LuaFunction;
  /** Keeps the function beyond the call it came from (until release()). */
  retain(): LuaFunction;
  /** Drops the reference; calling the function afterwards throws. */
  release(): void;
  /** Whether the reference can still be used. */
  readonly alive: boolean;
  readonly luaType: 'function';
  /** @internal */
  pushLuaValue(L: LuaState): void;
}

const luaFunctions = new WeakSet<object>();

/** `x instanceof LuaFunction` tells a Lua function from a JS one. */
export const LuaFunction: { [Symbol.hasInstance](v: unknown): v is LuaFunction } = {
  [Symbol.hasInstance]: (v: unknown): v is LuaFunction => typeof v === 'function' && luaFunctions.has(v),
};

/** Whether v is a Lua function (not a JS one). */
export function isLuaFunction(v: unknown): v is LuaFunction {
  return typeof v === 'function' && luaFunctions.has(v);
}

/** A LuaFunction for the Lua function at idx of L. */
export function makeLuaFunction(L: LuaState, idx: number, options: ConvertOptions = {}): LuaFunction {
  const ref = new LuaReference(L, idx);
  const callMulti = (...args: unknown[]): unknown[] => protectedCall(ref.state, (T) => {
    ref.push(T);
    pushValues(T, args, 'argument');
    return args.length;
  }, options);
  const f = ((...args: unknown[]): unknown => callMulti(...args)[0]) as LuaFunction;
  Object.defineProperties(f, {
    callMulti: { value: callMulti },
    withStrings: {
      value: (strings: ConvertOptions['strings']): LuaFunction => {
        ref.push(ref.state);
        try {
          return makeLuaFunction(ref.state, -1, { ...options, strings });
        } finally {
          lua.lua_pop(ref.state, 1);
        }
      },
    },
    retain: { value: (): LuaFunction => { ref.retain(); return f; } },
    release: { value: (): void => ref.release() },
    alive: { get: (): boolean => ref.alive },
    luaType: { value: 'function' },
    pushLuaValue: { value: (T: LuaState): void => ref.push(T) },
  });
  luaFunctions.add(f);
  return f;
}

wrappers.func = (L, idx, options) => makeLuaFunction(L, idx, options);
wrappers.jsFunction = (L, fn, where) => pushJsFunction(L, fn, fn.name !== '' ? `function ${fn.name}` : where);
