/**
 * -b: becoming a daemon like daemon(3) with nochdir=1, noclose=0: fork, the
 * launching process exits 0 at once, the child starts a new session and
 * points stdin, stdout and stderr at /dev/null. Needs the fork-safety node
 * flags (the caller checks them first).
 */
import * as fs from 'fs';
import { native } from '../native/binding';
import { forkProcess } from '../server/fork';

let daemonized = false;

/**
 * Whether this process is the daemon forked by daemonize(). A forked Node
 * process must end with _exit: process.exit would wait forever in the
 * platform teardown for helper threads that only exist in the parent.
 */
export function isDaemon(): boolean {
  return daemonized;
}

/** Returns in the daemon only; the launching process _exits with code 0. */
export function daemonize(): void {
  const n = native();
  const pid = forkProcess();
  if (pid !== 0) n._exit(0);
  daemonized = true;
  n.setsid();
  const fd = fs.openSync('/dev/null', fs.constants.O_RDWR);
  for (const target of [0, 1, 2]) {
    if (fd !== target) n.dup2(fd, target);
  }
  if (fd > 2) n.close(fd);
}
