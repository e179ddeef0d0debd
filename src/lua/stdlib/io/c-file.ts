/**
 * A C stdio stream (FILE*) over a file descriptor, for Lua's io library:
 * the read buffer with one byte of push-back (getc/ungetc), the write buffer
 * with C's three buffering modes, sticky end-of-file and error indicators
 * (cleared by clearerr and seek), fseek/ftell over the descriptor's offset,
 * and fclose. Behaves as glibc's streams do where Lua can tell: a write
 * after a read lands at the logical position, reading a directory fails
 * with EISDIR, a stream to a full pipe waits instead of losing data.
 *
 * Everything is synchronous: the native read/write calls block (via poll
 * when the descriptor is non-blocking); no event loop is involved.
 */
import { native } from '../../../native/binding';
import { errnoOf } from '../results';
import { waitFd } from '../../../io/fd-wait';

export type BufferMode = 'no' | 'full' | 'line';

/** LUAL_BUFFERSIZE: what Lua passes to setvbuf when no size is given. */
export const BUFFER_SIZE = 8192;
/** glibc's buffer for a stream: st_blksize, 4096 for files and pipes. */
const STREAM_BUFFER = 4096;
/** Chunk size for reading a whole file. */
const READ_ALL_CHUNK = 65536;

const NEWLINE = 10;

let nextId = 0x5a17e000;

export class CFile {
  /** The descriptor; -1 once closed. */
  fd: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** A distinct number per stream, shown by tostring as C shows the FILE pointer. */
  readonly id = (nextId += 0x1d8);
  /** The process that opened the stream (a worker closes its own files when it exits). */
  readonly ownerPid: number;
  /** The child of an io.popen stream, reaped by close. */
  childPid = 0;

  mode: BufferMode;
  bufferSize = STREAM_BUFFER;

  private rbuf: Buffer | null = null;
  private rpos = 0;
  private rend = 0;
  private wbuf: Buffer | null = null;
  private wlen = 0;

  /** feof(): set when a read hit the end; reads return EOF until clearerr. */
  eof = false;
  /** ferror(): the errno of the first failure since clearerr, 0 when none. */
  error = 0;

  constructor(fd: number, readable: boolean, writable: boolean, mode: BufferMode) {
    this.fd = fd;
    this.readable = readable;
    this.writable = writable;
    this.mode = mode;
    this.ownerPid = native().getpid();
  }

  clearerr(): void {
    this.eof = false;
    this.error = 0;
  }

  // ---------------------------------------------------------------- reading

  /** Bytes read ahead and not yet consumed. */
  get buffered(): number {
    return this.rend - this.rpos;
  }

  /**
   * One read(2) into buf[off, off+len): bytes read, 0 at end of file (which
   * sets eof), -1 on error (which sets error). Waits while the descriptor
   * would block; retries on EINTR.
   */
  private sysread(buf: Uint8Array, off: number, len: number): number {
    if (this.eof) return 0;
    if (!this.readable) {
      this.error ||= 9; // EBADF: C's fread on a write-only stream
      return -1;
    }
    const n = native();
    for (;;) {
      let r: number;
      try {
        r = n.read(this.fd, buf, off, len);
      } catch (err) {
        this.error ||= errnoOf(err);
        return -1;
      }
      if (r > 0) return r;
      if (r === 0) {
        this.eof = true;
        return 0;
      }
      if (r === -1) waitFd(this.fd, 'r', null);
    }
  }

  /** Refills the read buffer; false at end of file or on error. */
  private fill(): boolean {
    if (this.wlen > 0 && !this.flushWrites()) return false;
    if (this.rbuf === null) this.rbuf = Buffer.allocUnsafe(this.bufferSize + 1);
    // keep one byte before the data free for ungetc
    const r = this.sysread(this.rbuf, 1, this.rbuf.length - 1);
    if (r <= 0) return false;
    this.rpos = 1;
    this.rend = 1 + r;
    return true;
  }

  /** getc(): the next byte, or -1 at end of file or on error. */
  getc(): number {
    if (this.rpos < this.rend) return (this.rbuf as Buffer)[this.rpos++];
    if (!this.fill()) return -1;
    return (this.rbuf as Buffer)[this.rpos++];
  }

  /** ungetc(): pushes one byte back (no-op for -1, as in C). */
  ungetc(c: number): void {
    if (c < 0) return;
    if (this.rbuf === null) this.rbuf = Buffer.allocUnsafe(this.bufferSize + 1);
    if (this.rpos === 0) {
      // only after a seek or at the start: make room at the front
      this.rbuf.copy(this.rbuf, 1, this.rpos, this.rend);
      this.rend++;
      this.rpos = 1;
    }
    this.rbuf[--this.rpos] = c;
    this.eof = false;
  }

