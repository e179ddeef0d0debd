/**
 * The native addon's raw interface (native/*.cc). Thin, synchronous POSIX
 * wrappers: syscalls in, results out. No policy lives here; argument checking
 * and policy live in the TypeScript modules that use it.
 *
 * Error convention: a failing syscall throws an Error whose `errno` is the
 * positive errno number, `code` the errno name ("ECONNRESET"), `syscall` the
 * call's name and `strerror` the C library's text ("Connection reset by
 * peer"); the message is "<syscall>: <strerror>". The expected "would block"
 * and "interrupted" outcomes are not errors: the calls documented so return -1
 * for EAGAIN/EWOULDBLOCK/EINPROGRESS and -2 for EINTR instead of throwing,
 * because they are on hot paths.
 */
import * as path from 'path';

export interface SockAddr {
  family: 'inet' | 'inet6' | 'unix';
  /** Text address ("127.0.0.1", "::1", "::ffff:1.2.3.4") or the Unix path. */
  address: string;
  /** Port (0 for Unix sockets). */
  port: number;
}

export interface WaitResult {
  pid: number;
  /** Raw wait status. */
  status: number;
  exited: boolean;
  exitCode: number;
  signaled: boolean;
  signal: number;
  coreDumped: boolean;
}

export interface RecvResult {
  /** Bytes received into the buffer (0 means EOF), -1 would block, -2 EINTR. */
  bytes: number;
  /** A file descriptor received with SCM_RIGHTS, or -1. */
  fd: number;
}

export interface TimerValue {
  /** Seconds until expiry (0 = disarmed). */
  value: number;
  /** Reload interval in seconds. */
  interval: number;
}

/** struct tm with C's field conventions: year since 1900, mon 0-11, yday 0-365. */
export interface Tm {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number;
  year: number;
  wday: number;
  yday: number;
  /** >0 daylight saving time, 0 not, <0 unknown (mktime decides). */
  isdst: number;
  /** Seconds east of UTC (output only). */
  gmtoff?: number;
}

export interface NativeBinding {
  readonly constants: {
    readonly AF_INET: number;
    readonly AF_INET6: number;
    readonly AF_UNIX: number;
    readonly SOCK_STREAM: number;
    readonly SOCK_DGRAM: number;
    readonly SOL_SOCKET: number;
    readonly SO_REUSEADDR: number;
    readonly SO_KEEPALIVE: number;
    readonly SO_RCVBUF: number;
    readonly SO_SNDBUF: number;
    readonly SO_ERROR: number;
    readonly IPPROTO_TCP: number;
    readonly IPPROTO_IPV6: number;
    readonly IPV6_V6ONLY: number;
    readonly TCP_NODELAY: number;
    readonly TCP_CORK: number;
    readonly SHUT_RD: number;
    readonly SHUT_WR: number;
    readonly SHUT_RDWR: number;
    readonly POLLIN: number;
    readonly POLLOUT: number;
    readonly POLLERR: number;
    readonly POLLHUP: number;
    readonly POLLNVAL: number;
    readonly WNOHANG: number;
    readonly SIGHUP: number;
    readonly SIGINT: number;
    readonly SIGQUIT: number;
    readonly SIGKILL: number;
    readonly SIGPIPE: number;
    readonly SIGALRM: number;
    readonly SIGTERM: number;
    readonly SIGCHLD: number;
    readonly SIGUSR1: number;
    readonly SIGUSR2: number;
    readonly ITIMER_REAL: number;
    readonly ITIMER_VIRTUAL: number;
    readonly ITIMER_PROF: number;
    readonly EAGAIN: number;
    readonly EINTR: number;
    readonly EINPROGRESS: number;
    readonly ECONNABORTED: number;
    readonly ENOENT: number;
    readonly ESRCH: number;
    readonly ECHILD: number;
    readonly LOCK_SH: number;
    readonly LOCK_EX: number;
    readonly LOCK_NB: number;
    readonly LOCK_UN: number;
    readonly LOG_PID: number;
    readonly LOG_NDELAY: number;
    readonly LOG_DAEMON: number;
    readonly LOG_USER: number;
    readonly LOG_LOCAL0: number;
    readonly LOG_LOCAL1: number;
    readonly LOG_LOCAL2: number;
    readonly LOG_LOCAL3: number;
    readonly LOG_LOCAL4: number;
    readonly LOG_LOCAL5: number;
    readonly LOG_LOCAL6: number;
    readonly LOG_LOCAL7: number;
    readonly LOG_CRIT: number;
    readonly LOG_ERR: number;
    readonly LOG_WARNING: number;
    readonly LOG_NOTICE: number;
    readonly LOG_INFO: number;
    readonly LOG_DEBUG: number;
    readonly O_RDONLY: number;
    readonly O_WRONLY: number;
    readonly O_RDWR: number;
    readonly O_CREAT: number;
    readonly O_TRUNC: number;
    readonly O_APPEND: number;
    readonly O_EXCL: number;
    readonly SEEK_SET: number;
    readonly SEEK_CUR: number;
    readonly SEEK_END: number;
    readonly EISDIR: number;
    readonly LC_ALL: number;
    readonly LC_COLLATE: number;
    readonly LC_CTYPE: number;
    readonly LC_MONETARY: number;
    readonly LC_NUMERIC: number;
    readonly LC_TIME: number;
  };

