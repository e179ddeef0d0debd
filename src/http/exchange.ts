/**
 * One request/response exchange on a connection: the parsed request, its
 * body reader and the response writer, plus the lifecycle rules that tie
 * them together: when body handling is prepared (Moonbridge's "init" state
 * ends), 100-continue, eager urlencoded bodies, the body streamers, and
 * what is done with an unread body.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { BLOCKED, BodyReader } from './body-reader';
import type { Connection } from './connection';
import { HttpError, HttpUsageError, RequestReadError } from './errors';
import type { RequestHead } from './request-head';
import type { RequestInfo } from './request-checks';
import { ResponseWriter } from './response-writer';
import { callLua, TIMEOUT, waitFor, type Op } from './driver';
import { pushOwnedBytes } from '../lua/strings';
import { collectPostFields, type PostFields } from './post-fields';

const STREAMER_TOO_LATE = 'Cannot setup request body streamer at this stage anymore';

export class Exchange {
  readonly writer: ResponseWriter;
  readonly body: BodyReader;
  fresh = true;
  faulty = false;
  /**
   * Body handling has been prepared (Moonbridge's state left "init"): at the
   * first send_status, body or POST field access, consume_input or
   * monologue. Streamers can be installed only before.
   */
  prepared = false;
  /** The whole body once read through request.body (or for an urlencoded form). */
  bodyBytes: Uint8Array | null = null;
  /** The body went to a streamer (or the multipart parser) and is not kept. */
  streamed = false;
  /** monologue(): input is discarded, not read. */
  discardInput = false;
  /** Registry refs of the Lua callbacks of stream_request_body, stream_post_param(s). */
  bodyStreamer: number | null = null;
  fieldStreamers: Map<string, number> | null = null;
  patternStreamers: Array<[pattern: Uint8Array, ref: number]> | null = null;
  private postFieldsCache: PostFields | null = null;
  private continueSent = false;
  private headerMap: Map<string, string[]> | null = null;
  /** Registry ref of the request table, for operations that outlive their C frame. */
  private requestRef: number | null = null;

  constructor(readonly conn: Connection, readonly head: RequestHead, readonly info: RequestInfo) {
    const options = conn.options;
    this.writer = new ResponseWriter(
      conn.sink, head.method, head.version,
      { staticHeaders: options.staticHeaders, minimumOutputChunkSize: options.minimumOutputChunkSize },
      info.closeRequested, info.keepAliveRequested,
    );
    this.body = new BodyReader(conn.handle, info.chunked ? -1 : info.bodyLength, options.bodySizeLimit);
  }

  get L(): LuaState {
    return this.conn.L;
  }

  /** Header values by lower-case name, in order of appearance. */
  get headers(): Map<string, string[]> {
    if (this.headerMap === null) {
      const map = new Map<string, string[]>();
      for (const [name, value] of this.head.headers) {
        const k = name.toLowerCase();
        const list = map.get(k);
        if (list === undefined) map.set(k, [value]);
        else list.push(value);
      }
      this.headerMap = map;
    }
    return this.headerMap;
  }

  /** The first Content-Type value as sent ("" if none). */
  get contentTypeHeader(): string {
    const v = this.headers.get('content-type');
    return v === undefined ? '' : v[0];
  }

  /** The media type of the body, lower-cased ("" if none). */
  get contentType(): string {
    return this.contentTypeHeader.split(';')[0].trim().toLowerCase();
  }

  /** Remembers the request table at idx (for pushRequestTable after a wait). */
  rememberRequest(L: LuaState, idx: number): void {
    if (this.requestRef !== null) return;
    lua.lua_pushvalue(L, idx);
    this.requestRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
  }

  pushRequestTable(L: LuaState): void {
    if (this.requestRef === null) throw new Error('request table not remembered');
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.requestRef);
  }

  /** Drops the Lua references of this exchange (after the response). */
  release(): void {
    const L = this.L;
    const unref = (r: number | null): void => { if (r !== null) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, r); };
    unref(this.requestRef);
    unref(this.bodyStreamer);
    this.fieldStreamers?.forEach(unref);
    this.patternStreamers?.forEach(([, r]) => unref(r));
    this.requestRef = this.bodyStreamer = null;
    this.fieldStreamers = null;
    this.patternStreamers = null;
  }

  // ------------------------------------------------------------ streamers

  /** A registry ref of the streamer callback at idx; refused once body handling is prepared. */
  private streamerRef(L: LuaState, idx: number, replaced?: number): number {
    if (this.prepared) throw new HttpUsageError(STREAMER_TOO_LATE);
    this.fresh = false;
    if (replaced !== undefined) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, replaced);
    lua.lua_pushvalue(L, idx);
    return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
  }

  /** stream_request_body(cb): the function at idx gets the body. */
  setBodyStreamer(L: LuaState, idx: number): void {
    this.bodyStreamer = this.streamerRef(L, idx, this.bodyStreamer ?? undefined);
  }

  /** stream_post_param(name, cb). */
  addFieldStreamer(L: LuaState, name: string, idx: number): void {
    const ref = this.streamerRef(L, idx, this.fieldStreamers?.get(name));
    (this.fieldStreamers ??= new Map()).set(name, ref);
  }

  /** stream_post_params(pattern, cb). */
  addPatternStreamer(L: LuaState, pattern: Uint8Array, idx: number): void {
    const ref = this.streamerRef(L, idx);
    (this.patternStreamers ??= []).push([pattern, ref]);
  }

  // ------------------------------------------------------------ reading

  /** "HTTP/1.1 100 Continue" (once), queued before the first body read. */
  private sendContinue(): void {
    if (!this.info.expectContinue || this.continueSent || !this.writer.canSendErrorResponse) return;
    this.continueSent = true;
    let s = 'HTTP/1.1 100 Continue\r\n';
    for (const line of this.conn.options.staticHeaders) s += line + '\r\n';
    this.conn.sink.write(s + '\r\n');
  }

  /**
   * A protocol error in the body: answered with the built-in error response
   * if nothing of the application's response went out yet, then raised (the
   * handler's error ends the worker, as in Moonbridge).
   */
  *failBody(err: HttpError): Op<never> {
    this.faulty = true;
    const answered = this.writer.canSendErrorResponse;
    if (answered) {
      yield* this.conn.answerError(err);
      // The error response replaced the app's: nothing of it may follow.
      this.writer.abandon();
    }
    throw new RequestReadError(err, answered);
  }

  /** The next piece of the body (at most max bytes), null at its end. */
  *readPiece(max: number): Op<Uint8Array | null> {
    if (!this.body.begun && !this.body.done) this.sendContinue();
    const h = this.conn.handle;
    for (;;) {
      let piece: Uint8Array | null | typeof BLOCKED;
      try {
        piece = this.body.tryRead(max);
      } catch (err) {
        if (err instanceof HttpError) yield* this.failBody(err);
        throw err;
      }
      if (piece !== BLOCKED) return piece;
      // The client may be waiting for "100 Continue" (or for anything queued).
      if (this.conn.outputPending(true)) yield* this.conn.flushOutput(true);
      if ((yield waitFor(h.fd, 'r', this.conn.options.stallTimeout)) === TIMEOUT) {
        yield* this.failBody(new HttpError('408 Request Timeout', 'Timeout while waiting for request body'));
      }
    }
  }

  /** The rest of the body in one buffer. */
  *readRest(): Op<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const piece = yield* this.readPiece(1 << 20);
      if (piece === null) break;
      parts.push(piece);
      total += piece.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
  }

  /** request.body: the whole body (read once, then cached). */
  *readBody(): Op<Uint8Array> {
    this.fresh = false;
    if (this.bodyBytes !== null) return this.bodyBytes;
    if (this.streamed || this.discardInput || this.body.begun) throw new HttpUsageError(STREAMER_TOO_LATE);
    // As in Moonbridge, reading the body replaces a body streamer not yet run.
    if (this.bodyStreamer !== null) {
      lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, this.bodyStreamer);
      this.bodyStreamer = null;
    }
    this.prepared = true;
    this.bodyBytes = this.body.done ? new Uint8Array(0) : yield* this.readRest();
    return this.bodyBytes;
  }

  /**
   * Before the final status goes out (Moonbridge's prepare): a client
   * waiting for "100 Continue" that never got it may or may not send its
   * body, so the connection cannot be reused. Returns true when an
   * urlencoded body must now be read eagerly, as Moonbridge does (the caller
   * runs postFields()).
   */
  beforeStatus(): boolean {
    this.fresh = false;
    if (this.prepared) return false;
    this.prepared = true;
    if (this.body.done || this.body.begun || this.bodyStreamer !== null) return false;
    if (this.info.expectContinue) {
      this.writer.closeAfterFinish();
      return false;
    }
    return this.contentType === 'application/x-www-form-urlencoded';
  }

  /** Feeds the body to the body streamer; with endCall, a final call with nil. */
  *runBodyStreamer(endCall: boolean): Op<void> {
    const ref = this.bodyStreamer as number;
    this.bodyStreamer = null;
    this.streamed = true;
    const max = this.conn.options.maximumInputChunkSize;
    try {
      for (;;) {
        const piece = yield* this.readPiece(max);
        if (piece === null) break;
        yield callLua((L) => {
          lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
          pushOwnedBytes(L, piece);
          return 1;
        });
      }
      if (endCall) {
        yield callLua((L) => {
          lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
          lua.lua_pushnil(L);
          return 1;
        });
      }
    } finally {
      lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
    }
  }

  /** The POST fields (urlencoded or multipart; empty for other types). Reading them consumes the input. */
  *postFields(): Op<PostFields> {
    this.fresh = false;
    this.prepared = true;
    if (this.postFieldsCache === null) {
      this.postFieldsCache = yield* collectPostFields(this);
    }
    return this.postFieldsCache;
  }

  /** consume_input(): runs the streamers (or collects the POST fields) and reads the body to its end. */
  *consumeInput(endCall = true): Op<void> {
    this.fresh = false;
    this.prepared = true;
    if (this.bodyStreamer !== null) yield* this.runBodyStreamer(endCall);
    else yield* this.postFields();
    if (!this.discardInput && !this.body.done) yield* this.drainBody();
  }

  /** monologue(): close after the response and discard all input (read away when the connection closes). */
  monologue(): void {
    this.writer.closeAfterFinish();
    this.fresh = false;
    this.prepared = true;
    this.discardInput = true;
  }

  /**
   * After the handler: streamers still installed get the rest of the body
   * (Moonbridge feeds them while finishing), anything else is read away
   * before the next request.
   */
  *finishInput(): Op<void> {
    if (this.prepared && (this.bodyStreamer !== null || this.fieldStreamers !== null || this.patternStreamers !== null) &&
        !this.streamed && this.bodyBytes === null && this.postFieldsCache === null) {
      yield* this.consumeInput();
    }
    if (!this.body.done) yield* this.drainBody();
  }

  /** Reads away whatever is left of the body. */
  *drainBody(): Op<void> {
    while ((yield* this.readPiece(65536)) !== null) { /* discard */ }
  }

  /** Whether the unread rest of the body can be drained to keep the connection. */
  get bodyDrainable(): boolean {
    return !this.discardInput && (this.body.done || this.body.begun || !this.info.expectContinue);
  }
}
