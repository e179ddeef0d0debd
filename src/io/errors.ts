/** Error values of moonbridge_io: expected I/O failures become (nil, message). */
import { isErrnoError } from '../native/binding';

/** The message Moonbridge reports for a failed syscall: the C library's strerror text. */
export function ioErrorMessage(err: unknown): string {
  if (isErrnoError(err)) return err.strerror;
  return err instanceof Error ? err.message : String(err);
}

/** Misuse of a handle (closed, finished, wrong argument): raised as a Lua error. */
export class IoUsageError extends Error {}
