/**
 * The streams this process has open, so that nothing written is lost: all
 * are flushed before a fork and when the process ends, and a worker closes
 * the files it opened itself when it exits (the files it inherited from the
 * master are only flushed: the master's copies are its own).
 */
import { native } from '../../../native/binding';
import { onFlush, onWorkerExit } from '../lifecycle';
import type { CFile } from './c-file';

const open = new Set<CFile>();

export function trackFile(f: CFile): void {
  open.add(f);
}

export function untrackFile(f: CFile): void {
  open.delete(f);
}

/** Flushes every stream with buffered output. */
export function flushOpenFiles(): void {
  for (const f of open) if (f.pendingOutput > 0) f.flush();
}

onFlush(flushOpenFiles);

onWorkerExit(() => {
  const pid = native().getpid();
  for (const f of open) {
    if (f.ownerPid === pid && f.fd > 2) {
      f.close();
      open.delete(f);
    }
  }
});
