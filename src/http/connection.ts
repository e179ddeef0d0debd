/**
 * The HTTP/1.1 request loop on one connection, as generate_handler's connect
 * function runs it: wait for a request (idle_timeout, SIGTERM), read and
 * check its head (request_header_timeout, stall_timeout), call the Lua
 * handler, finish the response, and repeat until a response closes the
 * connection. Every wait and the handler call are yielded to the driver
 * (driver.ts), so the loop runs the same with native waits and with a
 * poll_function.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { IoError, IoHandle } from '../io/handle';
import { sigtermReceived } from '../io/sigterm';
import { Exchange } from './exchange';
import { fillRequest } from './body-reader';
import { HttpError, RequestReadError } from './errors';
import type { HttpOptions } from './options';
import { parseRequestHead, type RequestHead } from './request-head';
import { checkRequest } from './request-checks';
import { writeErrorResponse, type ResponseSink } from './response-writer';
import { pushRequest } from './lua-request';
import { noteRequestServed } from '../io/external-memory';
import { armResponseTimeout, beforeIdleWait, endResponseTimeout } from '../server/timeout';
import { callLua, deadlineIn, QUIT, remaining, TRUE, TIMEOUT, waitFor, type Op } from './driver';

/** Output queued beyond this makes a writing operation wait until the client took some. */
const OUTPUT_HIGH_WATER = 65536;

/**
 * One connection: its socket (handle and Lua value), the handler, the
 * options, and how request objects are made for this generate_handler.
 */
export class Connection {
  readonly sink: ResponseSink;
  /** Registry refs: the socket userdata, the handler, and {[socket] = true} for poll functions. */
  private readonly socketRef: number;
  private readonly handlerRef: number;
  private socketSetRef: number | null = null;

  constructor(
    readonly L: LuaState,
    readonly handle: IoHandle,
    socketIdx: number,
    handlerIdx: number,
    readonly options: HttpOptions,
    /** Registry ref of the request metatable (the poll-function variant has Lua methods). */
    readonly requestMetatableRef: number,
  ) {
    lua.lua_pushvalue(L, socketIdx);
    this.socketRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    lua.lua_pushvalue(L, handlerIdx);
    this.handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    const h = handle;
    this.sink = {
      write: (data) => h.write([typeof data === 'string' ? Buffer.from(data, 'latin1') : data], false),
      flush: () => { /* the operation flushes with flushOutput(), which may wait */ },
    };
  }

  pushSocket(L: LuaState): void {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.socketRef);
  }

  /** The set {[socket] = true} passed to a poll_function (made on first use). */
  pushSocketSet(L: LuaState): void {
    if (this.socketSetRef === null) {
      lua.lua_createtable(L, 0, 1);
      this.pushSocket(L);
      lua.lua_pushboolean(L, true);
      lua.lua_rawset(L, -3);
      this.socketSetRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.socketSetRef);
  }

  release(): void {
    const L = this.L;
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, this.socketRef);
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, this.handlerRef);
    if (this.socketSetRef !== null) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, this.socketSetRef);
  }

  /**
   * Pushes queued output to the client: everything (all) or until less than
   * the high-water mark is left. A write blocked longer than stall_timeout
   * resets the connection and raises "Client connection stalled", as
   * Moonbridge does. Throws IoError when the client is gone.
   */
  *flushOutput(all: boolean): Op<void> {
    const h = this.handle;
    for (;;) {
      const left = h.flushNb();
      if (left === 0 || (!all && left < OUTPUT_HIGH_WATER)) return;
      if ((yield waitFor(h.fd, 'w', this.options.stallTimeout)) === TIMEOUT) {
        h.reset();
        throw new Error('Client connection stalled');
      }
    }
  }

  /** Whether flushOutput has work to do (so that callers can skip creating the generator). */
  outputPending(all: boolean): boolean {
    const q = this.handle.queued;
    return all ? q > 0 : q >= OUTPUT_HIGH_WATER;
  }

  /**
   * Ends the connection after a response that said "Connection: close": FIN,
   * read away the client's remaining input for up to drain_timeout, then close
   * (or reset if the client did not finish in time).
   */
  *closeGracefully(): Op<void> {
    const h = this.handle;
    if (h.closed) return;
    try {
      if (!h.finished) {
        if (h.queued > 0) yield* this.flushOutput(true);
        h.finish();
      }
      const deadline = deadlineIn(this.options.drainTimeout);
      for (;;) {
        h.consume(h.buffered);
        const r = h.fill();
        if (r === 0) break;
        if (r > 0) continue;
        const left = remaining(deadline);
        if (left === 0 || (yield waitFor(h.fd, 'r', left)) === TIMEOUT) {
          h.reset();
          return;
        }
      }
      h.close();
    } catch (err) {
      if (!(err instanceof IoError)) throw err;
      if (!h.closed) h.reset();
    }
  }

  /** Sends a built-in error response and ends the connection. */
  *answerError(err: HttpError): Op<void> {
    try {
      writeErrorResponse(this.sink, this.options.staticHeaders, err.status, err.text);
    } catch (e) {
      if (!(e instanceof IoError)) throw e;
    }
    yield* this.closeGracefully();
  }

  /** Pushes the handler and the request table for ex (a call instruction's push). */
  pushHandlerCall(L: LuaState, ex: Exchange): number {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.handlerRef);
    pushRequest(L, ex, this);
    return 1;
  }
}

