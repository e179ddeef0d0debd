/**
 * An I/O handle of moonbridge_io: a file descriptor (normally non-blocking)
 * with a read buffer and a write queue kept in JS. Blocking operations wait
 * with poll(2); non-blocking ones return "block". Lua strings are immutable
 * byte arrays, so queued writes keep references instead of copying.
 */
import { native } from '../native/binding';
import { waitFd } from './fd-wait';
import { IoUsageError, ioErrorMessage } from './errors';

export type ReadStatus = 'term' | 'maxlen' | 'eof' | 'block';

export interface ReadResult {
  /** The bytes read (null when discarding). */
  data: Uint8Array | null;
  /** Number of bytes read or drained. */
  length: number;
  status: ReadStatus;
}

export type HandleKind = 'tcp' | 'unix' | 'pipe';

const INITIAL_READ_BUFFER = 16384;
/** Queued output above this is pushed to the kernel during write(). */
const WRITE_HIGH_WATER = 65536;
/** write_nb reports 0 while no more than this is left queued (Moonbridge's C buffer size). */
const WRITE_BUFFER_SIZE = 4096;

const EMPTY = new Uint8Array(0);

/** Raised by fill() and the write paths on an I/O error; carries the strerror text. */
export class IoError extends Error {}

export class IoHandle {
  fd: number;
  readonly kind: HandleKind;
  /** Name for messages ("socket", "stdin"...). */
  readonly label: string;

  private rbuf: Buffer = Buffer.allocUnsafe(INITIAL_READ_BUFFER);
  private rstart = 0;
  private rend = 0;
  /** EOF simulated after finish() on non-TCP handles, or seen on a pipe. */
  private eofSimulated = false;
  private readError: string | null = null;

  private wqueue: Uint8Array[] = [];
  private wqueued = 0;
  private writeError: string | null = null;
  /** TCP_CORK is on: set while queued data is being written, cleared once all of it is out (as Moonbridge does). */
  private corked = false;

  finished = false;
  closed = false;
  /** Called once when the handle is closed or reset (resource bookkeeping of handles moonbridge_io opened). */
  onRelease: (() => void) | null = null;

  constructor(fd: number, kind: HandleKind, label = 'I/O handle') {
    this.fd = fd;
    this.kind = kind;
    this.label = label;
  }

  // ---------------------------------------------------------------- reading

  /** Bytes waiting in the read buffer. */
  get buffered(): number {
    return this.rend - this.rstart;
  }

  /** Whether a read would return at once (buffered data or simulated EOF). */
  get readReady(): boolean {
    return this.rend > this.rstart || this.eofSimulated;
  }

  /** The read buffer and the window of unread bytes in it (for parsers working in place). */
  get readWindow(): { buffer: Buffer; start: number; end: number } {
    return { buffer: this.rbuf, start: this.rstart, end: this.rend };
  }

  /** Marks n buffered bytes as consumed. */
  consume(n: number): void {
    this.rstart += n;
    if (this.rstart === this.rend) this.rstart = this.rend = 0;
  }

  /**
   * One non-blocking read(2) appending to the buffer. Returns the number of
   * bytes added, 0 at EOF, -1 if it would block. Throws IoError.
   */
  fill(): number {
    this.checkReadable();
    if (this.readError !== null) throw new IoError('Previous read error');
    if (this.eofSimulated) return 0;
    if (this.rstart === this.rend) {
      this.rstart = this.rend = 0;
    } else if (this.rbuf.length - this.rend < 4096) {
      const pending = this.rend - this.rstart;
      if (this.rstart > 0 && pending <= this.rbuf.length / 2) {
        this.rbuf.copy(this.rbuf, 0, this.rstart, this.rend);
      } else {
        const bigger = Buffer.allocUnsafe(this.rbuf.length * 2);
        this.rbuf.copy(bigger, 0, this.rstart, this.rend);
        this.rbuf = bigger;
      }
      this.rstart = 0;
      this.rend = pending;
    }
    for (;;) {
      let r: number;
      try {
        r = native().read(this.fd, this.rbuf, this.rend, this.rbuf.length - this.rend);
      } catch (err) {
        this.readError = ioErrorMessage(err);
        throw new IoError(this.readError);
      }
      if (r === -2) continue;
      if (r > 0) this.rend += r;
      return r;
    }
  }