  // ---- processes ----
  /**
   * fork(2) made safe for a Node process: walks /proc/self/maps and
   * madvise(MADV_DOFORK)s every mapping except [vvar]/[vdso]/[vsyscall], waits
   * (bounded, ~1 s) until every other thread of the process is sleeping
   * (state S in /proc/self/task/TID/stat), then forks. In the child, before
   * returning 0: every signal handler is reset to SIG_DFL and the signal mask
   * is emptied, and the self-pipe of signalPipe() (if any) is closed and
   * forgotten. Returns the child's pid in the parent, 0 in the child. Throws on
   * failure (errno set). Checking node's command-line flags is the caller's job.
   */
  fork(): number;
  /** _exit(2): ends the process at once, no atexit handlers, no flushing. */
  _exit(code: number): never;
  getpid(): number;
  getppid(): number;
  /** waitpid(2). Returns null when options has WNOHANG and no child changed state. */
  waitpid(pid: number, options: number): WaitResult | null;
  kill(pid: number, signal: number): void;
  /**
   * pidfd_open(2): a close-on-exec descriptor for the process that polls
   * readable (POLLIN) once it has terminated. Throws errno errors (ENOSYS
   * before Linux 5.3, ESRCH when there is no such process).
   */
  pidfdOpen(pid: number): number;
  /** execv(2): replaces the process image; only returns by throwing. */
  execv(file: string, argv: string[]): never;

  // ---- signals ----
  /**
   * Creates (once) a non-blocking, close-on-exec self-pipe and returns its
   * read end. Signals routed with signalCatch() write one byte (the signal
   * number) to it from the C handler.
   */
  signalPipe(): number;
  /** Installs the self-pipe handler for this signal (sigaction, no SA_RESTART). */
  signalCatch(signal: number): void;
  /** Installs a handler that only increments a per-signal counter (no SA_RESTART, so blocking syscalls return EINTR). */
  signalCount(signal: number): void;
  /** Returns the per-signal counter and, when reset is true, zeroes it. */
  signalCounter(signal: number, reset: boolean): number;
  signalDefault(signal: number): void;
  signalIgnore(signal: number): void;

