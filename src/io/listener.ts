/**
 * Listeners of moonbridge_io.tcplisten / locallisten: a non-blocking
 * listening descriptor. accept() waits with poll(2) (retrying after signals,
 * as Moonbridge's accept loop does), acceptNb() returns null when no
 * connection is pending. Closing a Unix-socket listener leaves the socket
 * file (the reference; Moonbridge 1.0.1 unlinks it, see COMPATIBILITY.md).
 */
import { native } from '../native/binding';
import { waitFd } from './fd-wait';
import { IoUsageError, ioErrorMessage } from './errors';
import { ConnectError } from './connect';

export type ListenerKind = 'tcp' | 'unix';

export class Listener {
  fd: number;
  readonly kind: ListenerKind;
  /** Called once when the listener is closed (resource bookkeeping). */
  onRelease: (() => void) | null = null;

  constructor(fd: number, kind: ListenerKind) {
    this.fd = fd;
    this.kind = kind;
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  private checkOpen(): void {
    if (this.fd < 0) throw new IoUsageError('Attempt to use a closed listener');
  }

  /** One accept4 (non-blocking, close-on-exec). Returns the fd, or -1 when none is pending. Throws ConnectError. */
  private tryAccept(): number {
    for (;;) {
      let fd: number;
      try {
        fd = native().accept(this.fd, true);
      } catch (err) {
        throw new ConnectError(ioErrorMessage(err));
      }
      if (fd !== -2) return fd;
    }
  }

  /** Blocks until a connection arrives; returns its fd. Throws ConnectError on I/O errors. */
  accept(): number {
    this.checkOpen();
    for (;;) {
      const fd = this.tryAccept();
      if (fd >= 0) return fd;
      waitFd(this.fd, 'r', null);
    }
  }

  /** A pending connection's fd, or -1. Throws ConnectError on I/O errors. */
  acceptNb(): number {
    this.checkOpen();
    return this.tryAccept();
  }

  /** Closes the listening socket (a Unix socket's file stays). */
  close(): void {
    if (this.fd < 0) throw new IoUsageError('Attempt to close a closed listener');
    this.release();
  }

  /** Closes if open; never throws. */
  release(): void {
    if (this.fd >= 0) {
      try {
        native().close(this.fd);
      } catch {
        // the descriptor is gone either way
      }
      this.fd = -1;
    }
    const done = this.onRelease;
    this.onRelease = null;
    done?.();
  }
}
