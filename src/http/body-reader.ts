/**
 * Reading a request body from the connection's handle: Content-Length or
 * chunked framing, bounded waits (stall_timeout), and the "100 Continue"
 * interim response sent when the handler first reads.
 */
import { IoHandle } from '../io/handle';
import { waitFd } from '../io/fd-wait';
import { ChunkedDecoder } from './chunked-decoder';
import { HttpError } from './errors';

export interface BodySource {
  handle: IoHandle;
  /** Content-Length, or -1 for chunked. */
  length: number;
  bodySizeLimit: number;
  stallTimeout: number | null;
  /** Sends "100 Continue" (once) before the first read, if the client asked for it. */
  beforeFirstRead: () => void;
  /** Told about a protocol error in the body (before it is thrown), to answer it. */
  onError: (err: HttpError) => void;
}

export class BodyReader {
  private remaining: number;
  private readonly decoder: ChunkedDecoder | null;
  private pendingChunks: Uint8Array[] = [];
  private started = false;
  done: boolean;

  constructor(private readonly src: BodySource) {
    this.remaining = src.length < 0 ? 0 : src.length;
    this.decoder = src.length < 0 ? new ChunkedDecoder(src.bodySizeLimit) : null;
    this.done = src.length === 0;
  }

  /** Whether reading has begun (then "100 Continue" has been sent if needed). */
  get begun(): boolean {
    return this.started;
  }

  /** Waits for more input; throws HttpError on EOF or stall. */
  private more(): void {
    const h = this.src.handle;
    for (;;) {
      const r = h.fill();
      if (r > 0) return;
      if (r === 0) throw new HttpError('400 Bad Request', 'Unexpected EOF while reading request body');
      const ready = waitFd(h.fd, 'r', this.src.stallTimeout);
      if (ready === 0) throw new HttpError('408 Request Timeout', 'Timeout while waiting for request body');
    }
  }

  /** The next piece of body data, at most max bytes (copied), or null at the end. */
  read(max: number): Uint8Array | null {
    try {
      return this.readPiece(max);
    } catch (err) {
      if (err instanceof HttpError) this.src.onError(err);
      throw err;
    }
  }

  private readPiece(max: number): Uint8Array | null {
    if (!this.started) {
      this.started = true;
      if (!this.done) this.src.beforeFirstRead();
    }
    const h = this.src.handle;
    for (;;) {
      if (this.pendingChunks.length > 0) {
        const head = this.pendingChunks[0];
        if (head.length <= max) {
          this.pendingChunks.shift();
          return head;
        }
        this.pendingChunks[0] = head.subarray(max);
        return head.subarray(0, max);
      }
      if (this.done) return null;
      const win = h.readWindow;
      if (win.end > win.start) {
        if (this.decoder === null) {
          const take = Math.min(win.end - win.start, this.remaining, max);
          const out = Uint8Array.prototype.slice.call(win.buffer.subarray(win.start, win.start + take)) as Uint8Array;
          h.consume(take);
          this.remaining -= take;
          if (this.remaining === 0) this.done = true;
          return out;
        }
        const res = this.decoder.decode(win.buffer, win.start, win.end);
        for (const d of res.data) this.pendingChunks.push(Uint8Array.prototype.slice.call(d) as Uint8Array);
        h.consume(res.consumed);
        if (res.done) this.done = true;
        if (this.pendingChunks.length > 0 || this.done) continue;
      }
      this.more();
    }
  }

  /** Reads and discards the rest of the body. */
  drain(): void {
    while (this.read(65536) !== null) { /* discard */ }
  }

  /** Reads the rest of the body into one buffer. */
  readAll(): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const piece = this.read(1 << 20);
      if (piece === null) break;
      parts.push(piece);
      total += piece.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
  }
}