  /**
   * read/drain. maxlen null = unlimited, term -1 = no terminator. With
   * blocking false, returns status "block" when no more data is available
   * now. Throws IoError on I/O errors, IoUsageError on misuse.
   */
  read(maxlen: number | null, term: number, blocking: boolean, discard: boolean): ReadResult {
    this.checkReadable();
    if (this.readError !== null) throw new IoError('Previous read error');
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const avail = this.rend - this.rstart;
      if (avail > 0) {
        let take = maxlen === null ? avail : Math.min(avail, maxlen - total);
        let termFound = false;
        if (term >= 0) {
          const idx = this.rbuf.indexOf(term, this.rstart);
          if (idx >= 0 && idx < this.rstart + take) {
            take = idx - this.rstart + 1;
            termFound = true;
          }
        }
        if (!discard) parts.push(this.rbuf.subarray(this.rstart, this.rstart + take));
        total += take;
        this.consume(take);
        if (termFound) return this.result(parts, total, 'term', discard);
        if (maxlen !== null && total >= maxlen) return this.result(parts, total, 'maxlen', discard);
      } else if (maxlen !== null && total >= maxlen) {
        return this.result(parts, total, 'maxlen', discard);
      }
      // Copy out what was taken before the buffer is reused by fill().
      if (parts.length > 0 && !discard) {
        const joined = parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts);
        parts.length = 0;
        parts.push(joined);
      }
      const r = this.fill();
      if (r === 0) return this.result(parts, total, 'eof', discard);
      if (r === -1) {
        if (!blocking) return this.result(parts, total, 'block', discard);
        waitFd(this.fd, 'r', null);
      }
    }
  }

  private result(parts: Uint8Array[], total: number, status: ReadStatus, discard: boolean): ReadResult {
    if (discard) return { data: null, length: total, status };
    let data: Uint8Array;
    if (parts.length === 0) data = EMPTY;
    else if (parts.length === 1) data = Uint8Array.prototype.slice.call(parts[0]);
    else data = Buffer.concat(parts);
    return { data, length: total, status };
  }

  // ---------------------------------------------------------------- writing

  /** Bytes queued and not yet given to the kernel. */
  get queued(): number {
    return this.wqueued;
  }

  /** Queues data. Blocking writes push the queue out once it grows past a high-water mark. */
  write(chunks: Uint8Array[], blocking: boolean): void {
    this.checkWritable();
    if (this.writeError !== null) throw new IoError('Previous write error');
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.wqueue.push(chunk);
      this.wqueued += chunk.length;
    }
    if (this.wqueued >= WRITE_HIGH_WATER) {
      if (blocking) this.flush();
      else this.flushNb();
    } else if (!blocking && this.wqueued >= WRITE_BUFFER_SIZE) {
      this.flushNb();
    }
  }

  /** write_nb's result: 0 when at most a buffer's worth is left queued. */
  get writeNbResult(): number {
    return this.wqueued <= WRITE_BUFFER_SIZE ? 0 : this.wqueued;
  }

  /** Writes as much as the kernel takes now. Returns the bytes still queued. Throws IoError. */
  flushNb(): number {
    this.checkWritable();
    if (this.writeError !== null) throw new IoError('Previous write error');
    const n = native();
    if (this.kind === 'tcp' && this.wqueued > 0 && !this.corked) this.setCork(true);
    while (this.wqueued > 0) {
      let w: number;
      try {
        w = this.wqueue.length === 1
          ? n.write(this.fd, this.wqueue[0], 0, this.wqueue[0].length)
          : n.writev(this.fd, this.wqueue);
      } catch (err) {
        this.writeError = ioErrorMessage(err);
        this.wqueue = [];
        this.wqueued = 0;
        throw new IoError(this.writeError);
      }
      if (w === -2) continue;
      if (w === -1) break;
      this.dequeue(w);
    }
    // everything is out: uncorking sends the last partial segment at once
    if (this.corked && this.wqueued === 0) this.setCork(false);
    return this.wqueued;
  }

  /** TCP_CORK on or off; a socket that refuses it (already reset) just is not corked. */
  private setCork(on: boolean): void {
    try {
      const n = native();
      n.setsockoptInt(this.fd, n.constants.IPPROTO_TCP, n.constants.TCP_CORK, on ? 1 : 0);
      this.corked = on;
    } catch {
      this.corked = false;
    }
  }

  /** Writes everything queued, waiting as needed. Throws IoError. */
  flush(): void {
    while (this.flushNb() > 0) waitFd(this.fd, 'w', null);
  }

  private dequeue(written: number): void {
    this.wqueued -= written;
    let i = 0;
    while (written > 0) {
      const head = this.wqueue[i];
      if (written >= head.length) {
        written -= head.length;
        i++;
      } else {
        this.wqueue[i] = head.subarray(written);
        written = 0;
      }
    }
    if (i > 0) this.wqueue.splice(0, i);
  }

  // ---------------------------------------------------------------- ending

  /** Flushes and half-closes: FIN for TCP; other handles close and simulate EOF. Throws IoError. */
  finish(): void {
    if (this.closed) throw new IoUsageError('Attempt to finish a closed I/O handle');
    if (this.finished) throw new IoUsageError('Attempt to finish a finished I/O handle');
    try {
      this.flush();
    } finally {
      this.finished = true;
    }
    if (this.kind === 'tcp') {
      try {
        native().shutdown(this.fd, native().constants.SHUT_WR);
      } catch (err) {
        throw new IoError(ioErrorMessage(err));
      }
    } else {
      this.closeFd();
      this.eofSimulated = true;
    }
  }

  /** Flushes, then closes gracefully (lingering off: FIN, not RST). Throws IoError after closing. */
  close(): void {
    if (this.closed) throw new IoUsageError('Attempt to close a closed I/O handle');
    let failure: string | null = null;
    if (!this.finished && this.writeError === null) {
      try {
        this.flush();
      } catch (err) {
        failure = err instanceof IoError ? err.message : ioErrorMessage(err);
      }
    }
    if (this.fd >= 0 && this.kind === 'tcp') {
      try {
        native().setLinger(this.fd, false, 0);
      } catch {
        // The peer may already be gone; closing still works.
      }
    }
    this.release();
    if (failure !== null) throw new IoError(failure);
  }

  /** Closes without flushing; TCP sockets keep SO_LINGER {on, 0}, so the peer sees RST. */
  reset(): void {
    if (this.closed) throw new IoUsageError('Attempt to reset a closed I/O handle');
    if (this.fd >= 0 && this.kind === 'tcp') {
      try {
        native().setLinger(this.fd, true, 0);
      } catch {
        // Best effort: the descriptor is closed below either way.
      }
    }
    this.release();
  }

  private release(): void {
    this.closeFd();
    this.closed = true;
    this.wqueue = [];
    this.wqueued = 0;
    this.rstart = this.rend = 0;
    const done = this.onRelease;
    this.onRelease = null;
    done?.();
  }

  private closeFd(): void {
    if (this.fd >= 0) {
      try {
        native().close(this.fd);
      } catch {
        // EBADF/EINTR on close: the descriptor is gone either way.
      }
      this.fd = -1;
    }
  }

  private checkReadable(): void {
    if (this.closed) throw new IoUsageError('Attempt to read from a closed I/O handle');
  }

  private checkWritable(): void {
    if (this.closed) throw new IoUsageError('Attempt to write to a closed I/O handle');
    if (this.finished) throw new IoUsageError('Attempt to write to a finished I/O handle');
  }
}
