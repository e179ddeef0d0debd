/**
 * Child processes of moonbridge_io.exec: started with posix_spawnp through
 * the addon (PATH search, every signal at its default, an empty mask,
 * descriptors from 3 up closed, no Node machinery in the child; the worker
 * itself is never forked for this). The child's stdin, stdout and stderr are
 * AF_UNIX socketpairs, as in Moonbridge; our ends become I/O handles. A
 * pidfd (pidfd_open, Linux >= 5.3) makes the child pollable: it reads ready
 * once the child has terminated.
 *
 * Lifetime: every child is registered with trackResource(). A child the app
 * did not wait for is killed (SIGKILL) and reaped, and its handles closed,
 * when the handler run (or, for prepare and finish, the worker) that created
 * it ends, which is what Moonbridge's __gc does for an unreferenced child.
 * A waited-for child stays registered while one of its handles is open, so
 * that those are closed then too. Children of the main chunk (the master)
 * belong to no run; the master's reaping loop collects them if they outlive
 * it unwaited.
 */
import * as fs from 'fs';
import { isErrnoError, native, type WaitResult } from '../native/binding';
import { IoHandle } from './handle';
import { IoUsageError, ioErrorMessage } from './errors';
import { trackResource, type Resource } from './resources';

/** exec failed the way Moonbridge reports with (nil, message). */
export class ExecError extends Error {}

/** A status as Moonbridge's wait gives it: the exit code, or minus the signal number. */
function statusValue(res: WaitResult): number {
  if (res.exited) return res.exitCode;
  if (res.signaled) return -res.signal;
  throw new IoUsageError('Unexpected status value returned by waitpid call');
}

export class Child implements Resource {
  /** The process id; 0 once the child has been collected (waited for, or released). */
  pid: number;
  /** pidfd_open descriptor (-1 when the kernel has none, or after collection). */
  pidfd: number;
  readonly stdin: IoHandle;
  readonly stdout: IoHandle;
  readonly stderr: IoHandle;
  private readonly untrack: () => void;

  constructor(pid: number, pidfd: number, stdin: IoHandle, stdout: IoHandle, stderr: IoHandle) {
    this.pid = pid;
    this.pidfd = pidfd;
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.untrack = trackResource(this);
  }

  /** kill(2); raises (as Moonbridge does) when collected or when kill fails. */
  kill(signal: number): void {
    if (this.pid === 0) throw new IoUsageError('Attempt to kill an already collected child process');
    try {
      native().kill(this.pid, signal);
    } catch (err) {
      throw new IoUsageError(`Error in kill call: ${ioErrorMessage(err)}`);
    }
  }

  /**
   * waitpid(2), blocking unless nonblocking. Returns the status value (exit
   * code or -signal), or null while the child runs (nonblocking only). The
   * child is collected once this returns a status: the app owns it no more.
   */
  wait(nonblocking: boolean): number | null {
    if (this.pid === 0) throw new IoUsageError('Attempt to wait for an already collected child process');
    const n = native();
    let res: WaitResult | null;
    try {
      res = n.waitpid(this.pid, nonblocking ? n.constants.WNOHANG : 0);
    } catch (err) {
      throw new IoUsageError(`Error in waitpid call: ${ioErrorMessage(err)}`);
    }
    if (res === null) return null;
    this.collected();
    // Still registered while a handle is open: release() then closes it.
    if (this.stdin.closed && this.stdout.closed && this.stderr.closed) this.untrack();
    return statusValue(res);
  }

  private collected(): void {
    this.pid = 0;
    if (this.pidfd >= 0) {
      try {
        native().close(this.pidfd);
      } catch {
        // gone either way
      }
      this.pidfd = -1;
    }
  }

