/**
 * Framing one HTTP response: status line, static and application headers,
 * then the automatic framing headers; the body as chunks of at least
 * minimumOutputChunkSize bytes (chunked), as declared (Content-Length) or raw
 * (HTTP/1.0 without a length, closing the connection). Output goes to a sink
 * that queues it; the sink is flushed at finish_headers, flush and finish.
 */
import { HttpUsageError, errorResponseBody } from './errors';

export interface ResponseSink {
  /** Queues bytes, or a latin1 string (one char per byte). */
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
 * init: no final status yet; info: a 1xx status line and its headers are
 * being assembled; status: a final status line and its headers are being
 * assembled; headers: the header block is out, the body may follow;
 * finished: the response is complete.
 */
export type ResponseState = 'init' | 'info' | 'status' | 'headers' | 'finished';

type Framing = 'none' | 'chunked' | 'length' | 'raw';

const EMPTY_BODY_STATUS = new Set([204, 304]);

export class ResponseWriter {
  private stateValue: ResponseState = 'init';
  private head = '';
  private code = 0;
  private declaredLength: number | null = null;
  private sentLength = 0;
  private framing: Framing = 'none';
  private appClose = false;
  private close = false;
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** Protocol text (header block, chunk framing) not yet given to the sink: one conversion per run. */
  private text = '';
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
    return this.stateValue;
  }

  /** True if the connection must be closed after this response. */
  get closeConnection(): boolean {
    if (this.stateValue === 'headers' || this.stateValue === 'finished') return this.close;
    return this.appClose || this.clientWantsClose || this.version === '1.0';
  }

  /** Nothing of the final response has been written: a built-in error response may still be sent. */
  get canSendErrorResponse(): boolean {
    return this.stateValue !== 'headers' && this.stateValue !== 'finished';
  }

  sendStatus(status: string): void {
    if (this.stateValue === 'info') this.writeInfo();
    if (this.stateValue !== 'init') {
      throw new HttpUsageError(this.stateValue === 'finished'
        ? 'Response has already been finished' : 'HTTP status has already been sent');
    }
    const m = /^([1-9][0-9][0-9])( |$)/.exec(status);
    if (m === null) throw new HttpUsageError(`Invalid HTTP status "${status}" (expected a 3-digit code and a reason, e.g. "200 OK")`);
    this.code = Number(m[1]);
    let head = `HTTP/1.1 ${status}\r\n`;
    for (const line of this.options.staticHeaders) head += line + '\r\n';
    this.head = head;
    if (this.code < 200 && this.code !== 101) {
      this.stateValue = 'info';
      return;
    }
    this.stateValue = 'status';
    if (this.code === 205) {
      this.head += 'Content-Length: 0\r\n';
      this.declaredLength = 0;
    }
  }

  sendHeader(key: string, value: string): void {
    if (this.stateValue === 'init') throw new HttpUsageError('HTTP status has not been sent yet');
    if (this.stateValue === 'headers' || this.stateValue === 'finished') {
      throw new HttpUsageError('All HTTP headers have already been sent');
    }
    const lower = key.toLowerCase();
    if (lower === 'content-length') {
      if (this.stateValue === 'info') throw new HttpUsageError('Content-Length header not allowed in informational (1xx) response');
      const trimmed = value.trim();
      if (!/^[0-9]+$/.test(trimmed)) throw new HttpUsageError(`Invalid Content-Length header value "${value}"`);
      if (this.declaredLength !== null) throw new HttpUsageError('Content-Length header has already been sent');
      this.declaredLength = Number(trimmed);
    } else if (lower === 'connection') {
      const close = value.split(',').some((item) => item.trim().toLowerCase() === 'close');
      if (close) {
        if (this.stateValue === 'info') throw new HttpUsageError('"Connection: close" not allowed in informational (1xx) response');
        this.appClose = true;
      }
    }
    this.head += `${key}: ${value}\r\n`;
  }

  /** finish_headers(): ends the header block and flushes. */
  finishHeaders(): void {
    if (this.stateValue === 'headers') return;
    if (this.stateValue === 'info') {
      this.writeInfo();
      this.push();
      return;
    }
    this.endHeaders();
    this.push();
  }

  /** send_data(): body bytes (ignored for HEAD). */
  sendData(data: Uint8Array | string): void {
    if (this.stateValue !== 'headers') this.endHeaders();
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (bytes.length === 0 || this.isHead) return;
    if (this.framing === 'none') {
      throw new HttpUsageError(`A response with status ${this.code} cannot have a body`);
    }
    if (this.framing === 'length') {
      if (this.sentLength + bytes.length > (this.declaredLength as number)) throw new HttpUsageError('Content length exceeded');
      this.sentLength += bytes.length;
    }
    this.pending.push(bytes);
    this.pendingLength += bytes.length;
    if (this.pendingLength >= this.options.minimumOutputChunkSize) this.emitPending();
  }

