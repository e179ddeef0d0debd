/**
 * The HTTP/1.1 request loop on one connection, as generate_handler's connect
 * function runs it: wait for a request (idle_timeout, SIGTERM), read and
 * check its head (request_header_timeout, stall_timeout), call the Lua
 * handler, finish the response, and repeat until a response closes the
 * connection. Returns `survive`: false once a handler returned non-true.
 */
import { lua, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { waitFd } from '../io/fd-wait';
import { IoError, IoHandle } from '../io/handle';
import { sigtermReceived } from '../io/sigterm';
import { Exchange } from './exchange';
import { HttpError } from './errors';
import type { HttpOptions } from './options';
import { parseRequestHead, type RequestHead } from './request-head';
import { checkRequest } from './request-checks';
import { writeErrorResponse, type ResponseSink } from './response-writer';
import { pushRequest } from './lua-request';
import { armResponseTimeout, beforeIdleWait, endResponseTimeout } from '../server/timeout';

type Wait = 'ready' | 'timeout' | 'sigterm' | 'eof';

function handleSink(h: IoHandle): ResponseSink {
  return {
    write: (data) => h.write([typeof data === 'string' ? Buffer.from(data, 'latin1') : data], true),
    flush: () => h.flush(),
  };
}

/**
 * Waits for the first byte of the next request. Polls before reading: after
 * a response the next request has rarely arrived yet, and poll returns at
 * once when it has.
 */
function awaitRequest(h: IoHandle, options: HttpOptions): Wait {
  if (h.buffered > 0 && !sigtermReceived()) return 'ready';
  beforeIdleWait(options.idleTimeout);
  const deadline = options.idleTimeout === null ? null : native().monotonic() + options.idleTimeout;
  for (;;) {
    if (sigtermReceived()) return 'sigterm';
    if (h.buffered > 0) return 'ready';
    const left = deadline === null ? null : deadline - native().monotonic();
    if (left !== null && left <= 0) return 'timeout';
    const ready = waitFd(h.fd, 'r', left);
    if (ready === 0) return 'timeout';
    if (ready < 0) continue; // interrupted: check SIGTERM
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
function readHead(h: IoHandle, options: HttpOptions): { head: RequestHead; consumed: number } | null {
  const deadline = options.requestHeaderTimeout === null ? null : native().monotonic() + options.requestHeaderTimeout;
  for (;;) {
    const win = h.readWindow;
    const res = parseRequestHead(win.buffer, win.start, win.end, options.headerSizeLimit);
    if (res.kind === 'complete') return res;
    let r: number;
    try {
      r = h.fill();
    } catch (err) {
      if (err instanceof IoError) throw new HttpError('400 Bad Request', 'Read error');
      throw err;
    }
    if (r > 0) continue;
    if (r === 0) {
      if (h.buffered === 0) return null;
      throw new HttpError('400 Bad Request', 'Unexpected EOF');
    }
    let wait = options.stallTimeout;
    if (deadline !== null) {
      const left = deadline - native().monotonic();
      if (left <= 0) throw new HttpError('408 Request Timeout', 'Timeout while receiving headers');
      wait = wait === null ? left : Math.min(wait, left);
    }
    if (waitFd(h.fd, 'r', wait) === 0) throw new HttpError('408 Request Timeout', 'Timeout while receiving headers');
  }
}

/**
 * Ends the connection after a response that said "Connection: close": FIN,
 * read away the client's remaining input for up to drain_timeout, then close
 * (or reset if the client did not finish in time).
 */
function closeGracefully(h: IoHandle, options: HttpOptions): void {
  if (h.closed) return;
  try {
    if (!h.finished) h.finish();
    const deadline = options.drainTimeout === null ? null : native().monotonic() + options.drainTimeout;
    for (;;) {
      h.consume(h.buffered);
      const r = h.fill();
      if (r === 0) break;
      if (r > 0) continue;
      const left = deadline === null ? null : deadline - native().monotonic();
      if ((left !== null && left <= 0) || waitFd(h.fd, 'r', left) === 0) {
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
function answerError(h: IoHandle, options: HttpOptions, err: HttpError): void {
  try {
    writeErrorResponse(handleSink(h), options.staticHeaders, err.status, err.text);
  } catch (e) {
    if (!(e instanceof IoError)) throw e;
  }
  closeGracefully(h, options);
}

/**
 * A protocol error while reading a request body: answered if nothing of the
 * response was sent yet; the error then propagates and ends the worker (as
 * Moonbridge does).
 */
function onBodyError(ex: Exchange, err: HttpError): void {
  ex.faulty = true;
  if (!ex.writer.canSendErrorResponse) return;
  answerError(ex.handle, ex.options, err);
  // The error response replaced the app's: nothing of it may follow, even
  // if the handler catches the error and goes on.
  ex.writer.abandon();
}

/**
 * Serves requests on the socket at stack index 1 with the handler at index
 * handlerIdx. Returns survive.
 */
export function serveConnection(L: LuaState, h: IoHandle, handlerIdx: number, options: HttpOptions): boolean {
  let survive = true;
  const sink = handleSink(h);
  for (;;) {
    const wait = awaitRequest(h, options);
    if (wait === 'eof') break;
    if (wait === 'sigterm') {
      answerError(h, options, new HttpError('408 Request Timeout', 'Server shutdown'));
      break;
    }
    if (wait === 'timeout') {
      answerError(h, options, new HttpError('408 Request Timeout', 'Idle connection timed out'));
      break;
    }
    let ex: Exchange;
    try {
      const got = readHead(h, options);
      if (got === null) break;
      const info = checkRequest(got.head, options.bodySizeLimit);
      h.consume(got.consumed);
      ex = new Exchange(h, got.head, info, options, sink, onBodyError);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      answerError(h, options, err);
      break;
    }
    armResponseTimeout(options.responseTimeout);
    lua.lua_pushvalue(L, handlerIdx);
    pushRequest(L, ex, 1);
    lua.lua_call(L, 1, 1);
    if (!(lua.lua_type(L, -1) === lua.LUA_TBOOLEAN && lua.lua_toboolean(L, -1))) survive = false;
    lua.lua_pop(L, 1);
    try {
      ex.writer.finish();
    } catch (err) {
      ex.faulty = true;
      if (!(err instanceof IoError)) throw err;
      // The client went away while the response was being sent: drop the
      // connection, keep the worker.
      if (!h.closed) h.reset();
      break;
    }
    endResponseTimeout();
    if (ex.writer.closeConnection || !ex.bodyDrainable) {
      closeGracefully(h, options);
      break;
    }
    try {
      ex.drainBody();
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      closeGracefully(h, options);
      break;
    }
  }
  return survive;
}
