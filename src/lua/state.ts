/**
 * Creating the Fengari Lua state the app runs in: the standard libraries,
 * then whatever globals and modules the host registers.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { installChunkCache } from './chunk-cache';
import { openStandardLibrary } from './stdlib';
import { pushText } from './strings';
import { pcallTraceback, errorText } from './errors';

export function createLuaState(): LuaState {
  const L = lauxlib.luaL_newstate() as LuaState;
  if (!L) throw new Error('cannot create a Lua state');
  openStandardLibrary(L);
  installChunkCache();
  return L;
}

export type ScriptResult = { ok: true } | { ok: false; phase: 'loading' | 'executing'; message: string };

/** Loads and runs a script file with the given arguments as `...`, keeping nresults results on the stack. */
export function runScript(L: LuaState, file: string, args: readonly string[], nresults = 0): ScriptResult {
  const status = lauxlib.luaL_loadfile(L, Buffer.from(file, 'utf8')) as number;
  if (status !== lua.LUA_OK) {
    const message = errorText(L, -1);
    lua.lua_pop(L, 1);
    return { ok: false, phase: 'loading', message };
  }
  for (const arg of args) pushText(L, arg);
  const error = pcallTraceback(L, args.length, nresults);
  if (error !== null) return { ok: false, phase: 'executing', message: error };
  return { ok: true };
}
