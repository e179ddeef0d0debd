/**
 * How the HTTP layer waits. Every operation that may have to wait (for the
 * next request, a request head or body, room to write, the client's EOF) or
 * call back into Lua (the handler, body and POST field streamers) is a
 * generator that yields an instruction and is resumed with its outcome. Two
 * drivers run them:
 * - the native driver (runNative, here): poll(2) on the socket and lua_call,
 *   the default and the fast path;
 * - the Lua driver (poll-driver.ts), used when generate_handler is given a
 *   poll_function: a Lua loop calls that function for every wait and makes
 *   every callback, so that the function may yield to a coroutine scheduler
 *   (no C function frame is left on the Lua stack while it waits).
 * Operations that complete without waiting do not create a generator.
 */
import { lua, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { waitFd } from '../io/fd-wait';
import { sigtermReceived } from '../io/sigterm';
import { checkMemoryLimitSometimes } from '../server/memory-limit';

/** A wait: the poll_function gets (read set, write set, timeout, wakeup) as moonbridge_io.poll does. */
export interface WaitInstruction {
  readonly kind: 'wait';
  readonly fd: number;
  /** Wait to read ('r': the socket in the read set) or to write ('w': in the write set). */
  readonly what: 'r' | 'w';
  /** Seconds; null = no limit. */
  readonly timeout: number | null;
  /** Also return when SIGTERM arrives (the wait for a new request). */
  readonly wakeup: boolean;
}

/** A call into Lua: push pushes the function and its arguments and returns the argument count. */
export interface CallInstruction {
  readonly kind: 'call';
  readonly push: (L: LuaState) => number;
}

export type Instruction = WaitInstruction | CallInstruction;

/** Outcome of a wait: ready (or woken early: check again), timed out, or SIGTERM seen (wakeup waits only). */
export const READY = 1;
export const TIMEOUT = 0;
export const QUIT = 2;
export type WaitOutcome = typeof READY | typeof TIMEOUT | typeof QUIT;

/** Outcome of a call: the function's first result was false or nil, exactly true, or another value. */
export const FALSY = 0;
export const TRUE = 1;
export const TRUTHY = 2;
export type CallOutcome = typeof FALSY | typeof TRUE | typeof TRUTHY;

/**
 * An operation: yields instructions; a wait is resumed with its
 * WaitOutcome, a call with its CallOutcome.
 */
export type Op<T> = Generator<Instruction, T, number>;

/** The CallOutcome of the value at idx. */
export function callOutcome(L: LuaState, idx: number): CallOutcome {
  if (!lua.lua_toboolean(L, idx)) return FALSY;
  return lua.lua_type(L, idx) === lua.LUA_TBOOLEAN ? TRUE : TRUTHY;
}

export function waitFor(fd: number, what: 'r' | 'w', timeout: number | null, wakeup = false): WaitInstruction {
  return { kind: 'wait', fd, what, timeout, wakeup };
}

export function callLua(push: (L: LuaState) => number): CallInstruction {
  return { kind: 'call', push };
}

/** The remaining seconds to a monotonic deadline (null = none), at least 0. */
export function remaining(deadline: number | null): number | null {
  return deadline === null ? null : Math.max(0, deadline - native().monotonic());
}

/** A deadline `seconds` from now (null = none). */
export function deadlineIn(seconds: number | null): number | null {
  return seconds === null ? null : native().monotonic() + seconds;
}

function waitNatively(w: WaitInstruction): WaitOutcome {
  const ready = waitFd(w.fd, w.what, w.timeout);
  if (ready === 0) return TIMEOUT;
  if (ready < 0 && w.wakeup && sigtermReceived()) return QUIT;
  return READY; // ready, or interrupted by another signal: the operation checks again
}

/** Runs an operation with native waits and direct Lua calls, returning its result. */
export function runNative<T>(L: LuaState, op: Op<T>): T {
  let input = 0;
  for (;;) {
    const step = op.next(input);
    if (step.done === true) return step.value;
    const ins = step.value;
    if (ins.kind === 'wait') {
      input = waitNatively(ins);
    } else {
      const nargs = ins.push(L);
      lua.lua_call(L, nargs, 1);
      input = callOutcome(L, -1);
      lua.lua_pop(L, 1);
      // memory_limit: "not enough memory" raised into the handler's caller.
      checkMemoryLimitSometimes(L);
    }
  }
}
