/**
 * The SIGTERM flag of moonbridge_io.catch_sigterm(): a C handler counts the
 * signal (without SA_RESTART, so a blocking poll returns EINTR), and polls
 * with wakeup_on_sigterm return early once it is set.
 */
import { native } from '../native/binding';

let caught = false;

/** Installs the flag handler for SIGTERM (idempotent). */
export function catchSigterm(): void {
  if (caught) return;
  native().signalCount(native().constants.SIGTERM);
  caught = true;
}

/** Whether SIGTERM arrived since catchSigterm() was first called. */
export function sigtermReceived(): boolean {
  return caught && native().signalCounter(native().constants.SIGTERM, false) > 0;
}

/** Forgets the handler (after fork, when the child starts with default actions). */
export function resetSigtermState(): void {
  caught = false;
}
