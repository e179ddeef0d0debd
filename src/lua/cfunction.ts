/**
 * Wrapping TypeScript functions as Lua C functions. A JS exception thrown by
 * TS code (a usage error, an unexpected failure) becomes a Lua error raised
 * at the calling Lua line, so Lua code can pcall it and tracebacks stay
 * intact. Fengari's own unwinding (errors and yields) is not an Error
 * instance and passes through untouched.
 */
import { type LuaCFunction, type LuaState } from 'fengari';
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
