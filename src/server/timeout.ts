/**
 * The global timeout(): a process-wide ITIMER_REAL whose expiry (SIGALRM with
 * its default action) kills the process, plus sub-timers around a function.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { cfunction } from '../lua/cfunction';
import { key } from '../lua/strings';

const MAX_INTERVAL = 1e8;

function remaining(): number {
  const n = native();
  return n.getitimer(n.constants.ITIMER_REAL).value;
}

function arm(seconds: number): number {
  const n = native();
  return n.setitimer(n.constants.ITIMER_REAL, seconds, 0).value;
}

/** Disarms the timer (the worker loop does this before every idle report). */
export function resetTimeout(): void {
  arm(0);
}

function checkInterval(L: LuaState, idx: number): number {
  if (lua.lua_type(L, idx) === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, idx)) return 0;
  const t = lua.lua_tonumber(L, idx) as number;
  if (lua.lua_type(L, idx) !== lua.LUA_TNUMBER || !(t >= 0) || t > MAX_INTERVAL) {
    lauxlib.luaL_argerror(L, idx, key('interval in seconds expected'));
  }
  return t;
}

export const timeout = cfunction((L) => {
  const nargs = lua.lua_gettop(L);
  if (lua.lua_isnoneornil(L, 1) && lua.lua_isnoneornil(L, 2)) {
    lua.lua_pushnumber(L, remaining());
    return 1;
  }
  const seconds = checkInterval(L, 1);
  if (lua.lua_isnoneornil(L, 2)) {
    lua.lua_pushnumber(L, arm(seconds));
    return 1;
  }
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
  const before = remaining();
  const sub = before === 0 || seconds < before;
  const started = native().monotonic();
  if (sub) arm(seconds);
  // f(...) runs unprotected: when it raises, the timer stays as it was during f.
  lua.lua_callk(L, nargs - 2, lua.LUA_MULTRET, null, null);
  if (sub) {
    if (before === 0) {
      arm(0);
    } else {
      const elapsed = native().monotonic() - started;
      arm(Math.max(before - elapsed, 1e-6));
    }
  }
  return lua.lua_gettop(L) - 1;
});
