/**
 * Process-wide stdio for the server. Neither the master nor a forked worker
 * may use Node's libuv stdio streams: a worker never returns to the event loop
 * (queued async writes would be lost), and opening process.stdout as a libuv
 * pipe switches the shared descriptor to O_NONBLOCK (writes then fail with
 * EAGAIN). So process.stdout/stderr are replaced by synchronous writers on
 * fds 1 and 2 before anything (Fengari included) touches them.
 */
import { writeAll } from '../io/fd-wait';
import { native } from '../native/binding';

interface SyncStream {
  fd: number;
  isTTY: boolean;
  write(chunk: string | Uint8Array, encoding?: BufferEncoding | (() => void), cb?: () => void): boolean;
  end(): void;
  on(): SyncStream;
  once(): SyncStream;
  removeListener(): SyncStream;
}

function syncStream(fd: number): SyncStream {
  const stream: SyncStream = {
    fd,
    isTTY: native().isatty(fd),
    write(chunk, encoding, cb) {
      const bytes = typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
        : chunk;
      try {
        writeAll(fd, bytes);
      } catch {
        // A closed stdout/stderr must not take the server down (EPIPE, EBADF).
      }
      const done = typeof encoding === 'function' ? encoding : cb;
      if (done) done();
      return true;
    },
    end() { /* nothing buffered */ },
    on() { return stream; },
    once() { return stream; },
    removeListener() { return stream; },
  };
  return stream;
}

/** Installs the synchronous stdout/stderr. Idempotent. */
export function installSyncStdio(): void {
  for (const [name, fd] of [['stdout', 1], ['stderr', 2]] as const) {
    const stream = syncStream(fd);
    Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
  }
  const stdin = { fd: 0, isTTY: native().isatty(0) };
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => stdin });
}
