/**
 * The moonbridge_io module table: handle and listener method and
 * metatables, poll, connecting and listening, the signal and time helpers,
 * and the stdio handles. Installed as the global
 * `moonbridge_io` (and in package.loaded) before the app's script runs.
 */
import { lua, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { cfunction } from '../lua/cfunction';
import { key } from '../lua/strings';
import { IoHandle } from './handle';
import { MODULE_REGISTRY_KEY, createHandleTables, pushHandle } from './lua-handle';
import { poll } from './poll';
import { CONNECT_FUNCTIONS } from './connect';
import { LISTEN_FUNCTIONS, createListenerTables } from './lua-listener';
import { installExec } from './lua-child';
import { catchSigterm } from './sigterm';

const getpid = cfunction((L) => {
  lua.lua_pushinteger(L, native().getpid());
  return 1;
});

const timeref = cfunction((L) => {
  let t = native().monotonic();
  if (!lua.lua_isnoneornil(L, 1)) t -= lua.lua_tonumber(L, 1) as number;
  lua.lua_pushnumber(L, t);
  return 1;
});

const catchSigtermFn = cfunction(() => {
  catchSigterm();
  return 0;
});

/** Pushes the moonbridge_io module table and records it in the registry. */
export function pushMoonbridgeIo(L: LuaState): void {
  lua.lua_newtable(L);
  const mod = lua.lua_gettop(L);
  createHandleTables(L);
  lua.lua_setfield(L, mod, key('handle_mt'));
  lua.lua_setfield(L, mod, key('handle_pt'));
  createListenerTables(L);
  lua.lua_setfield(L, mod, key('listener_mt'));
  lua.lua_setfield(L, mod, key('listener_pt'));
  const functions: Record<string, (L: LuaState) => number> = {
    poll, getpid, timeref, catch_sigterm: catchSigtermFn, ...CONNECT_FUNCTIONS, ...LISTEN_FUNCTIONS,
  };
  for (const [name, fn] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, mod, key(name));
  }
  installExec(L, mod);
  for (const [name, fd] of [['stdin', 0], ['stdout', 1], ['stderr', 2]] as const) {
    pushHandle(L, new IoHandle(fd, 'pipe', name));
    lua.lua_setfield(L, mod, key(name));
  }
  lua.lua_pushvalue(L, mod);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, MODULE_REGISTRY_KEY);
}
