/**
 * Blocking on one file descriptor with the native poll(2), and writing a whole
 * buffer to a descriptor that may be non-blocking. Used by workers and the
 * master, which never return to the Node event loop.
 */
import { native } from '../native/binding';

const fds = new Int32Array(1);
const events = new Int16Array(1);
const revents = new Int16Array(1);

/**
 * Waits until fd is ready for `what` ('r' or 'w'), or the timeout (seconds,
 * null = forever) passes. Returns the poll revents (0 on timeout), or -2 if a
 * signal interrupted the wait.
 */
export function waitFd(fd: number, what: 'r' | 'w', timeout: number | null): number {
  const n = native();
  fds[0] = fd;
  events[0] = what === 'r' ? n.constants.POLLIN : n.constants.POLLOUT;
  revents[0] = 0;
  const ms = timeout === null ? -1 : Math.max(0, Math.ceil(timeout * 1000));
  const ready = n.poll(fds, events, revents, 1, ms);
  if (ready === -2) return -2;
  return ready === 0 ? 0 : revents[0];
}

/** Writes all of bytes to fd, blocking (via poll) when the descriptor is non-blocking. Throws errno errors. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  const n = native();
  let off = 0;
  while (off < bytes.length) {
    const w = n.write(fd, bytes, off, bytes.length - off);
    if (w >= 0) off += w;
    else if (w === -1) waitFd(fd, 'w', null);
    // -2 (EINTR): retry
  }
}
