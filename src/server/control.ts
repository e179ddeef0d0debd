/**
 * The control protocol between the master and a worker: single bytes over a
 * per-worker AF_UNIX socketpair, as in Moonbridge.
 */
import { native } from '../native/binding';
import { writeAll } from '../io/fd-wait';

/** Worker → master: ready for work (idle). */
export const MSG_IDLE = 0x49; // 'I'
/** Worker → master: accepted a connection (busy). */
export const MSG_ACCEPTED = 0x41; // 'A'
/** Worker → master: goodbye, about to exit normally. */
export const MSG_GOODBYE = 0x42; // 'B'
/** Master → worker: terminate when idle. */
export const MSG_TERMINATE = 0x54; // 'T'
/** Master → worker: run an interval or main listener; followed by one byte, the listener's index. */
export const MSG_CONNECT = 0x43; // 'C'

const one = new Uint8Array(1);
const two = new Uint8Array(2);

/** Sends 'C' plus the listener index in one write; returns false if the peer is gone. */
export function sendConnect(fd: number, listenerIndex: number): boolean {
  two[0] = MSG_CONNECT;
  two[1] = listenerIndex;
  try {
    writeAll(fd, two);
    return true;
  } catch {
    return false;
  }
}

/** Sends one control byte; returns false if the peer is gone. */
export function sendControl(fd: number, msg: number): boolean {
  one[0] = msg;
  try {
    writeAll(fd, one);
    return true;
  } catch {
    return false;
  }
}

/** A blocking-free read of one control byte: the byte, 0 at EOF/error, -1 when none is waiting. */
export function readControl(fd: number): number {
  for (;;) {
    let r: number;
    try {
      r = native().read(fd, one, 0, 1);
    } catch {
      return 0;
    }
    if (r === -2) continue;
    if (r === -1) return -1;
    return r === 0 ? 0 : one[0];
  }
}
