/**
 * The errors the TypeScript API throws: one class per cause, so callers can
 * tell a Lua error from a misuse of the API.
 */

/** A Lua error seen from TypeScript: its message, the Lua traceback and the error value itself. */
export class LuaError extends Error {
  /** The Lua traceback at the point of the error (from Lua's message handler). */
  readonly luaTraceback: string;
  /** The error value as Lua raised it, converted (a string for error("..."), anything for error(value)). */
  readonly value: unknown;

  constructor(message: string, luaTraceback: string, value: unknown) {
    super(message);
    this.name = 'LuaError';
    this.luaTraceback = luaTraceback;
    this.value = value;
  }
}

/** The API was used wrongly: an unknown option, a value that cannot be converted, a call outside a server. */
export class MoonbridgeApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoonbridgeApiError';
  }
}

/** A moonbridge_io operation failed (the (nil, message) result of the Lua API). */
import { IoError } from '../io/handle';
Object.defineProperty(IoError.prototype, 'name', { value: 'IoError', configurable: true, writable: true });
export { IoError };