  /** fread() of up to n bytes: fewer only at end of file or on error. */
  read(n: number): Buffer {
    const parts: Buffer[] = [];
    let total = 0;
    while (total < n) {
      const avail = this.rend - this.rpos;
      if (avail > 0) {
        const take = Math.min(avail, n - total);
        parts.push(Buffer.from((this.rbuf as Buffer).subarray(this.rpos, this.rpos + take)));
        this.rpos += take;
        total += take;
        continue;
      }
      const want = n - total;
      if (want >= this.bufferSize) {
        if (this.wlen > 0 && !this.flushWrites()) break;
        const chunk = Buffer.allocUnsafe(Math.min(want, READ_ALL_CHUNK));
        const r = this.sysread(chunk, 0, chunk.length);
        if (r <= 0) break;
        parts.push(r === chunk.length ? chunk : chunk.subarray(0, r));
        total += r;
      } else if (!this.fill()) {
        break;
      }
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
  }

  /** Reads to the end of the file. */
  readAll(): Buffer {
    const parts: Buffer[] = [];
    let total = 0;
    if (this.rpos < this.rend) {
      parts.push(Buffer.from((this.rbuf as Buffer).subarray(this.rpos, this.rend)));
      total += this.rend - this.rpos;
      this.rpos = this.rend;
    }
    if (this.wlen > 0 && !this.flushWrites()) return Buffer.concat(parts, total);
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_ALL_CHUNK);
      const r = this.sysread(chunk, 0, chunk.length);
      if (r <= 0) break;
      parts.push(r === chunk.length ? chunk : chunk.subarray(0, r));
      total += r;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
  }

  /**
   * Reads a line: the bytes up to the next newline (included, when there is
   * one, unless chop). Returns null when nothing at all could be read.
   */
  readLine(chop: boolean): Buffer | null {
    const parts: Buffer[] = [];
    let total = 0;
    let newline = false;
    for (;;) {
      if (this.rpos >= this.rend && !this.fill()) break;
      const buf = this.rbuf as Buffer;
      const nl = buf.indexOf(NEWLINE, this.rpos);
      const end = nl >= 0 && nl < this.rend ? nl : this.rend;
      if (end > this.rpos) {
        parts.push(Buffer.from(buf.subarray(this.rpos, end)));
        total += end - this.rpos;
      }
      if (end < this.rend) {
        this.rpos = end + 1;
        newline = true;
        break;
      }
      this.rpos = this.rend;
    }
    if (newline && !chop) {
      parts.push(Buffer.from([NEWLINE]));
      total++;
    }
    if (!newline && total === 0) return null;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
  }

  // ---------------------------------------------------------------- writing

  /** Writes all of bytes to the descriptor; false (error set) on failure. */
  private syswrite(bytes: Uint8Array): boolean {
    if (!this.writable) {
      this.error ||= 9; // EBADF: C's fwrite on a read-only stream
      return false;
    }
    const n = native();
    let off = 0;
    while (off < bytes.length) {
      let w: number;
      try {
        w = n.write(this.fd, bytes, off, bytes.length - off);
      } catch (err) {
        this.error ||= errnoOf(err);
        return false;
      }
      if (w >= 0) off += w;
      else if (w === -1) waitFd(this.fd, 'w', null);
    }
    return true;
  }

  private flushWrites(): boolean {
    if (this.wlen === 0) return true;
    const pending = (this.wbuf as Buffer).subarray(0, this.wlen);
    this.wlen = 0;
    return this.syswrite(pending);
  }

  /**
   * Unread buffered input is given back to the descriptor (lseek back) so
   * that a write after a read lands at the logical position, as in glibc.
   */
  private dropReadAhead(): void {
    const unread = this.rend - this.rpos;
    this.rpos = this.rend = 0;
    if (unread > 0) {
      try {
        native().lseek(this.fd, -unread, native().constants.SEEK_CUR);
      } catch {
        // not seekable (a pipe): the read-ahead is lost, as with C streams
      }
    }
  }

  /** Bytes waiting in the write buffer. */
  get pendingOutput(): number {
    return this.wlen;
  }

  /**
   * fwrite() as glibc's _IO_new_file_xsputn: the buffer is filled, then
   * written out; of what is left, whole buffer-sized blocks go straight to
   * the descriptor and the remainder is buffered. A line-buffered stream
   * also writes out everything up to the last newline. False (error set)
   * on failure.
   */
  write(bytes: Uint8Array): boolean {
    if (!this.writable) {
      this.error ||= 9; // EBADF at once, as glibc's fwrite on a read-only stream
      return false;
    }
    if (this.rend > this.rpos) this.dropReadAhead();
    if (this.mode === 'no') return this.flushWrites() && this.syswrite(bytes);
    if (this.mode === 'line') {
      const nl = bytes.lastIndexOf(NEWLINE);
      if (nl >= 0) {
        if (!this.putBuffered(bytes.subarray(0, nl + 1)) || !this.flushWrites()) return false;
        return this.putBuffered(bytes.subarray(nl + 1));
      }
    }
    return this.putBuffered(bytes);
  }