  /** SIGKILL and reap an uncollected child, and close its handles (idempotent, never throws). */
  release(): void {
    const n = native();
    if (this.pid !== 0) {
      const pid = this.pid;
      try {
        n.kill(pid, n.constants.SIGKILL);
      } catch {
        // already gone (or not ours): the waitpid below tells
      }
      try {
        n.waitpid(pid, 0);
      } catch {
        // ECHILD: someone else reaped it
      }
      this.collected();
    }
    for (const h of [this.stdin, this.stdout, this.stderr]) {
      if (!h.closed) {
        try {
          h.reset();
        } catch {
          // closed meanwhile
        }
      }
    }
    this.untrack();
  }
}

/** The file execvp would run for name: name itself if it has a "/", else the first executable file along PATH. */
function findInPath(name: Uint8Array): Buffer | null {
  const text = Buffer.from(name);
  if (text.includes(0x2f)) return text;
  for (const dir of (process.env.PATH ?? '/bin:/usr/bin').split(':')) {
    const file = Buffer.concat([Buffer.from(dir === '' ? '.' : dir), Buffer.from('/'), text]);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** Closes each descriptor (negative ones are skipped), ignoring errors. */
export function closeQuietly(fds: number[]): void {
  for (const fd of fds) {
    if (fd < 0) continue;
    try {
      native().close(fd);
    } catch {
      // nothing to do
    }
  }
}

/**
 * posix_spawnp of argv[0] (searched in PATH) with stdin, stdout and stderr
 * on fds, as execvp would run it: a file without a #! line goes to /bin/sh,
 * which execvp (Moonbridge's and extos's) does and posix_spawnp does not.
 * Returns the pid; throws the addon's errno error (syscall "posix_spawn"
 * when the program cannot be executed).
 */
export function spawnLikeExecvp(argv: Uint8Array[], fds: [number, number, number]): number {
  const n = native();
  try {
    return n.spawn(argv[0], argv, fds, true, true);
  } catch (err) {
    const file = isErrnoError(err) && err.code === 'ENOEXEC' ? findInPath(argv[0]) : null;
    if (file === null) throw err;
    return n.spawn('/bin/sh', [Buffer.from('/bin/sh'), file, ...argv.slice(1)], fds, false, true);
  }
}

/**
 * Starts argv[0] (searched in PATH) with argv. Throws ExecError with
 * Moonbridge's messages: "Could not create socket pair: ...", "Could not
 * execute: ..." (the program cannot be executed: missing, not executable...).
 */
export function spawnChild(argv: Uint8Array[]): Child {
  const n = native();
  const pairs: Array<[number, number]> = [];
  try {
    for (let i = 0; i < 3; i++) pairs.push(n.socketpair(n.constants.AF_UNIX, n.constants.SOCK_STREAM, false));
  } catch (err) {
    closeQuietly(pairs.flat());
    throw new ExecError(`Could not create socket pair: ${ioErrorMessage(err)}`);
  }
  // [0] is ours, [1] the child's (dup2'd onto its 0, 1, 2; closed here afterwards).
  let pid: number;
  try {
    pid = spawnLikeExecvp(argv, [pairs[0][1], pairs[1][1], pairs[2][1]]);
  } catch (err) {
    closeQuietly(pairs.flat());
    if (isErrnoError(err) && err.syscall === 'posix_spawn') throw new ExecError(`Could not execute: ${err.strerror}`);
    throw new ExecError(`Could not fork: ${ioErrorMessage(err)}`);
  }
  closeQuietly(pairs.map((p) => p[1]));
  let pidfd = -1;
  try {
    pidfd = n.pidfdOpen(pid);
  } catch {
    // No pidfd (Linux < 5.3): poll then treats the child as ready (a spurious wake-up).
  }
  const handles = pairs.map(([ours], i) => {
    n.setNonBlocking(ours, true);
    return new IoHandle(ours, 'unix', ['stdin', 'stdout', 'stderr'][i]);
  });
  return new Child(pid, pidfd, handles[0], handles[1], handles[2]);
}
