/**
 * Wrapping TypeScript functions as Lua C functions. A JS exception thrown by
 * TS code (a usage error, an unexpected failure) becomes a Lua error raised
 * at the calling Lua line, so Lua code can pcall it and tracebacks stay
 * intact. Fengari's own unwinding (errors and yields) is not an Error
 * instance and passes through untouched.
 */
import { type LuaCFunction, type LuaKFunction, type LuaState } from 'fengari';
import { raiseWhere } from './errors';

export function cfunction(fn: LuaCFunction): LuaCFunction {
  return (L: LuaState): number => {
    try {
      return fn(L);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      return raiseWhere(L, err.message);
    }
  };
}

/**
 * The same for a continuation (lua_callk / lua_yieldk): it runs when Lua
 * resumes the C function after a call or a yield, outside the cfunction
 * wrapper of the original call, so it needs its own conversion.
 */
export function kfunction(k: LuaKFunction): LuaKFunction {
  return (L: LuaState, status: number, ctx: unknown): number => {
    try {
      return k(L, status, ctx);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      return raiseWhere(L, err.message);
    }
  };
}
