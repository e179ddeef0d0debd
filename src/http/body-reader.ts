/**
 * The framing of a request body on the connection's handle: Content-Length
 * or chunked. Never waits: tryRead returns BLOCKED when no more input is
 * available now, and the exchange decides how to wait (see driver.ts).
 */
import { IoError, IoHandle } from '../io/handle';
import { ChunkedDecoder } from './chunked-decoder';
import { HttpError } from './errors';
import { noteExternalAllocation } from '../io/external-memory';

/** tryRead: no body data available without waiting. */
export const BLOCKED = 0;

/** One non-blocking read of request input (h.fill()); a read error is Moonbridge's 400 "Read error". */
export function fillRequest(h: IoHandle): number {
  try {
    return h.fill();
  } catch (err) {
    if (err instanceof IoError) throw new HttpError('400 Bad Request', 'Read error');
    throw err;
  }
}

export class BodyReader {
  private remaining: number;
  private readonly decoder: ChunkedDecoder | null;
  private pendingChunks: Uint8Array[] = [];
  private started = false;
  done: boolean;

  /** length: Content-Length, or -1 for chunked. */
  constructor(private readonly handle: IoHandle, length: number, bodySizeLimit: number) {
    this.remaining = length < 0 ? 0 : length;
    this.decoder = length < 0 ? new ChunkedDecoder(bodySizeLimit) : null;
    this.done = length === 0;
  }

  /** Whether reading has begun. */
  get begun(): boolean {
    return this.started;
  }

  /**
   * The next piece of body data (at most max bytes, a copy the caller owns),
   * null at the end of the body, or BLOCKED. Throws HttpError for a framing
   * error, EOF or a read error in the middle of the body.
   */
  tryRead(max: number): Uint8Array | null | typeof BLOCKED {
    this.started = true;
    const h = this.handle;
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
          noteExternalAllocation(take);
          this.remaining -= take;
          if (this.remaining === 0) this.done = true;
          return out;
        }
        const res = this.decoder.decode(win.buffer, win.start, win.end);
        for (const d of res.data) {
          this.pendingChunks.push(Uint8Array.prototype.slice.call(d) as Uint8Array);
          noteExternalAllocation(d.length);
        }
        h.consume(res.consumed);
        if (res.done) this.done = true;
        if (this.pendingChunks.length > 0 || this.done) continue;
      }
      const r = fillRequest(h);
      if (r === 0) throw new HttpError('400 Bad Request', 'Unexpected EOF');
      if (r < 0) return BLOCKED;
    }
  }
}