  /** flush(): sends what is pending, even a small chunk. */
  flush(): void {
    if (this.stateValue === 'finished') throw new HttpUsageError('Response has already been finished');
    if (this.stateValue === 'status') this.endHeaders();
    if (this.stateValue === 'headers') this.emitPending();
    this.push();
  }

  /** finish(): completes the response (idempotent). */
  finish(): void {
    if (this.stateValue === 'finished') return;
    if (this.stateValue === 'init' || this.stateValue === 'info') {
      throw new HttpUsageError('HTTP status has not been sent (a final status is needed before the response can be finished)');
    }
    if (this.stateValue === 'status') this.endHeaders();
    this.emitPending();
    if (this.framing === 'chunked' && !this.isHead) this.out('0\r\n\r\n');
    if (this.framing === 'length' && !this.isHead && this.sentLength !== this.declaredLength) {
      this.stateValue = 'finished';
      this.flushText();
      throw new HttpUsageError('Content length not used');
    }
    this.stateValue = 'finished';
    this.push();
  }

  /** close_after_finish(): answer with "Connection: close" and end the connection. */
  closeAfterFinish(): void {
    if (this.stateValue === 'headers' || this.stateValue === 'finished') {
      throw new HttpUsageError('Cannot close connection after finish: HTTP headers have already been sent');
    }
    this.appClose = true;
  }

  /** Queues protocol text. */
  private out(s: string): void {
    this.text += s;
  }

  /** Queues body bytes after any pending text. */
  private outBytes(b: Uint8Array): void {
    this.flushText();
    this.sink.write(b);
  }

  private flushText(): void {
    if (this.text !== '') {
      this.sink.write(this.text);
      this.text = '';
    }
  }

  /** Gives everything to the sink and pushes it out. */
  private push(): void {
    this.flushText();
    this.sink.flush();
  }

  private writeInfo(): void {
    this.out(this.head + '\r\n');
    this.head = '';
    this.stateValue = 'init';
  }

  /** Adds the framing headers and queues the header block. */
  private endHeaders(): void {
    if (this.stateValue === 'init' || this.stateValue === 'info') throw new HttpUsageError('HTTP status has not been sent yet');
    if (this.stateValue === 'finished') throw new HttpUsageError('Response has already been finished');
    let head = this.head;
    const bodyless = this.code === 101 || EMPTY_BODY_STATUS.has(this.code);
    let keepAlive = false;
    if (bodyless) {
      this.framing = 'none';
    } else if (this.declaredLength !== null) {
      this.framing = 'length';
    } else if (this.version === '1.1') {
      this.framing = 'chunked';
      head += 'Transfer-Encoding: chunked\r\n';
    } else {
      this.framing = 'raw';
    }
    if (this.version === '1.1') {
      this.close = this.appClose || this.clientWantsClose;
    } else {
      keepAlive = !this.appClose && this.clientWantsKeepAlive && this.framing !== 'raw';
      this.close = !keepAlive;
    }
    if (this.close) head += 'Connection: close\r\n';
    else if (keepAlive) head += 'Connection: keep-alive\r\n';
    this.out(head + '\r\n');
    this.head = '';
    this.stateValue = 'headers';
  }

  private emitPending(): void {
    if (this.pendingLength === 0) return;
    if (this.framing === 'chunked') {
      this.out(`${this.pendingLength.toString(16)}\r\n`);
      for (const piece of this.pending) this.outBytes(piece);
      this.out('\r\n');
    } else {
      for (const piece of this.pending) this.outBytes(piece);
    }
    this.pending = [];
    this.pendingLength = 0;
  }
}

/**
 * Writes Moonbridge's built-in error response: chunked text/plain with
 * "Connection: close" and the body "<status>\n" plus "\n<text>\n".
 */
export function writeErrorResponse(sink: ResponseSink, staticHeaders: string[], status: string, text?: string): void {
  let head = `HTTP/1.1 ${status}\r\n`;
  for (const line of staticHeaders) head += line + '\r\n';
  const body = Buffer.from(errorResponseBody(status, text), 'utf8');
  head += 'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  head += `${body.length.toString(16)}\r\n`;
  sink.write(head);
  sink.write(body);
  sink.write('\r\n0\r\n\r\n');
  sink.flush();
}
