// Minimal typings for the parts of Fengari (npm "fengari" 0.1.5) we use. Its
// API mirrors the Lua 5.3 C API; functions are typed loosely on purpose.
declare module 'fengari' {
  /** A lua_State. */
  export type LuaState = { readonly __luaState: unique symbol } & object;
  export type LuaCFunction = (L: LuaState) => number;
  export type LuaKFunction = (L: LuaState, status: number, ctx: unknown) => number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const lua: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const lauxlib: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const lualib: any;
  export function to_luastring(s: string, cache?: boolean): Uint8Array;
  export function to_jsstring(s: Uint8Array, from?: number, to?: number, replacement_char?: boolean): string;
  export const FENGARI_VERSION: string;
}
declare module 'fengari/src/lstring' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function luaS_bless(L: any, s: Uint8Array): any;
}
declare module 'fengari/src/lobject' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function pushsvalue2s(L: any, ts: any): void;
}
declare module 'fengari/src/luaconf' {
  /** The smallest lua_Integer of this build. */
  export const LUA_MININTEGER: number;
  /** The largest lua_Integer of this build. */
  export const LUA_MAXINTEGER: number;
  /** Whether integral floats print without ".0" (Lua's LUA_COMPAT_FLOATSTRING). */
  export const LUA_COMPAT_FLOATSTRING: boolean;
  /** Float to text as tostring gives it (moonbridge-lua patch: installable). */
  export function lua_number2str(n: number): string;
  /** Installs the float-to-text conversion behind lua_number2str (moonbridge-lua patch). */
  export function lua_setnumber2str(f: (n: number) => string): void;
}
declare module 'fengari/src/ldo' {
  /** Raises an error of status errcode (LUA_ERRMEM: "not enough memory") in L, as the C luaD_throw. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function luaD_throw(L: any, errcode: number): never;
}
declare module 'fengari/src/lapi' {
  /** Pushes a fresh main closure of a compiled chunk's prototype, as lua_load leaves it (moonbridge-lua patch). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function moonbridge_pushproto(L: any, proto: object): void;
  /** The prototype of the Lua function at idx, or null (moonbridge-lua patch). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function moonbridge_toproto(L: any, idx: number): object | null;
}
