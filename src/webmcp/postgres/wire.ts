/**
 * Blocking message I/O on the PostgreSQL socket with the native addon: the
 * descriptor is non-blocking, and waiting is the native poll(2), so nothing
 * here ever returns to the Node event loop (the caller may be a Lua VM in a
 * forked worker). EINTR (-2 from the addon) is retried, as the blocking I/O
 * of src/io does. The read buffer grows to hold the longest message.
 */
import { native, isErrnoError } from '../../native/binding';
import { waitFd } from '../../io/fd-wait';
import { ProtocolError, type BackendMessage } from './messages';

/** A failure of the connection itself; the message is libpq's text for it (ending in a newline). */
export class WireError extends Error {}

export const EOF_MESSAGE =
  'server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n';

const INITIAL_SIZE = 16384;

/** Seconds left until deadline (monotonic seconds; null: no limit); throws WireError when passed. */
function remaining(deadline: number | null): number | null {
  if (deadline === null) return null;
  const left = deadline - native().monotonic();
  if (left <= 0) throw new WireError('timeout expired\n');
  return left;
}

/** Waits (bounded by deadline) until fd is ready for what; EINTR retried. */
export function waitReady(fd: number, what: 'r' | 'w', deadline: number | null): void {
  for (;;) {
    const ev = waitFd(fd, what, remaining(deadline));
    if (ev === -2) continue;
    if (ev === 0) {
      remaining(deadline); // throws once the deadline has passed
      continue;
    }
    return; // ready, or POLLERR/POLLHUP: the read or write that follows reports it
  }
}

export class Wire {
  private buf = Buffer.alloc(INITIAL_SIZE);
  private start = 0;
  private end = 0;

  constructor(readonly fd: number) {}

  /** The next complete message already read, or undefined. Throws ProtocolError on a bad length. */
  next(): BackendMessage | undefined {
    const have = this.end - this.start;
    if (have < 5) return undefined;
    const len = this.buf.readInt32BE(this.start + 1);
    if (len < 4) throw new ProtocolError(`invalid message length ${len} from the server`);
    const total = len + 1;
    if (have < total) {
      this.reserve(total);
      return undefined;
    }
    const type = String.fromCharCode(this.buf[this.start]);
    const body = this.buf.subarray(this.start + 5, this.start + total);
    this.start += total;
    if (this.start === this.end) this.start = this.end = 0;
    return { type, body };
  }

  /** Room for a message of total bytes from start: moves the unread bytes to the front, grows when still too small. */
  private reserve(total: number): void {
    if (this.buf.length - this.start >= total) return;
    const size = Math.max(total, this.buf.length);
    const target = size > this.buf.length ? Buffer.alloc(Math.max(size, this.buf.length * 2)) : this.buf;
    this.buf.copy(target, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.buf = target;
  }

  /** One read(2) into the free space; bytes read, 0 at EOF, -1 when it would block. Throws WireError. */
  private readOnce(): number {
    if (this.end === this.buf.length) this.reserve(this.end - this.start + INITIAL_SIZE);
    for (;;) {
      let r: number;
      try {
        r = native().read(this.fd, this.buf, this.end, this.buf.length - this.end);
      } catch (err) {
        throw new WireError(`could not receive data from server: ${isErrnoError(err) ? err.strerror : String(err)}\n`);
      }
      if (r === -2) continue;
      if (r > 0) this.end += r;
      return r;
    }
  }

  /** The next message, waiting (until deadline) for it. Throws WireError on EOF, error or timeout. */
  read(deadline: number | null): BackendMessage {
    for (;;) {
      const m = this.next();
      if (m !== undefined) return m;
      const r = this.readOnce();
      if (r === 0) throw new WireError(EOF_MESSAGE);
      if (r === -1) waitReady(this.fd, 'r', deadline);
    }
  }

  /** Reads whatever the socket holds now, without waiting. Throws WireError on EOF or error. */
  readAvailable(): void {
    for (;;) {
      const r = this.readOnce();
      if (r === 0) throw new WireError(EOF_MESSAGE);
      if (r === -1) return;
    }
  }

  /** Writes all of bytes, waiting (until deadline) while the socket buffer is full. Throws WireError. */
  write(bytes: Uint8Array, deadline: number | null): void {
    const n = native();
    let off = 0;
    while (off < bytes.length) {
      let w: number;
      try {
        w = n.write(this.fd, bytes, off, bytes.length - off);
      } catch (err) {
        throw new WireError(`could not send data to server: ${isErrnoError(err) ? err.strerror : String(err)}\n`);
      }
      if (w >= 0) off += w;
      else if (w === -1) waitReady(this.fd, 'w', deadline);
      // -2 (EINTR): retry
    }
  }
}
