/**
 * Framing one HTTP response, independent of sockets: status line, static and
 * application headers, then the automatic framing headers; the body as chunks
 * of at least minimumOutputChunkSize bytes (chunked), as declared
 * (Content-Length), or raw (HTTP/1.0 without a length, closing the
 * connection). Output goes to a sink that queues it; the sink is flushed at
 * finishHeaders(), flush() and finish().
 *
 * Nothing is given to the sink before it has to be: the header block waits
 * for the first body data, and body data waits until minimumOutputChunkSize
 * bytes are pending. What is due at one point (header block, chunk framing,
 * body, terminator) goes to the sink as one write when it is small, so a
 * typical small response is a single sink.write() at finish().
 */
import { HttpUsageError, errorResponseBody } from './errors';
import { hasLineBreakOrNul, hasListItem, isDigits, isToken, trimOws } from './header-values';

export interface ResponseSink {
  /** Queues bytes, or a latin1 string (one char per byte). Must not modify the bytes. */
  write(data: Uint8Array | string): void;
  /** Pushes everything queued to the peer. */
  flush(): void;
}

export interface ResponseOptions {
  /** Complete "Key: value" lines sent after every status line. */
  staticHeaders: string[];
  minimumOutputChunkSize: number;
}

/**
 * Moonbridge's output states:
 * - init: no status yet (also again after a 1xx response was ended);
 * - info_status_sent: a 1xx status, its headers may follow;
 * - bodyless_status_sent: a final status without body (101, 204, 205, 304), headers may follow;
 * - status_sent: a final status with a body, headers may follow;
 * - headers_sent: the header section is complete, the body may follow;
 * - finished: the response is complete (or was abandoned).
 * "sent" means accepted from the application: output is buffered, see
 * canSendErrorResponse for what has really been given to the sink.
 */
export type ResponseState =
  | 'init' | 'info_status_sent' | 'bodyless_status_sent' | 'status_sent' | 'headers_sent' | 'finished';

const NONE = 0;
const CHUNKED = 1;
const LENGTH = 2;
const RAW = 3;

/** Output due at once up to this size is copied into one buffer and written with one call. */
const COALESCE_LIMIT = 16384;

type Latin1Write = (this: Buffer, s: string, offset: number) => number;
const latin1Write = (Buffer.prototype as unknown as { latin1Write: Latin1Write }).latin1Write;

function statusCode(status: string): number {
  const a = status.charCodeAt(0) - 0x30;
  const b = status.charCodeAt(1) - 0x30;
  const c = status.charCodeAt(2) - 0x30;
  if (!(a >= 1 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9) || (status.length > 3 && status.charCodeAt(3) !== 0x20)) {
    throw new HttpUsageError(`Invalid HTTP status "${status}" (expected a 3-digit code and a reason phrase, e.g. "200 OK")`);
  }
  return a * 100 + b * 10 + c;
}

export class ResponseWriter {
  private st: ResponseState = 'init';
  /** The header block being assembled (status line onward). */
  private head = '';
  /** Protocol text due before the pending body (header blocks). */
  private text = '';
  private pieces: Array<Uint8Array | string> = [];
  private pendingLength = 0;
  /** Content-Length of the response, -1 if none. */
  private declared = -1;
  private sent = 0;
  private framing = NONE;
  private appClose = false;
  private appCloseHeader = false;
  private appKeepAliveHeader = false;
  private close = false;
  private decided = false;
  private finalWritten = false;
  private broken = false;
  private readonly isHead: boolean;

  constructor(
    private readonly sink: ResponseSink,
    method: string,
    private readonly version: '1.0' | '1.1',
    private readonly options: ResponseOptions,
    private readonly clientWantsClose: boolean,
    private readonly clientWantsKeepAlive: boolean,
  ) {
    this.isHead = method === 'HEAD';
  }

  get state(): ResponseState {
    return this.st;
  }

  /**
   * True if the connection must be closed after this response. Before the
   * header section is complete this is a forecast (HTTP/1.0 counts as close).
   */
  get closeConnection(): boolean {
    if (this.decided) return this.close || this.broken;
    return this.appClose || this.clientWantsClose || this.version === '1.0' || this.broken;
  }

  /** Nothing of the final response has been given to the sink: a built-in error response may replace it. */
  get canSendErrorResponse(): boolean {
    return !this.finalWritten && this.st !== 'finished';
  }

