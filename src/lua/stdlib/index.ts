/**
 * The Lua 5.3 standard library as PUC Lua has it: Fengari's libraries, with
 * the parts Fengari lacks or gets wrong replaced by the host (io, os,
 * string.format, print, collectgarbage, package's C-module side).
 */
import { lua, lualib, type LuaState } from 'fengari';
import { setGlobalModule } from '../modules';
import { openBase } from './base';
import { openIo } from './io/library';
import { openOs } from './os';
import { openPackage } from './package';
import { openPrint } from './print';
import { openStringFormat } from './string-format';

export function openStandardLibrary(L: LuaState): void {
  lualib.luaL_openlibs(L);
  // Fengari's own extension library is not part of Lua 5.3.
  lua.lua_pushnil(L);
  setGlobalModule(L, 'fengari');
  openBase(L);
  openStringFormat(L);
  openOs(L);
  openIo(L);
  openPrint(L);
  openPackage(L);
}
