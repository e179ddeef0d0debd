/**
 * moonbridge_io.poll(input_set, output_set, timeout, wakeup_on_sigterm): waits
 * for handles or raw descriptors with poll(2) (no FD_SETSIZE limit).
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { cfunction } from '../lua/cfunction';
import { key, pushLatin1, text } from '../lua/strings';
import { testHandle } from './lua-handle';
import { sigtermReceived } from './sigterm';
import { IoUsageError } from './errors';

const MAX_TIMEOUT = 1e8;

/**
 * What another kind of Lua object (a listener, a child) contributes to an
 * input set: its descriptor to wait on, or ready=true when it is ready
 * without waiting. A tester returns null for values that are not its kind.
 */
export interface PollEntry {
  fd: number;
  ready: boolean;
}
export type PollTester = (L: LuaState, idx: number, output: boolean) => PollEntry | null;
const testers: PollTester[] = [];

/** Lets poll accept another kind of object (registered once, at module load). */
export function registerPollable(tester: PollTester): void {
  testers.push(tester);
}

class FdSet {
  fds = new Int32Array(16);
  events = new Int16Array(16);
  revents = new Int16Array(16);
  n = 0;

  add(fd: number, events: number): void {
    if (this.n === this.fds.length) {
      const grow = <T extends Int32Array | Int16Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.fds = grow(this.fds, (n) => new Int32Array(n));
      this.events = grow(this.events, (n) => new Int16Array(n));
      this.revents = grow(this.revents, (n) => new Int16Array(n));
    }
    this.fds[this.n] = fd;
    this.events[this.n] = events;
    this.n++;
  }
}

/** Collects the set at idx into fds; returns true if an entry is ready without waiting. */
function collect(L: LuaState, idx: number, set: FdSet, output: boolean): boolean {
  if (lua.lua_isnoneornil(L, idx)) return false;
  lauxlib.luaL_checktype(L, idx, lua.LUA_TTABLE);
  const c = native().constants;
  let ready = false;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    if (lua.lua_toboolean(L, -1)) {
      const h = testHandle(L, -2);
      if (h !== null) {
        if (h.closed) throw new IoUsageError('Attempt to poll a closed connection');
        if (output) {
          if (h.finished) throw new IoUsageError('Attempt to write-poll a finished connection');
          set.add(h.fd, c.POLLOUT);
        } else if (h.readReady) {
          ready = true;
        } else {
          set.add(h.fd, c.POLLIN);
        }
      } else if (lua.lua_isinteger(L, -2)) {
        set.add(lua.lua_tointeger(L, -2) as number, output ? c.POLLOUT : c.POLLIN);
      } else {
        let entry: PollEntry | null = null;
        for (const t of testers) if ((entry = t(L, -2, output)) !== null) break;
        if (entry !== null) {
          if (entry.ready) ready = true;
          else set.add(entry.fd, output ? c.POLLOUT : c.POLLIN);
          lua.lua_pop(L, 1);
          continue;
        }
        const type = text(lauxlib.luaL_typename(L, -2) as Uint8Array);
        throw new IoUsageError(`Unexpected ${type} key in ${output ? 'output' : 'input'} set of poll: expected an I/O handle or a file descriptor`);
      }
    }
    lua.lua_pop(L, 1);
  }
  return ready;
}

function timedOut(L: LuaState, wakeup: boolean): number {
  lua.lua_pushboolean(L, false);
  pushLatin1(L, 'Timeout');
  if (!wakeup) return 2;
  lua.lua_pushboolean(L, false);
  return 3;
}

function sigterm(L: LuaState): number {
  lua.lua_pushboolean(L, false);
  pushLatin1(L, 'SIGTERM received');
  lua.lua_pushboolean(L, true);
  return 3;
}

export const poll = cfunction((L) => {
  const wakeup = lua.lua_toboolean(L, 4) as boolean;
  let timeoutMs = -1;
  if (!lua.lua_isnoneornil(L, 3)) {
    const t = lua.lua_tonumber(L, 3) as number;
    const valid = lua.lua_type(L, 3) === lua.LUA_TNUMBER && !Number.isNaN(t) && t <= MAX_TIMEOUT;
    if (!valid) lauxlib.luaL_argerror(L, 3, key('not a valid timeout'));
    if (t < 0) return timedOut(L, wakeup);
    timeoutMs = Math.ceil(t * 1000);
  }
  const set = new FdSet();
  const readyIn = collect(L, 1, set, false);
  collect(L, 2, set, true);
  if (wakeup && sigtermReceived()) return sigterm(L);
  if (readyIn) {
    lua.lua_pushboolean(L, true);
    return 1;
  }
  const n = native().poll(set.fds, set.events, set.revents, set.n, timeoutMs);
  if (n === -2 && wakeup && sigtermReceived()) return sigterm(L);
  if (n === 0) return timedOut(L, wakeup);
  lua.lua_pushboolean(L, true);
  return 1;
});
