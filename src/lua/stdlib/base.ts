/**
 * The base library's collectgarbage, as PUC Lua 5.3 (lbaselib.c over
 * lapi.c's lua_gc) has it; Fengari's raises "lua_gc not implemented".
 *
 * V8 owns the heap, so the collector's knobs are bookkeeping: "stop" and
 * "restart" switch what "isrunning" reports, "setpause" and "setstepmul"
 * remember their values (PUC's defaults 200 and 200, a step multiplier below
 * 40 raised to 40 as lua_gc does), "collect" and "step" run V8's collector
 * when the process exposes global.gc and otherwise leave it to V8, and
 * "count" is V8's live heap in kilobytes, so it grows as the app allocates.
 *
 * ipairs honours __ipairs, as Lua 5.3 built with LUA_COMPAT_5_2 does (the
 * Debian lua5.3 among them): WebMCP's JSON arrays iterate through it.
 *
 * Also gives Fengari's auxiliary library the C library's strerror, so that
 * loadfile and dofile say "cannot open f: No such file or directory" as PUC
 * does instead of quoting Node's exception.
 */
import * as v8 from 'v8';
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../../native/binding';
import { key } from '../strings';

/** luaB_collectgarbage's options, in its order. */
const OPTIONS = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul', 'isrunning'].map((o) => key(o));
const enum Option { Stop, Restart, Collect, Count, Step, SetPause, SetStepMul, IsRunning }

/** LUAI_GCPAUSE and LUAI_GCMUL of lstate.c (5.3.6). */
const DEFAULT_PAUSE = 200;
const DEFAULT_STEPMUL = 200;

/** The collector's settings: one per Lua universe (global_State), shared by its threads. */
interface GcSettings {
  running: boolean;
  pause: number;
  stepmul: number;
}
const settings = new WeakMap<object, GcSettings>();

function gcSettings(L: LuaState): GcSettings {
  const g = (L as unknown as { l_G: object }).l_G;
  let s = settings.get(g);
  if (s === undefined) {
    s = { running: true, pause: DEFAULT_PAUSE, stepmul: DEFAULT_STEPMUL };
    settings.set(g, s);
  }
  return s;
}

/** A full collection when node runs with --expose-gc; otherwise V8 collects on its own schedule. */
function fullCollection(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
}

function collectgarbage(L: LuaState): number {
  const o = lauxlib.luaL_checkoption(L, 1, key('collect'), OPTIONS) as Option;
  const ex = lauxlib.luaL_optinteger(L, 2, 0) as number;
  const s = gcSettings(L);
  switch (o) {
    case Option.Stop:
      s.running = false;
      lua.lua_pushinteger(L, 0);
      return 1;
    case Option.Restart:
      s.running = true;
      lua.lua_pushinteger(L, 0);
      return 1;
    case Option.Collect:
      fullCollection();
      lua.lua_pushinteger(L, 0);
      return 1;
    case Option.Count:
      lua.lua_pushnumber(L, v8.getHeapStatistics().used_heap_size / 1024);
      return 1;
    case Option.Step:
      // Every step ends a cycle: V8's collections are not split into steps Lua could see.
      fullCollection();
      lua.lua_pushboolean(L, true);
      return 1;
    case Option.SetPause: {
      const previous = s.pause;
      s.pause = ex;
      lua.lua_pushinteger(L, previous);
      return 1;
    }
    case Option.SetStepMul: {
      const previous = s.stepmul;
      s.stepmul = ex < 40 ? 40 : ex;
      lua.lua_pushinteger(L, previous);
      return 1;
    }
    case Option.IsRunning:
      lua.lua_pushboolean(L, s.running);
      return 1;
  }
}

const IPAIRS_EVENT = key('__ipairs');

/** ipairs(t): t's __ipairs(t) if it has one, else Fengari's iterator (upvalue 1), t, 0. */
function ipairs(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1);
  if (lauxlib.luaL_getmetafield(L, 1, IPAIRS_EVENT) !== lua.LUA_TNIL) {
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 1, 3);
    return 3;
  }
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushvalue(L, 1);
  lua.lua_pushinteger(L, 0);
  return 3;
}

/** Replaces Fengari's collectgarbage and ipairs in the global table; strerror for file errors. */
export function openBase(L: LuaState): void {
  lauxlib.moonbridge_set_strerror((errno: number) => native().strerror(errno));
  lua.lua_pushcfunction(L, collectgarbage);
  lua.lua_setglobal(L, key('collectgarbage'));
  // Fengari's ipairs returns its traversal function first: keep that one
  lua.lua_getglobal(L, key('ipairs'));
  lua.lua_newtable(L);
  lua.lua_call(L, 1, 1);
  lua.lua_pushcclosure(L, ipairs, 1);
  lua.lua_setglobal(L, key('ipairs'));
}
