/**
 * Opening the client socket to the server: a Unix socket or TCP, with the
 * native addon (socket(2) with SOCK_CLOEXEC and SOCK_NONBLOCK, connect(2),
 * poll(2) for the TCP handshake), bounded by connect_timeout. Failures throw
 * SocketError carrying just the reason (strerror text or "timeout expired");
 * the caller adds libpq's "connection to server ... failed: " framing.
 */
import { native, isErrnoError } from '../../native/binding';
import { closeQuietly } from '../../io/child';
import { MAX_LOCAL_PATH } from '../../io/connect';
import { waitReady, WireError } from './wire';

export class SocketError extends Error {
  /** True for a failed connect(2), after which libpq adds its "Is the server running" hint. */
  constructor(message: string, readonly refused = false) {
    super(message);
  }
}


function reason(err: unknown): string {
  if (isErrnoError(err)) return err.strerror;
  if (err instanceof WireError) return err.message.replace(/\n$/, '');
  return err instanceof Error ? err.message : String(err);
}

/** A connected, non-blocking, close-on-exec Unix socket to path. */
export function openUnix(path: string): number {
  if (Buffer.byteLength(path) > MAX_LOCAL_PATH) {
    throw new SocketError(`Unix-domain socket path "${path}" is too long (maximum ${MAX_LOCAL_PATH} bytes)`);
  }
  const n = native();
  let fd: number;
  try {
    fd = n.socket(n.constants.AF_UNIX, n.constants.SOCK_STREAM, true);
  } catch (err) {
    throw new SocketError(`could not create socket: ${reason(err)}`);
  }
  try {
    for (;;) {
      const r = n.connectUnix(fd, path);
      if (r === 0) return fd;
      if (r === -2) continue; // EINTR before the connection was made: try again
      // -1: EAGAIN, the server's listen backlog is full
      throw new SocketError(n.strerror(n.constants.EAGAIN), true);
    }
  } catch (err) {
    closeQuietly([fd]);
    if (err instanceof SocketError) throw err;
    throw new SocketError(reason(err), isErrnoError(err));
  }
}

/**
 * A connected, non-blocking, close-on-exec TCP socket to a numeric address,
 * with TCP_NODELAY and SO_KEEPALIVE as libpq sets them.
 */
export function openTcp(family: 'inet' | 'inet6', address: string, port: number, deadline: number | null): number {
  const n = native();
  const c = n.constants;
  const af = family === 'inet6' ? c.AF_INET6 : c.AF_INET;
  let fd: number;
  try {
    fd = n.socket(af, c.SOCK_STREAM, true);
  } catch (err) {
    throw new SocketError(`could not create socket: ${reason(err)}`);
  }
  try {
    n.setsockoptInt(fd, c.IPPROTO_TCP, c.TCP_NODELAY, 1);
    n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_KEEPALIVE, 1);
    const r = n.connectInet(fd, af, address, port);
    if (r !== 0) {
      // in progress (or interrupted, which goes on in the kernel too): wait until writable
      waitReady(fd, 'w', deadline);
      const err = n.getsockoptInt(fd, c.SOL_SOCKET, c.SO_ERROR);
      if (err !== 0) throw new SocketError(n.strerror(err), true);
    }
    return fd;
  } catch (err) {
    closeQuietly([fd]);
    if (err instanceof SocketError) throw err;
    throw new SocketError(reason(err), isErrnoError(err));
  }
}

/** The addresses to try for a host name (getaddrinfo, in the resolver's order), or throws SocketError with libpq's text. */
export function resolveHost(host: string, port: number): Array<{ family: 'inet' | 'inet6'; address: string }> {
  let results;
  try {
    results = native().getaddrinfo(host, String(port), false, false);
  } catch (err) {
    const e = err as { strerror?: string };
    throw new SocketError(`could not translate host name "${host}" to address: ${e.strerror ?? reason(err)}`);
  }
  const out: Array<{ family: 'inet' | 'inet6'; address: string }> = [];
  for (const r of results) {
    if (r.family === 'unix') continue;
    if (!out.some((o) => o.family === r.family && o.address === r.address)) out.push({ family: r.family, address: r.address });
  }
  if (out.length === 0) throw new SocketError(`could not translate host name "${host}" to address: Name or service not known`);
  return out;
}

/** A hostaddr value: a numeric IPv4 or IPv6 address (no name lookup, as libpq's AI_NUMERICHOST). */
export function numericAddress(hostaddr: string): { family: 'inet' | 'inet6'; address: string } {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostaddr) && hostaddr.split('.').every((p) => Number(p) <= 255)) {
    return { family: 'inet', address: hostaddr };
  }
  if (hostaddr.includes(':') && /^[0-9A-Fa-f:.]+$/.test(hostaddr)) return { family: 'inet6', address: hostaddr };
  throw new SocketError(`could not parse network address "${hostaddr}": Name or service not known`);
}
