/**
 * print, as lbaselib.c's luaB_print: each argument through the global
 * `tostring`, tab-separated, a newline, then stdout is flushed (PUC's
 * lua_writeline flushes). It writes through the same stream as io.write, so
 * the two stay in order.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../cfunction';
import { key } from '../strings';
import { standardStreams } from './io/library';

const TAB = Uint8Array.of(9);
const NEWLINE = Uint8Array.of(10);
const TOSTRING = key('tostring');

const print = cfunction((L: LuaState) => {
  const n = lua.lua_gettop(L);
  const stdout = standardStreams()[1];
  lua.lua_getglobal(L, TOSTRING);
  for (let i = 1; i <= n; i++) {
    lua.lua_pushvalue(L, -1);
    lua.lua_pushvalue(L, i);
    lua.lua_call(L, 1, 1);
    const s = lua.lua_tolstring(L, -1) as Uint8Array | null;
    if (s === null) return lauxlib.luaL_error(L, "'tostring' must return a string to 'print'") as number;
    if (i > 1) stdout.write(TAB);
    stdout.write(s);
    lua.lua_pop(L, 1);
  }
  stdout.write(NEWLINE);
  stdout.flush();
  return 0;
});

export function openPrint(L: LuaState): void {
  lua.lua_pushcfunction(L, print);
  lua.lua_setglobal(L, key('print'));
}