type Wait = 'ready' | 'timeout' | 'sigterm' | 'eof';

/**
 * Waits for the first byte of the next request. Waits before reading: after
 * a response the next request has rarely arrived yet, and the wait returns
 * at once when it has.
 */
function* awaitRequest(c: Connection): Op<Wait> {
  const h = c.handle;
  beforeIdleWait(c.options.idleTimeout);
  const deadline = deadlineIn(c.options.idleTimeout);
  for (;;) {
    if (sigtermReceived()) return 'sigterm';
    if (h.buffered > 0) return 'ready';
    const outcome = yield waitFor(h.fd, 'r', remaining(deadline), true);
    if (outcome === TIMEOUT) return 'timeout';
    if (outcome === QUIT) return 'sigterm';
    let r: number;
    try {
      r = h.fill();
    } catch (err) {
      // Reset by the client between requests: the connection just ends.
      if (err instanceof IoError) return 'eof';
      throw err;
    }
    if (r > 0) return 'ready';
    if (r === 0) return 'eof';
  }
}

/** Reads a complete request head (or throws HttpError); null on EOF before any byte. */
function* readHead(c: Connection): Op<{ head: RequestHead; consumed: number } | null> {
  const h = c.handle;
  const options = c.options;
  const deadline = deadlineIn(options.requestHeaderTimeout);
  for (;;) {
    const win = h.readWindow;
    const res = parseRequestHead(win.buffer, win.start, win.end, options.headerSizeLimit);
    if (res.kind === 'complete') return res;
    const r = fillRequest(h);
    if (r > 0) continue;
    if (r === 0) {
      if (h.buffered === 0) return null;
      throw new HttpError('400 Bad Request', 'Unexpected EOF');
    }
    let wait = options.stallTimeout;
    const left = remaining(deadline);
    if (left !== null) {
      if (left === 0) throw new HttpError('408 Request Timeout', 'Timeout while receiving headers');
      wait = wait === null ? left : Math.min(wait, left);
    }
    if ((yield waitFor(h.fd, 'r', wait)) === TIMEOUT) {
      throw new HttpError('408 Request Timeout', 'Timeout while receiving headers');
    }
  }
}

/**
 * After the handler: completes the response, ends the response timeout, and
 * reads the rest of the body (or closes). Returns whether the connection
 * goes on.
 */
function* finishExchange(c: Connection, ex: Exchange): Op<boolean> {
  const h = c.handle;
  try {
    ex.writer.finish();
    if (c.outputPending(true)) yield* c.flushOutput(true);
  } catch (err) {
    ex.faulty = true;
    if (!(err instanceof IoError)) throw err;
    // The client went away while the response was being sent: drop the
    // connection, keep the worker.
    if (!h.closed) h.reset();
    return false;
  }
  endResponseTimeout();
  if (ex.writer.closeConnection || !ex.bodyDrainable) {
    yield* c.closeGracefully();
    return false;
  }
  try {
    if (!ex.body.done) yield* ex.finishInput();
  } catch (err) {
    if (!(err instanceof RequestReadError)) throw err;
    if (!h.closed) yield* c.closeGracefully();
    return false;
  }
  return true;
}

/** Serves requests on the connection until a response closes it. Returns survive. */
export function* serveConnection(c: Connection): Op<boolean> {
  const h = c.handle;
  const options = c.options;
  let survive = true;
  try {
    for (;;) {
      const wait = h.buffered > 0 && !sigtermReceived() ? 'ready' : yield* awaitRequest(c);
      if (wait === 'eof') break;
      if (wait === 'sigterm') {
        yield* c.answerError(new HttpError('408 Request Timeout', 'Server shutdown'));
        break;
      }
      if (wait === 'timeout') {
        yield* c.answerError(new HttpError('408 Request Timeout', 'Idle connection timed out'));
        break;
      }
      let ex: Exchange;
      try {
        const got = yield* readHead(c);
        if (got === null) break;
        const info = checkRequest(got.head, options.bodySizeLimit);
        h.consume(got.consumed);
        ex = new Exchange(c, got.head, info);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        yield* c.answerError(err);
        break;
      }
      armResponseTimeout(options.responseTimeout);
      noteRequestServed();
      try {
        if ((yield callLua((L) => c.pushHandlerCall(L, ex))) !== TRUE) survive = false;
        if (!(yield* finishExchange(c, ex))) break;
      } finally {
        ex.release();
      }
    }
  } finally {
    c.release();
  }
  return survive;
}

