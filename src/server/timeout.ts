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

/**
 * What the HTTP response timer knows about the timer: armed by it at a
 * monotonic time for some seconds, known to be off, or unknown (changed by
 * timeout() since).
 */
let tracked: { at: number; seconds: number } | 'off' | null = null;

function arm(seconds: number): number {
  const n = native();
  tracked = null;
  return n.setitimer(n.constants.ITIMER_REAL, seconds, 0).value;
}

/** Disarms the timer (the worker loop does this before every idle report). */
export function resetTimeout(): void {
  arm(0);
  tracked = 'off';
}

/**
 * Arms the response timeout before a request handler runs. setitimer costs
 * about 2 us, as much as a fifth of a small request, so a timer this function
 * armed less than a second (and 1% of its length) ago is kept: the handler
 * may be cut off that much early, never late.
 */
export function armResponseTimeout(seconds: number | null): void {
  if (seconds === null) {
    if (tracked !== 'off') resetTimeout();
    return;
  }
  const now = native().monotonic();
  if (tracked !== null && tracked !== 'off' && tracked.seconds === seconds &&
      now - tracked.at <= Math.min(1, seconds / 100)) {
    return;
  }
  arm(seconds);
  tracked = { at: now, seconds };
}

/**
 * After a response: the timer is left running if this module armed it (it
 * is disarmed lazily, see beforeIdleWait), and disarmed if the handler
 * changed it through timeout().
 */
export function endResponseTimeout(): void {
  if (tracked === null) resetTimeout();
}

/** Before waiting up to `seconds` (null = forever) for the next request: disarms a timer that could fire meanwhile. */
export function beforeIdleWait(seconds: number | null): void {
  if (tracked === 'off') return;
  if (tracked === null || seconds === null ||
      tracked.at + tracked.seconds < native().monotonic() + seconds + 1) {
    resetTimeout();
  }
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