  /** send_status(): "NNN Reason", passed through as given. */
  sendStatus(status: string): void {
    if (this.st === 'info_status_sent') this.endInfo();
    if (this.st !== 'init') {
      throw new HttpUsageError('HTTP status has already been sent');
    }
    // A CR or LF would end the status line early and let the text inject
    // header lines (response splitting, RFC 9112, 4: reason-phrase has no CTL).
    if (hasLineBreakOrNul(status)) {
      throw new HttpUsageError(`Invalid character (CR, LF or NUL) in HTTP status ${JSON.stringify(status)}`);
    }
    const code = statusCode(status);
    let head = 'HTTP/1.1 ' + status + '\r\n';
    const statics = this.options.staticHeaders;
    for (let i = 0; i < statics.length; i++) head += statics[i] + '\r\n';
    if (code === 101 || code === 204 || code === 304) {
      this.st = 'bodyless_status_sent';
    } else if (code === 205) {
      head += 'Content-Length: 0\r\n';
      this.declared = 0;
      this.st = 'bodyless_status_sent';
    } else if (code < 200) {
      this.st = 'info_status_sent';
    } else {
      this.st = 'status_sent';
    }
    this.head = head;
  }

  /** send_header(): one "key: value" line, passed through as given. */
  sendHeader(key: string, value: string): void {
    const st = this.st;
    if (st === 'init') throw new HttpUsageError('HTTP status has not been sent yet');
    if (st === 'headers_sent' || st === 'finished') throw new HttpUsageError('All HTTP headers have already been sent');
    // Response splitting: the name must be a token (RFC 9110, 5.1) and the
    // value must not contain CR, LF or NUL (RFC 9110, 5.5), or the
    // application's data could add header lines or end the header section.
    if (!isToken(key)) throw new HttpUsageError(`Invalid HTTP header name ${JSON.stringify(key)}`);
    if (hasLineBreakOrNul(value)) {
      throw new HttpUsageError(`Invalid character (CR, LF or NUL) in value of HTTP header ${JSON.stringify(key)}`);
    }
    if (key.length === 14 && key.toLowerCase() === 'content-length') {
      if (st === 'info_status_sent') throw new HttpUsageError('Cannot set Content-Length for informational status response');
      const digits = trimOws(value);
      const n = Number(digits);
      if (!isDigits(digits) || !Number.isSafeInteger(n)) throw new HttpUsageError(`Invalid Content-Length header value "${value}"`);
      if (this.declared >= 0) {
        // As in Moonbridge: the same length again is dropped, another one refused.
        if (n === this.declared) return;
        throw new HttpUsageError('Content-Length has been set multiple times with different values');
      }
      this.declared = n;
    } else if (key.length === 10 && key.toLowerCase() === 'connection') {
      if (hasListItem(value, 'close')) {
        if (st === 'info_status_sent') throw new HttpUsageError('Cannot set "Connection: close" for informational status response');
        this.appClose = true;
        this.appCloseHeader = true;
      }
      if (st !== 'info_status_sent' && hasListItem(value, 'keep-alive')) this.appKeepAliveHeader = true;
    }
    this.head += key + ': ' + value + '\r\n';
  }

  /** finish_headers(): ends the header section (or a 1xx response) and flushes. */
  finishHeaders(): void {
    const st = this.st;
    if (st === 'headers_sent') return;
    if (st === 'finished') throw new HttpUsageError('Response has already been finished');
    if (st === 'init') throw new HttpUsageError('HTTP status has not been sent yet');
    if (st === 'info_status_sent') this.endInfo();
    else this.endHeaders();
    this.emit(false);
    this.sink.flush();
  }

  /** send_data(): body bytes or a latin1 string; ignored for HEAD. Ends the header section. */
  sendData(data: Uint8Array | string): void {
    const st = this.st;
    if (st === 'status_sent' || st === 'bodyless_status_sent') this.endHeaders();
    else if (st !== 'headers_sent') throw this.notReady(st, 'send response data');
    if (this.isHead) return;
    const len = data.length;
    if (len === 0) return;
    if (this.framing === NONE) throw new HttpUsageError('Cannot send response data for body-less status message');
    if (this.framing === LENGTH) {
      if (this.sent + len > this.declared) throw new HttpUsageError('Content length exceeded');
      this.sent += len;
    }
    this.pieces.push(data);
    this.pendingLength += len;
    if (this.pendingLength >= this.options.minimumOutputChunkSize) this.emit(false);
  }

  /** flush(): sends everything pending (a small chunk too) and flushes the sink. No-op when finished. */
  flush(): void {
    const st = this.st;
    if (st === 'finished') return;
    if (st === 'status_sent' || st === 'bodyless_status_sent') this.endHeaders();
    this.emit(false);
    this.sink.flush();
  }

  /**
   * finish(): completes the response (idempotent): the rest of the body, the
   * last chunk for chunked framing, then flushes. Throws "Content length not
   * used" (after writing what there is) when fewer bytes than declared were
   * sent; the connection must then be closed (closeConnection is true).
   */
  finish(): void {
    const st = this.st;
    if (st === 'finished') return;
    if (st === 'status_sent' || st === 'bodyless_status_sent') this.endHeaders();
    else if (st !== 'headers_sent') throw this.notReady(st, 'finish the response');
    const short = this.framing === LENGTH && !this.isHead && this.sent !== this.declared;
    this.st = 'finished';
    if (short) this.broken = true;
    this.emit(true);
    this.sink.flush();
    if (short) throw new HttpUsageError('Content length not used');
  }

