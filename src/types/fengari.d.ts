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
