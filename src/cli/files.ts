/**
 * The PID file (-p) and the log file (-l), opened like libbsd's pidfile_open
 * and flopen: created if missing, locked with a non-blocking exclusive flock
 * on the open file (so a second server finds it locked and exits 2), and
 * re-opened if the path was replaced while we waited for the lock. Node opens
 * every descriptor close-on-exec; forked workers close them through the
 * child-cleanup hook.
 */
import * as fs from 'fs';
import { native, isErrnoError } from '../native/binding';

/** A start-up failure with the exit code Moonbridge uses (2 locked, 3 other). */
export class StartupFileError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'StartupFileError';
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

function errorText(err: unknown): string {
  if (isErrnoError(err) && typeof err.strerror === 'string') return err.strerror;
  return err instanceof Error ? err.message : String(err);
}

/**
 * open(2) + flock(LOCK_EX|LOCK_NB). Returns the descriptor, or -1 when
 * another open file holds the lock. Throws on other errors.
 */
function openLocked(file: string, flags: number, mode: number): number {
  const n = native();
  for (;;) {
    const fd = fs.openSync(file, flags, mode);
    let locked: boolean;
    try {
      locked = n.flock(fd, n.constants.LOCK_EX | n.constants.LOCK_NB) < 0;
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
    if (locked) {
      closeQuietly(fd);
      return -1;
    }
    // The holder may have removed or replaced the file before we got the lock.
    let same = false;
    try {
      const st = fs.statSync(file);
      const fst = fs.fstatSync(fd);
      same = st.dev === fst.dev && st.ino === fst.ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        closeQuietly(fd);
        throw err;
      }
    }
    if (same) return fd;
    closeQuietly(fd);
  }
}

/** -l: opens the log file for appending (mode 0640), locked. */
export function openLogFile(file: string): number {
  const c = fs.constants;
  let fd: number;
  try {
    fd = openLocked(file, c.O_WRONLY | c.O_APPEND | c.O_CREAT, 0o640);
  } catch (err) {
    throw new StartupFileError(`Could not open logfile "${file}": ${errorText(err)}`, 3);
  }
  if (fd < 0) throw new StartupFileError(`Logfile "${file}" is locked`, 2);
  return fd;
}

/** -p: the locked PID file of the master. */
export class PidFile {
  private fd: number;
  private owner: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
    this.owner = native().getpid();
  }

  /**
   * Creates or opens the file (mode 0644) and locks it. Throws a
   * StartupFileError: exit code 2 when another process holds the lock, 3 on
   * other errors.
   */
  static open(file: string): PidFile {
    const c = fs.constants;
    let fd: number;
    try {
      fd = openLocked(file, c.O_WRONLY | c.O_CREAT, 0o644);
    } catch (err) {
      throw new StartupFileError(`Could not open PID file "${file}": ${errorText(err)}`, 3);
    }
    if (fd < 0) {
      const pid = readPid(file);
      throw new StartupFileError(
        pid === null
          ? `PID file "${file}" is already locked`
          : `PID file "${file}" is already locked by process with PID: ${pid}`,
        2,
      );
    }
    try {
      fs.ftruncateSync(fd, 0);
    } catch (err) {
      closeQuietly(fd);
      throw new StartupFileError(`Could not open PID file "${file}": ${errorText(err)}`, 3);
    }
    return new PidFile(file, fd);
  }

  /** Writes this process's pid and a newline (the master, after start-up). */
  write(): void {
    if (this.fd < 0) return;
    const pid = native().getpid();
    this.owner = pid;
    fs.ftruncateSync(this.fd, 0);
    const text = Buffer.from(`${pid}\n`, 'ascii');
    let done = 0;
    while (done < text.length) done += fs.writeSync(this.fd, text, done, text.length - done, done);
  }

  /** Removes the file and releases the lock; only in the process that owns it. */
  remove(): void {
    if (this.fd < 0 || native().getpid() !== this.owner) return;
    try {
      fs.unlinkSync(this.path);
    } catch {
      // already gone
    }
    closeQuietly(this.fd);
    this.fd = -1;
  }

  /** Closes the descriptor without touching the file (in a forked worker). */
  closeInChild(): void {
    if (this.fd < 0) return;
    closeQuietly(this.fd);
    this.fd = -1;
  }

  /** The process that will remove the file (the daemon after -b). */
  adopt(): void {
    this.owner = native().getpid();
  }
}

/** The pid in a PID file, or null if it cannot be read. */
function readPid(file: string): number | null {
  try {
    const m = /^\s*(\d+)\s*$/.exec(fs.readFileSync(file, 'ascii'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}
