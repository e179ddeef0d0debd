/**
 * Relays a worker's stderr (the master's end of a socketpair) into the log,
 * line by line, each prefixed "[Pool #N, PID P] ". Lines longer than 1024
 * bytes are cut and marked.
 */
import { native } from '../native/binding';
import type { Logger } from './log';

const MAX_LINE = 1024;
const chunk = Buffer.allocUnsafe(65536);

export class StderrRelay {
  fd: number;
  private pending: Buffer = Buffer.alloc(0);
  /** Set while the rest of an over-long line is being skipped. */
  private skipping = false;

  constructor(fd: number, private readonly prefix: string, private readonly logger: Logger) {
    this.fd = fd;
  }

  get open(): boolean {
    return this.fd >= 0;
  }

  /** Reads what is available; at EOF logs the unterminated rest and closes. */
  read(): void {
    const n = native();
    for (;;) {
      let r: number;
      try {
        r = n.read(this.fd, chunk, 0, chunk.length);
      } catch {
        r = 0;
      }
      if (r === -2) continue;
      if (r === -1) return;
      if (r === 0) {
        if (this.pending.length > 0 && !this.skipping) this.emit(this.pending);
        this.pending = Buffer.alloc(0);
        n.close(this.fd);
        this.fd = -1;
        return;
      }
      this.consume(chunk.subarray(0, r));
    }
  }

  /** In a forked child: forget the descriptor (closing the child's copy). */
  closeInChild(): void {
    if (this.fd >= 0) {
      try {
        native().close(this.fd);
      } catch {
        // already closed
      }
      this.fd = -1;
    }
  }

  private consume(data: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) break;
      if (!this.skipping) this.emit(buf.subarray(0, nl));
      this.skipping = false;
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > MAX_LINE && !this.skipping) {
      this.emit(buf.subarray(0, MAX_LINE), true);
      this.skipping = true;
      buf = buf.subarray(buf.length);
    }
    this.pending = this.skipping ? Buffer.alloc(0) : Buffer.from(buf);
  }

  private emit(line: Buffer, truncated = false): void {
    let text = line.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (line.length > MAX_LINE) {
      text = line.subarray(0, MAX_LINE).toString('utf8');
      truncated = true;
    }
    this.logger.warning(this.prefix + text + (truncated ? ' (line has been truncated)' : ''));
  }
}