  /** The fully buffered part of write(). */
  private putBuffered(bytes: Uint8Array): boolean {
    const size = this.bufferSize;
    if (this.wbuf === null || this.wbuf.length < size) {
      const grown = Buffer.allocUnsafe(size);
      if (this.wbuf !== null) this.wbuf.copy(grown, 0, 0, this.wlen);
      this.wbuf = grown;
    }
    const space = size - this.wlen;
    if (bytes.length <= space) {
      this.wbuf.set(bytes, this.wlen);
      this.wlen += bytes.length;
      return true;
    }
    this.wbuf.set(bytes.subarray(0, space), this.wlen);
    this.wlen = size;
    if (!this.flushWrites()) return false;
    const rest = bytes.subarray(space);
    const direct = size >= 128 ? rest.length - (rest.length % size) : rest.length;
    if (direct > 0 && !this.syswrite(rest.subarray(0, direct))) return false;
    this.wbuf.set(rest.subarray(direct), 0);
    this.wlen = rest.length - direct;
    return true;
  }

  /** fflush(): writes the buffer out; on an input stream gives back the read-ahead. */
  flush(): boolean {
    const ok = this.flushWrites();
    if (this.rend > this.rpos) {
      const unread = this.rend - this.rpos;
      try {
        native().lseek(this.fd, -unread, native().constants.SEEK_CUR);
        this.rpos = this.rend = 0;
      } catch {
        // not seekable: keep the read-ahead for the next read
      }
    }
    return ok;
  }

  // ---------------------------------------------------------------- positioning

  /**
   * fseek() + ftell(): moves to offset from whence ('set', 'cur', 'end')
   * and returns the new position, or throws an errno error.
   */
  seek(whence: 'set' | 'cur' | 'end', offset: number): number {
    const n = native();
    if (!this.flushWrites()) {
      const err = new Error('write failed') as Error & { errno: number };
      err.errno = this.error;
      throw err;
    }
    const c = n.constants;
    const unread = this.rend - this.rpos;
    let pos: number;
    if (whence === 'cur') {
      pos = n.lseek(this.fd, offset - unread, c.SEEK_CUR);
    } else {
      pos = n.lseek(this.fd, offset, whence === 'set' ? c.SEEK_SET : c.SEEK_END);
    }
    this.rpos = this.rend = 0;
    this.eof = false;
    return pos;
  }

  /**
   * setvbuf(f, NULL, mode, size) as glibc does it: the size is ignored (Lua
   * passes no buffer), "no" leaves the stream with glibc's one-byte buffer
   * for good (a later "full" or "line" only changes when that byte goes
   * out, so writes stay unbuffered), "full" and "line" keep the buffer.
   */
  setvbuf(mode: BufferMode): boolean {
    const ok = this.flushWrites();
    this.mode = mode;
    if (mode === 'no' && this.bufferSize !== 1) {
      this.bufferSize = 1;
      if (this.rend === this.rpos) this.rbuf = null;
    }
    return ok;
  }

  // ---------------------------------------------------------------- closing

  get closed(): boolean {
    return this.fd < 0;
  }

  /** fclose(): flushes and closes the descriptor. Returns 0 or the errno of the first failure. */
  close(): number {
    let err = 0;
    if (!this.flushWrites()) err = this.error;
    try {
      native().close(this.fd);
    } catch (e) {
      err ||= errnoOf(e);
    }
    this.fd = -1;
    this.rbuf = this.wbuf = null;
    this.rpos = this.rend = this.wlen = 0;
    return err;
  }
}

/** open(2) flags for a C fopen mode already checked as [rwa]+?b*. */
export function openFlags(mode: string): number {
  const c = native().constants;
  const update = mode.includes('+');
  switch (mode[0]) {
    case 'r': return update ? c.O_RDWR : c.O_RDONLY;
    case 'w': return (update ? c.O_RDWR : c.O_WRONLY) | c.O_CREAT | c.O_TRUNC;
    default: return (update ? c.O_RDWR : c.O_WRONLY) | c.O_CREAT | c.O_APPEND;
  }
}

/** fopen(): opens path (bytes, cut at a NUL as C would) with a checked mode; throws errno errors. */
export function fopen(path: Uint8Array, mode: string): CFile {
  const nul = path.indexOf(0);
  const name = nul >= 0 ? path.subarray(0, nul) : path;
  const fd = native().open(name, openFlags(mode), 0o666);
  const update = mode.includes('+');
  return new CFile(fd, mode[0] === 'r' || update, mode[0] !== 'r' || update, 'full');
}
