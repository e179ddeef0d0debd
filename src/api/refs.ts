/**
 * Lua values held by TypeScript: registry references with a lifetime. Like
 * JNI's local references, a reference made while a Lua->TS call converts
 * its arguments (or while a TS->Lua call converts its results) lives until
 * that outermost call returns, unless `.retain()` keeps it; references made
 * at the top level of the app's entry file (before the server forks) live
 * for good. So a worker serving thousands of connections never accumulates
 * registry entries, and a value used after its call returned fails with a
 * message instead of silently reading a recycled registry slot.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { MoonbridgeApiError } from './errors';

/** The references of the calls in progress (innermost last); empty at the top level. */
const scopes: LuaReference[][] = [];

/** Runs fn with a reference scope: references made meanwhile are released at the end, unless retained. */
export function withScope<T>(fn: () => T): T {
  const scope: LuaReference[] = [];
  scopes.push(scope);
  try {
    return fn();
  } finally {
    scopes.pop();
    for (const r of scope) r.releaseUnlessRetained();
  }
}

/** A Lua value (a table, function, userdata, thread) kept alive for TypeScript. */
export class LuaReference {
  readonly #L: LuaState;
  #ref: number;
  #retained: boolean;
  readonly #type: number;

  /** References the value at idx of L's stack. */
  constructor(L: LuaState, idx: number) {
    this.#L = L;
    this.#type = lua.lua_type(L, idx) as number;
    lua.lua_pushvalue(L, idx);
    this.#ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    const scope = scopes[scopes.length - 1];
    this.#retained = scope === undefined;
    scope?.push(this);
  }

  /** Lua's type name of the value ("table", "function", "userdata", "thread"). */
  get luaType(): string {
    return Buffer.from(lua.lua_typename(this.#L, this.#type) as Uint8Array).toString('latin1');
  }

  /** The main Lua state the value belongs to. */
  get state(): LuaState {
    return this.#L;
  }

  /** Whether the reference can still be used. */
  get alive(): boolean {
    return this.#ref !== lauxlib.LUA_NOREF;
  }

  /** Pushes the value on L's stack (L: the main state or one of its threads). */
  push(L: LuaState): void {
    if (this.#ref === lauxlib.LUA_NOREF) {
      throw new MoonbridgeApiError(`a Lua ${this.luaType} was used after the call that handed it to TypeScript ` +
        'returned; call .retain() on it (and .release() when done) to keep it longer');
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.#ref);
  }

  /** @internal Pushes the value (the converter's hook). */
  pushLuaValue(L: LuaState): void {
    this.push(L);
  }

  /** Keeps the value beyond the call it came from (until release()). */
  retain(): this {
    this.#retained = true;
    return this;
  }

  /** Drops the reference: the value may be collected, and this object can no longer be used. */
  release(): void {
    if (this.#ref === lauxlib.LUA_NOREF) return;
    lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, this.#ref);
    this.#ref = lauxlib.LUA_NOREF;
  }

  /** @internal End of the scope the reference was made in. */
  releaseUnlessRetained(): void {
    if (!this.#retained) this.release();
  }
}
