/**
 * One request/response exchange on a connection: the parsed request, its
 * body reader and the response writer, plus the lifecycle rules that tie
 * them together (100-continue, eager urlencoded bodies, draining).
 */
import { IoHandle } from '../io/handle';
import { BodyReader } from './body-reader';
import type { HttpError } from './errors';
import type { HttpOptions } from './options';
import type { RequestHead } from './request-head';
import type { RequestInfo } from './request-checks';
import { ResponseWriter, type ResponseSink } from './response-writer';
import { parseQuery } from './uri';

export class Exchange {
  readonly writer: ResponseWriter;
  readonly body: BodyReader;
  fresh = true;
  faulty = false;
  /** The whole body once read through request.body. */
  bodyBytes: Uint8Array | null = null;
  private postParams: Array<[string, string]> | null = null;
  private continueSent = false;
  private headerMap: Map<string, string[]> | null = null;

  constructor(
    readonly handle: IoHandle,
    readonly head: RequestHead,
    readonly info: RequestInfo,
    readonly options: HttpOptions,
    sink: ResponseSink,
    onBodyError: (ex: Exchange, err: HttpError) => void,
  ) {
    this.writer = new ResponseWriter(
      sink, head.method, head.version,
      { staticHeaders: options.staticHeaders, minimumOutputChunkSize: options.minimumOutputChunkSize },
      info.closeRequested, info.keepAliveRequested,
    );
    this.body = new BodyReader({
      handle,
      length: info.chunked ? -1 : info.bodyLength,
      bodySizeLimit: options.bodySizeLimit,
      stallTimeout: options.stallTimeout,
      beforeFirstRead: () => this.sendContinue(),
      onError: (err) => onBodyError(this, err),
    });
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

  get contentType(): string {
    const v = this.headers.get('content-type');
    return v === undefined ? '' : v[0].split(';')[0].trim().toLowerCase();
  }

  private sendContinue(): void {
    if (!this.info.expectContinue || this.continueSent || !this.writer.canSendErrorResponse) return;
    this.continueSent = true;
    let s = 'HTTP/1.1 100 Continue\r\n';
    for (const line of this.options.staticHeaders) s += line + '\r\n';
    this.handle.write([Buffer.from(s + '\r\n', 'latin1')], true);
    this.handle.flush();
  }

  /**
   * Before the final status goes out: a client waiting for "100 Continue"
   * that never got it may or may not send its body, so the connection cannot
   * be reused; an urlencoded body is read eagerly (as Moonbridge does).
   */
  beforeStatus(): void {
    this.fresh = false;
    if (this.body.done || this.body.begun) return;
    if (this.info.expectContinue) {
      this.writer.closeAfterFinish();
    } else if (this.contentType === 'application/x-www-form-urlencoded') {
      this.postFields();
    }
  }

  /** The whole body (read once, then cached). */
  readBody(): Uint8Array {
    this.fresh = false;
    if (this.bodyBytes === null) {
      if (this.body.begun && !this.body.done) {
        throw new Error('Request body has already been streamed, it cannot be read as request.body');
      }
      this.bodyBytes = this.body.readAll();
    }
    return this.bodyBytes;
  }

  /** POST fields of an urlencoded body; empty for other content types. */
  postFields(): Array<[string, string]> {
    let params = this.postParams;
    if (params === null) {
      if (this.contentType === 'application/x-www-form-urlencoded') {
        const body = this.readBody();
        params = parseQuery(Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1'));
      } else {
        params = [];
      }
      this.postParams = params;
    }
    return params;
  }

  /** Reads away whatever is left of the body (before the next request). */
  drainBody(): void {
    if (!this.body.done) this.body.drain();
  }

  /** Whether the unread rest of the body can be drained to keep the connection. */
  get bodyDrainable(): boolean {
    return this.body.done || this.body.begun || !this.info.expectContinue;
  }
}
