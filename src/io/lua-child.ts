/**
 * The Lua face of moonbridge_io.exec: child objects are userdata whose
 * metatable (moonbridge_io.child_mt) resolves fields first in a per-child
 * table holding stdin, stdout and stderr (any field may be set), then in
 * the method table (child_pt), as Moonbridge does. Methods: kill, wait,
 * wait_nb, wait_call, wait_yield. A child in poll's input set is ready once
 * it has terminated.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction, kfunction } from '../lua/cfunction';
import { objectUserdata } from './userdata';
import { key, pushLatin1, toBytes } from '../lua/strings';
import { Child, ExecError, spawnChild } from './child';
import { IoUsageError } from './errors';
import { MODULE_REGISTRY_KEY, pushHandle } from './lua-handle';
import { registerPollable } from './poll';

export const CHILD_MT = key('moonbridge_io_child');
const K_R = key('r');
const SIGKILL = 9;

const children = objectUserdata(Child, CHILD_MT, 'child');

/** The child of the userdata at idx, or null. */
export const testChild: (L: LuaState, idx: number) => Child | null = children.test;
const checkChild: (L: LuaState, idx: number) => Child = children.check;

/** moonbridge_io.exec(command, arg1, arg2, ...): a child object, or (nil, message). */
const exec = cfunction((L) => {
  const argc = lua.lua_gettop(L);
  lauxlib.luaL_checkstring(L, 1);
  const argv: Uint8Array[] = [];
  for (let i = 1; i <= argc; i++) {
    lauxlib.luaL_checkstring(L, i);
    const bytes = toBytes(L, i) as Uint8Array;
    // C strings end at the first NUL, as Moonbridge's execvp sees them.
    const nul = bytes.indexOf(0);
    argv.push(nul >= 0 ? bytes.subarray(0, nul) : bytes);
  }
  let child: Child;
  try {
    child = spawnChild(argv);
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    lua.lua_pushnil(L);
    pushLatin1(L, err.message);
    return 2;
  }
  children.push(L, child);
  lua.lua_createtable(L, 0, 3);
  for (const name of ['stdin', 'stdout', 'stderr'] as const) {
    pushHandle(L, child[name]);
    lua.lua_setfield(L, -2, key(name));
  }
  lua.lua_setuservalue(L, -2);
  return 1;
});

const kill = cfunction((L) => {
  const c = checkChild(L, 1);
  const sig = lauxlib.luaL_optinteger(L, 2, SIGKILL) as number;
  c.kill(sig);
  lua.lua_settop(L, 1);
  return 1;
});

function waitVariant(nonblocking: boolean) {
  return cfunction((L) => {
    const r = checkChild(L, 1).wait(nonblocking);
    if (r === null) {
      lua.lua_pushboolean(L, false);
      pushLatin1(L, 'Process is still running');
      return 2;
    }
    lua.lua_pushinteger(L, r);
    return 1;
  });
}

interface WaitCallState { first: boolean; }

/**
 * wait_call's loop: wait_nb, and while the child runs, waitfunc(child, "r",
 * first, moonbridge_io) with a continuation (so waitfunc may yield). State
 * lives in ctx, the child and waitfunc at stack indices 1 and 2.
 */
function waitCallStep(L: LuaState, st: WaitCallState): number {
  const c = checkChild(L, 1);
  for (;;) {
    const r = c.wait(true);
    if (r !== null) {
      lua.lua_pushinteger(L, r);
      return 1;
    }
    const first = st.first;
    st.first = false;
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushstring(L, K_R);
    lua.lua_pushboolean(L, first);
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, MODULE_REGISTRY_KEY);
    lua.lua_callk(L, 4, 0, st, waitCallContinue);
  }
}

/** Resumed after waitfunc returned (or the coroutine was resumed): TS errors become Lua errors here too. */
const waitCallContinue = kfunction((L: LuaState, _status: number, ctx: unknown): number => waitCallStep(L, ctx as WaitCallState));

const waitCall = cfunction((L) => {
  checkChild(L, 1);
  lauxlib.luaL_checkany(L, 2);
  lua.lua_settop(L, 2);
  return waitCallStep(L, { first: true });
});

/** wait_yield() = wait_call(coroutine.yield). */
const waitYield = cfunction((L) => {
  checkChild(L, 1);
  lua.lua_settop(L, 1);
  lua.lua_getglobal(L, key('coroutine'));
  lua.lua_getfield(L, -1, key('yield'));
  lua.lua_remove(L, -2);
  return waitCallStep(L, { first: true });
});

const METHODS: Record<string, (L: LuaState) => number> = {
  kill,
  wait: waitVariant(false),
  wait_nb: waitVariant(true),
  wait_call: waitCall,
  wait_yield: waitYield,
};

/** __index(child, k): the child's own fields (stdin, stdout, stderr, or set by the app), then child_pt. */
const index = cfunction((L) => {
  checkChild(L, 1);
  lauxlib.luaL_checkany(L, 2);
  lua.lua_getuservalue(L, 1);
  lua.lua_pushvalue(L, 2);
  if (lua.lua_rawget(L, -2) !== lua.LUA_TNIL) return 1;
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushvalue(L, 2);
  lua.lua_gettable(L, -2);
  return 1;
});

const newindex = cfunction((L) => {
  checkChild(L, 1);
  lauxlib.luaL_checkany(L, 2);
  lauxlib.luaL_checkany(L, 3);
  lua.lua_getuservalue(L, 1);
  lua.lua_pushvalue(L, 2);
  lua.lua_pushvalue(L, 3);
  lua.lua_rawset(L, -3);
  return 0;
});

const tostring = cfunction((L) => {
  const c = checkChild(L, 1);
  pushLatin1(L, c.pid === 0 ? 'moonbridge_io child (collected)' : `moonbridge_io child (pid ${c.pid})`);
  return 1;
});

// A child in poll's input set: its pidfd polls readable once it has terminated.
registerPollable((L, idx, output) => {
  if (output) return null;
  const c = testChild(L, idx);
  if (c === null) return null;
  if (c.pid === 0) throw new IoUsageError('Attempt to poll an already collected child process');
  // Without a pidfd (Linux < 5.3) the child counts as ready: a spurious wake-up, never a hang.
  return c.pidfd >= 0 ? { fd: c.pidfd, ready: false } : { fd: -1, ready: true };
});

/**
 * Sets exec, child_pt and child_mt on the moonbridge_io module table at
 * moduleIdx (child_mt is also registered as CHILD_MT).
 */
export function installExec(L: LuaState, moduleIdx: number): void {
  const mod = lua.lua_absindex(L, moduleIdx);
  children.pushTables(L, METHODS, { __newindex: newindex, __tostring: tostring }, index);
  lua.lua_setfield(L, mod, key('child_mt'));
  lua.lua_setfield(L, mod, key('child_pt'));
  lua.lua_pushcfunction(L, exec);
  lua.lua_setfield(L, mod, key('exec'));
}
