/**
 * The result conventions of lauxlib.c that the io and os libraries share:
 * luaL_fileresult (true, or nil + "name: strerror" + errno) and
 * luaL_execresult (true/nil, "exit"/"signal", code) for child processes.
 */
import { lua, type LuaState } from 'fengari';
import { native, type WaitResult } from '../../native/binding';
import { pushInterned } from '../strings';

/** The positive errno of a failed addon or node:fs call (fs errors carry it negated); EIO when there is none. */
export function errnoOf(err: unknown): number {
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && errno !== 0 ? Math.abs(errno) : 5;
}

/** luaL_fileresult for a success: pushes true. */
export function pushSuccess(L: LuaState): number {
  lua.lua_pushboolean(L, true);
  return 1;
}

/** luaL_fileresult for a failure with errno: nil, "[name: ]strerror", errno. */
export function pushFileError(L: LuaState, errno: number, name: Uint8Array | null): number {
  lua.lua_pushnil(L);
  const text = Buffer.from(native().strerror(errno), 'latin1');
  lua.lua_pushstring(L, name === null ? text : Buffer.concat([name, Buffer.from(': '), text]));
  lua.lua_pushinteger(L, errno);
  return 3;
}

/** luaL_execresult for a child's wait status: true|nil, "exit"|"signal", code. */
export function pushExecResult(L: LuaState, status: WaitResult): number {
  const signaled = status.signaled;
  const code = signaled ? status.signal : status.exitCode;
  if (!signaled && code === 0) lua.lua_pushboolean(L, true);
  else lua.lua_pushnil(L);
  pushInterned(L, signaled ? 'signal' : 'exit');
  lua.lua_pushinteger(L, code);
  return 3;
}

/** waitpid(pid, 0) (the addon retries EINTR); null when the child cannot be waited for. */
export function waitChild(pid: number): WaitResult | null {
  try {
    return native().waitpid(pid, 0);
  } catch {
    return null;
  }
}
