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
/**
 * Worker → master: it compiled a Lua file (src/lua/chunk-cache.ts); followed
 * by the name's length (2 bytes, big-endian) and the name.
 */
export const MSG_COMPILED = 0x4c; // 'L'
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

/** Sends 'L' and a file name in one write (names over 65535 bytes are not sent); returns false if the peer is gone. */
export function sendCompiled(fd: number, name: Uint8Array): boolean {
  if (name.length > 0xffff) return true;
  const msg = Buffer.allocUnsafe(3 + name.length);
  msg[0] = MSG_COMPILED;
  msg.writeUInt16BE(name.length, 1);
  msg.set(name, 3);
  try {
    writeAll(fd, msg);
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits what a worker sent into control bytes and 'L' messages; returns the
 * bytes of an incomplete message at the end, to prepend to the next read.
 */
export function parseControl(data: Uint8Array, onByte: (msg: number) => void, onCompiled: (name: Buffer) => void): Uint8Array | null {
  let i = 0;
  while (i < data.length) {
    if (data[i] !== MSG_COMPILED) {
      onByte(data[i++]);
      continue;
    }
    if (i + 3 > data.length) return data.slice(i);
    const len = (data[i + 1] << 8) | data[i + 2];
    if (i + 3 + len > data.length) return data.slice(i);
    onCompiled(Buffer.from(data.subarray(i + 3, i + 3 + len)));
    i += 3 + len;
  }
  return null;
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
