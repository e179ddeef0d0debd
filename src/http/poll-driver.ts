/**
 * The Lua driver of HTTP operations (see driver.ts), for generate_handler
 * with a poll_function. The connect function, the request methods and the
 * lazy request fields are small Lua functions that start an operation (a C
 * function), then loop in Lua: for a wait they call
 * poll_function(read_set, write_set, timeout[, wakeup]) exactly as Moonbridge
 * calls moonbridge_io.poll, for a callback they call it, and they hand the
 * outcome back with resume(). Nothing but Lua frames is on the stack while
 * poll_function runs, so it may yield to a coroutine scheduler that runs
 * the handler (and many connections) in coroutines.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key } from '../lua/strings';
import { checkHandle } from '../io/lua-handle';
import { Connection, serveConnection } from './connection';
import type { HttpOptions } from './options';
import { callOutcome, QUIT, READY, TIMEOUT, type Instruction, type Op } from './driver';
import { checkMemoryLimitSometimes } from '../server/memory-limit';
import { exchangeOf, lookupField, METHODS, type MethodImpl } from './lua-request';

const DONE = 0;
const WAIT = 1;
const CALL = 2;

/** The Lua side: builds connect and the request metatable around the C start and resume functions. */
const SOURCE = `
local poll, resume, method_starts, field_start, serve_start = ...
local DONE, WAIT = ${DONE}, ${WAIT}
local continue
local function call(task, f, ...)
  return continue(resume(task, f(...)))
end
function continue(task, kind, ...)
  if kind == DONE then return ... end
  if kind == WAIT then return continue(resume(task, poll(...))) end
  return call(task, ...)
end
local methods = {}
for name, start in pairs(method_starts) do
  methods[name] = function(...) return continue(start(...)) end
end
local metatable = {
  __index = function(self, k)
    local m = methods[k]
    if m ~= nil then return m end
    return continue(field_start(self, k))
  end
}
return function(socket) return continue(serve_start(socket)) end, metatable
`;

/** An operation in progress, passed to Lua as a light userdata. */
class Task {
  pending: Instruction['kind'] | null = null;
  constructor(
    readonly op: Op<unknown>,
    readonly conn: Connection,
    /** Pushes the operation's results; returns their count. */
    readonly finish: (L: LuaState, value: unknown) => number,
  ) {}
}

/** Returns (nil, DONE, results...) with the n results on top of the stack. */
function done(L: LuaState, n: number): number {
  lua.lua_pushnil(L);
  lua.lua_pushinteger(L, DONE);
  lua.lua_rotate(L, -(n + 2), 2);
  return n + 2;
}

/** Runs the task to its next instruction and returns it to Lua: (task, kind, ...). */
function step(L: LuaState, task: Task, input: number): number {
  const res = task.op.next(input);
  if (res.done === true) {
    task.pending = null;
    return done(L, task.finish(L, res.value));
  }
  const ins = res.value;
  task.pending = ins.kind;
  lua.lua_pushlightuserdata(L, task);
  if (ins.kind === 'wait') {
    lua.lua_pushinteger(L, WAIT);
    if (ins.what === 'r') task.conn.pushSocketSet(L);
    else lua.lua_pushnil(L);
    if (ins.what === 'w') task.conn.pushSocketSet(L);
    else lua.lua_pushnil(L);
    if (ins.timeout === null) lua.lua_pushnil(L);
    else lua.lua_pushnumber(L, ins.timeout);
    lua.lua_pushboolean(L, ins.wakeup);
    return 6;
  }
  lua.lua_pushinteger(L, CALL);
  return 3 + ins.push(L);
}

/** resume(task, outcome...): the poll_function's or the callback's results. */
const resume = cfunction((L) => {
  const task = lua.lua_touserdata(L, 1) as unknown;
  if (!(task instanceof Task) || task.pending === null) throw new Error('moonbridge_http: resume of an operation that is not waiting');
  let input: number;
  if (task.pending === 'wait') {
    input = lua.lua_toboolean(L, 2) ? READY : lua.lua_toboolean(L, 4) ? QUIT : TIMEOUT;
  } else {
    input = callOutcome(L, 2);
    // memory_limit, as after a call of the native driver (driver.ts).
    checkMemoryLimitSometimes(L);
  }
  return step(L, task, input);
});

function methodStart(impl: MethodImpl) {
  return cfunction((L) => {
    const ex = exchangeOf(L, 1);
    const r = impl(L, ex);
    if (typeof r === 'number') return done(L, r);
    return step(L, new Task(r, ex.conn, (L2, push) => (push === undefined ? 0 : (push as (L: LuaState) => number)(L2))), 0);
  });
}

const fieldStart = cfunction((L) => {
  const r = lookupField(L);
  if (typeof r === 'number') return done(L, r);
  return step(L, new Task(r.op, r.ex.conn, (L2, push) => {
    (push as (L: LuaState) => void)(L2);
    return 1;
  }), 0);
});

/** The driver chunk compiled without debug information (see loadDriverChunk). */
let strippedChunk: Uint8Array | null = null;

/**
 * Loads the driver chunk, stripped of debug information: errors raised by
 * the handler and the callbacks it calls would otherwise carry the driver's
 * "moonbridge_http:6:" as their position, where the native driver (a C
 * caller) gives none.
 */
function loadDriverChunk(L: LuaState): void {
  if (strippedChunk === null) {
    if (lauxlib.luaL_loadbuffer(L, key(SOURCE), null, key('=moonbridge_http')) !== lua.LUA_OK) {
      throw new Error(`moonbridge_http poll driver: ${lua.lua_tojsstring(L, -1)}`);
    }
    const parts: Uint8Array[] = [];
    lua.lua_dump(L, (_L: LuaState, b: Uint8Array, size: number) => { parts.push(Uint8Array.prototype.slice.call(b, 0, size) as Uint8Array); return 0; }, null, true);
    lua.lua_pop(L, 1);
    strippedChunk = Buffer.concat(parts);
  }
  if (lauxlib.luaL_loadbuffer(L, strippedChunk, null, key('=moonbridge_http')) !== lua.LUA_OK) {
    throw new Error(`moonbridge_http poll driver: ${lua.lua_tojsstring(L, -1)}`);
  }
}

/**
 * Pushes connect(socket) for a generate_handler with the poll function at
 * pollIdx and the handler at handlerIdx (absolute indices).
 */
export function pushPollingConnect(L: LuaState, handlerIdx: number, pollIdx: number, options: HttpOptions): void {
  loadDriverChunk(L);
  lua.lua_pushvalue(L, pollIdx);
  lua.lua_pushcfunction(L, resume);
  lua.lua_newtable(L);
  for (const [name, impl] of Object.entries(METHODS)) {
    lua.lua_pushcfunction(L, methodStart(impl));
    lua.lua_setfield(L, -2, key(name));
  }
  lua.lua_pushcfunction(L, fieldStart);
  // serve_start(socket), with the handler and (once known) the metatable as upvalues
  lua.lua_pushvalue(L, handlerIdx);
  const serveStart = cfunction((L2) => {
    const h = checkHandle(L2, 1);
    lua.lua_settop(L2, 1);
    lua.lua_pushvalue(L2, lua.lua_upvalueindex(1));
    const conn = new Connection(L2, h, 1, 2, options, metatableRef);
    return step(L2, new Task(serveConnection(conn), conn, (L3, survive) => {
      lua.lua_pushboolean(L3, survive === true);
      return 1;
    }), 0);
  });
  lua.lua_pushcclosure(L, serveStart, 1);
  lua.lua_call(L, 5, 2);
  // stack: connect, metatable
  const metatableRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
}