  /** close_after_finish(): the response carries "Connection: close" and the connection ends after it. */
  closeAfterFinish(): void {
    if (this.st === 'headers_sent' || this.st === 'finished') {
      throw new HttpUsageError('All HTTP headers have already been sent');
    }
    this.appClose = true;
  }

  /**
   * Drops everything not yet given to the sink and ends this writer (state
   * finished, closeConnection true). For when a built-in error response
   * replaces this response (canSendErrorResponse was true).
   */
  abandon(): void {
    this.st = 'finished';
    this.broken = true;
    this.head = '';
    this.text = '';
    this.pieces = [];
    this.pendingLength = 0;
  }

  /** Moonbridge's messages for send_data() and finish() in the wrong state. */
  private notReady(st: ResponseState, what: 'send response data' | 'finish the response'): HttpUsageError {
    if (st === 'finished') return new HttpUsageError('Response has already been finished');
    if (st === 'info_status_sent') {
      return new HttpUsageError(what === 'finish the response'
        ? 'Informational HTTP response can be finished with :finish_headers() method'
        : 'No (non-informational) HTTP status has been sent yet');
    }
    return new HttpUsageError('HTTP status has not been sent yet');
  }

  /** Ends a 1xx response (HTTP/1.0 clients get none: RFC 9110, 15.2). */
  private endInfo(): void {
    if (this.version === '1.1') this.text += this.head + '\r\n';
    this.head = '';
    this.st = 'init';
  }

  /** Decides framing and persistence, adds their headers and queues the header block. */
  private endHeaders(): void {
    let head = this.head;
    let keepAlive = false;
    if (this.st === 'bodyless_status_sent') {
      this.framing = NONE;
    } else if (this.declared >= 0) {
      this.framing = LENGTH;
    } else if (this.version === '1.1') {
      this.framing = CHUNKED;
      head += 'Transfer-Encoding: chunked\r\n';
    } else {
      this.framing = RAW;
    }
    if (this.version === '1.1') {
      this.close = this.appClose || this.clientWantsClose;
    } else {
      keepAlive = !this.appClose && !this.clientWantsClose && this.clientWantsKeepAlive && this.framing !== RAW;
      this.close = !keepAlive;
    }
    if (this.close) {
      if (!this.appCloseHeader) head += 'Connection: close\r\n';
    } else if (keepAlive && !this.appKeepAliveHeader) {
      head += 'Connection: keep-alive\r\n';
    }
    this.text += head + '\r\n';
    this.head = '';
    this.decided = true;
    this.st = 'headers_sent';
  }

  /** Gives the sink what is due: queued text, the pending body (as one chunk), and the last chunk if final. */
  private emit(final: boolean): void {
    let pre = this.text;
    let post = '';
    const bodyLength = this.pendingLength;
    const chunked = this.framing === CHUNKED && !this.isHead;
    if (bodyLength > 0 && chunked) {
      pre += bodyLength.toString(16) + '\r\n';
      post = '\r\n';
    }
    if (final && chunked) post += '0\r\n\r\n';
    const total = pre.length + bodyLength + post.length;
    if (total === 0) return;
    const pieces = this.pieces;
    this.text = '';
    if (bodyLength > 0) {
      this.pieces = [];
      this.pendingLength = 0;
    }
    if (this.decided) this.finalWritten = true;
    const sink = this.sink;
    if (bodyLength === 0) {
      sink.write(pre + post);
    } else if (pre.length === 0 && post.length === 0 && pieces.length === 1) {
      sink.write(pieces[0]);
    } else if (total <= COALESCE_LIMIT) {
      const out = Buffer.allocUnsafe(total);
      let o = pre.length === 0 ? 0 : latin1Write.call(out, pre, 0);
      for (let i = 0; i < pieces.length; i++) {
        const p = pieces[i];
        if (typeof p === 'string') {
          o += latin1Write.call(out, p, o);
        } else {
          out.set(p, o);
          o += p.length;
        }
      }
      if (post.length > 0) latin1Write.call(out, post, o);
      sink.write(out);
    } else {
      if (pre.length > 0) sink.write(pre);
      for (let i = 0; i < pieces.length; i++) sink.write(pieces[i]);
      if (post.length > 0) sink.write(post);
    }
  }
}

/**
 * Writes Moonbridge's built-in error response (one write, then a flush):
 * chunked text/plain with "Connection: close" and the body "<status>\n" plus
 * "\n<text>\n".
 */
export function writeErrorResponse(sink: ResponseSink, staticHeaders: string[], status: string, text?: string): void {
  let head = 'HTTP/1.1 ' + status + '\r\n';
  for (const line of staticHeaders) head += line + '\r\n';
  const body = errorResponseBody(status, text);
  head += 'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  sink.write(head + body.length.toString(16) + '\r\n' + body + '\r\n0\r\n\r\n');
  sink.flush();
}