  // ---- generic file descriptors ----
  /** read(2) into buf[offset, offset+length). Returns bytes (0 = EOF), -1 would block, -2 EINTR. */
  read(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** write(2) from buf[offset, offset+length). Returns bytes written, -1 would block, -2 EINTR. */
  write(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** writev(2) of whole buffers. Returns bytes written, -1 would block, -2 EINTR. */
  writev(fd: number, bufs: Uint8Array[]): number;
  close(fd: number): void;
  dup(fd: number): number;
  dup2(oldfd: number, newfd: number): number;
  /** pipe2 with O_CLOEXEC; [readFd, writeFd]. */
  pipe(): [number, number];
  setNonBlocking(fd: number, on: boolean): void;
  setCloexec(fd: number, on: boolean): void;
  /** Whether fd is open (fcntl F_GETFD succeeds). */
  isOpen(fd: number): boolean;
  isatty(fd: number): boolean;
  /**
   * poll(2) over n entries: fds[i] with events[i]; revents[i] is filled in.
   * timeoutMs < 0 waits forever. Returns the number of ready entries, or -2 on
   * EINTR.
   */
  poll(fds: Int32Array, events: Int16Array, revents: Int16Array, n: number, timeoutMs: number): number;

  // ---- sockets ----
  /** socket(2) with SOCK_CLOEXEC, plus SOCK_NONBLOCK when nonblock is true. */
  socket(domain: number, type: number, nonblock: boolean): number;
  /** [fd, fd] with SOCK_CLOEXEC. */
  socketpair(domain: number, type: number, nonblock: boolean): [number, number];
  /** Binds to a numeric IPv4/IPv6 text address (inet_pton) and port. */
  bindInet(fd: number, family: number, address: string, port: number): void;
  /** Binds to a Unix socket path (at most 107 bytes). */
  bindUnix(fd: number, path: string): void;
  listen(fd: number, backlog: number): void;
  /** accept4 with SOCK_CLOEXEC (plus SOCK_NONBLOCK if nonblock). Returns fd, -1 would block, -2 EINTR. */
  accept(fd: number, nonblock: boolean): number;
  /** connect(2) to a numeric address. Returns 0, -1 in progress (EINPROGRESS), -2 EINTR. */
  connectInet(fd: number, family: number, address: string, port: number): number;
  connectUnix(fd: number, path: string): number;
  shutdown(fd: number, how: number): void;
  setsockoptInt(fd: number, level: number, option: number, value: number): void;
  getsockoptInt(fd: number, level: number, option: number): number;
  /** SO_LINGER {onoff, seconds}. */
  setLinger(fd: number, on: boolean, seconds: number): void;
  getsockname(fd: number): SockAddr;
  getpeername(fd: number): SockAddr;
  /**
   * getaddrinfo(3) for SOCK_STREAM with the given flags (passive = AI_PASSIVE,
   * plus AI_ADDRCONFIG when addrconfig). host may be null. Results in the
   * resolver's order. Throws an Error with `gaiCode` and gai_strerror text.
   */
  getaddrinfo(host: string | null, service: string, passive: boolean, addrconfig: boolean): SockAddr[];
  /** sendmsg(2) of data[offset, offset+length) with fd attached (SCM_RIGHTS) unless fd < 0. Returns bytes, -1, -2. */
  sendmsg(sock: number, data: Uint8Array, offset: number, length: number, fd: number): number;
  /** recvmsg(2) into buf[offset, offset+length), accepting one SCM_RIGHTS fd (made close-on-exec). */
  recvmsg(sock: number, buf: Uint8Array, offset: number, length: number): RecvResult;

  // ---- time ----
  /** setitimer(2); seconds as floats. Returns the old value. */
  setitimer(which: number, value: number, interval: number): TimerValue;
  getitimer(which: number): TimerValue;
  /** clock_gettime(CLOCK_MONOTONIC) in seconds. */
  monotonic(): number;
  /** clock_gettime(CLOCK_PROCESS_CPUTIME_ID) in seconds. */
  cpuTime(): number;
  /** strftime(3) of the given Unix time (seconds), localtime_r or gmtime_r. */
  strftime(format: string, time: number, utc: boolean): string;
  /** localtime_r (or gmtime_r when utc) of whole seconds; null when the C library cannot represent it. */
  localtime(time: number, utc: boolean): Tm | null;
  /** mktime(3): the local time of possibly out-of-range fields, and the fields normalised; time -1 as mktime returns it. */
  mktime(tm: Tm): { time: number; tm: Tm };

  // ---- files by path ----
  /** open(2) with O_CLOEXEC added; path as UTF-8 string or raw bytes (no NUL). Returns the fd; throws errno errors. */
  open(path: string | Uint8Array, flags: number, mode: number): number;
  /** lseek(2); offsets exact to 2^53. Returns the new offset; throws errno errors (ESPIPE on pipes). */
  lseek(fd: number, offset: number, whence: number): number;
  /** mkostemp(3) with O_CLOEXEC; the template ends in "XXXXXX". path holds the name's bytes. */
  mkstemp(template: string | Uint8Array): { fd: number; path: Buffer };
  /** The C library's text for an errno number ("No such file or directory"). */
  strerror(errno: number): string;

  // ---- child programs ----
  /**
   * posix_spawn(3) (posix_spawnp when searchPath): argv[0] included, the
   * current environment, every signal at its default and an empty mask in
   * the child. Strings are UTF-8, Uint8Arrays raw bytes (no NUL). fds[i] >= 0
   * becomes the child's descriptor i. closeFrom3 closes every descriptor
   * from 3 up in the child (posix_spawn_file_actions_addclosefrom_np, glibc
   * >= 2.34; elsewhere only close-on-exec applies). Returns the pid;
   * throws errno errors (ENOENT for a missing file).
   */
  spawn(file: string | Uint8Array, argv: Array<string | Uint8Array>, fds: [number, number, number], searchPath: boolean, closeFrom3?: boolean): number;

  // ---- locale ----
  /** setlocale(3); locale null queries. Returns the name, or null when refused. */
  setlocale(category: number, locale: string | null): string | null;

  // ---- daemon support ----
  /**
   * flock(2) with an operation of LOCK_SH/LOCK_EX/LOCK_UN, optionally
   * |LOCK_NB. Returns 0, or -1 when LOCK_NB was given and another open file
   * description holds the lock (EWOULDBLOCK). EINTR is retried; other errors
   * throw.
   */
  flock(fd: number, operation: number): number;
  /** setsid(2): a new session and process group led by this process. Returns the session id. */
  setsid(): number;
  /**
   * openlog(3) with option flags (LOG_PID, LOG_NDELAY, ...) and a facility
   * (LOG_USER, LOG_DAEMON, LOG_LOCAL0..7). The ident is copied and kept alive
   * by the addon. A previous openlog is closed first.
   */
  openlog(ident: string, option: number, facility: number): void;
  /** syslog(3) of one message (passed through "%s", never used as a format) at priority (LOG_ERR, ...). */
  syslog(priority: number, message: string): void;
  /** closelog(3). */
  closelog(): void;
}

let cached: NativeBinding | undefined;

/** Loads build/Release/moonbridge.node (built by `npm install`). */
export function native(): NativeBinding {
  if (cached === undefined) {
    const file = path.resolve(__dirname, '..', '..', '..', 'build', 'Release', 'moonbridge.node');
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      cached = require(file) as NativeBinding;
    } catch (err) {
      throw new Error(
        `moonbridge-lua: cannot load the native addon ${file} (${(err as Error).message}); ` +
          'run `npm install` (or `npm run build`) in the package directory to build it',
      );
    }
  }
  return cached;
}

/** The errno-carrying error the addon throws. */
export interface ErrnoError extends Error {
  errno: number;
  code: string;
  syscall: string;
  strerror: string;
}

export function isErrnoError(err: unknown): err is ErrnoError {
  return err instanceof Error && typeof (err as Partial<ErrnoError>).errno === 'number';
}
