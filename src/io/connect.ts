/**
 * moonbridge_io.tcpconnect / tcpconnect_nb / localconnect / localconnect_nb:
 * outgoing connections as handles with the methods and address fields of
 * accepted sockets. As Moonbridge does it: getaddrinfo (AI_ADDRCONFIG) with
 * the first IPv6 result preferred, else the first IPv4 one; failures are
 * (nil, message) with gai_strerror or strerror text; a path longer than
 * sun_path allows raises "Path too long; only 107 characters allowed". The
 * _nb forms return while the connect is in progress; a failed connect shows
 * on the first read or write (the kernel's pending socket error).
 */
import * as net from 'net';
import { lua, lauxlib, type LuaState } from 'fengari';
import { native, isErrnoError, type SockAddr } from '../native/binding';
import { cfunction } from '../lua/cfunction';
import { pushText, text } from '../lua/strings';
import { waitFd } from './fd-wait';
import { IoHandle, type HandleKind } from './handle';
import { ioErrorMessage, IoUsageError } from './errors';
import { pushHandle } from './lua-handle';
import { trackResource } from './resources';

/** sun_path holds 108 bytes including the terminating NUL. */
export const MAX_LOCAL_PATH = 107;

/** An expected failure: becomes (nil, message). */
export class ConnectError extends Error {}

/** Pushes (nil, message) and returns 2. */
export function pushFailure(L: LuaState, message: string): number {
  lua.lua_pushnil(L);
  pushText(L, message);
  return 2;
}

/** The socket path argument at idx (raises on a path sun_path cannot hold). */
export function checkLocalPath(L: LuaState, idx: number): string {
  const bytes = lauxlib.luaL_checklstring(L, idx) as Uint8Array;
  if (bytes.length > MAX_LOCAL_PATH) throw new IoUsageError(`Path too long; only ${MAX_LOCAL_PATH} characters allowed`);
  return text(bytes);
}

/**
 * Resolves host and port (a number or service name) as Moonbridge does:
 * AI_ADDRCONFIG (not for numeric hosts, whose family is given), first IPv6
 * result, else first IPv4. Throws ConnectError with gai_strerror text.
 */
export function resolve(host: string | null, port: string, passive: boolean): SockAddr {
  const family = host === null ? 0 : net.isIP(host);
  if (family !== 0 && /^\d+$/.test(port) && Number(port) <= 65535) {
    return { family: family === 6 ? 'inet6' : 'inet', address: host as string, port: Number(port) };
  }
  let results: SockAddr[];
  try {
    results = native().getaddrinfo(host, port, passive, family === 0);
  } catch (err) {
    const e = err as { strerror?: string; gaiCode?: number; errno?: number };
    if (isErrnoError(err) && err.errno !== 0 && e.gaiCode !== undefined) {
      // EAI_SYSTEM: "System error: <strerror>", as Moonbridge formats it
      throw new ConnectError(`System error: ${err.strerror}`);
    }
    throw new ConnectError(e.strerror ?? ioErrorMessage(err));
  }
  const pick = results.find((r) => r.family === 'inet6') ?? results.find((r) => r.family === 'inet') ?? results[0];
  if (pick === undefined) throw new ConnectError('Name or service not known');
  return pick;
}

/**
 * Registers h with the current resource scope (reset when the run or worker
 * that opened it ends) and forgets it when the app closes it.
 */
export function trackHandle(h: IoHandle): void {
  h.onRelease = trackResource({
    release: () => {
      if (!h.closed) h.reset();
    },
  });
}

/**
 * Makes a connected (or connecting) descriptor a handle: SO_LINGER {on, 0}
 * (only an explicit close is graceful), TCP_NODELAY for TCP, non-blocking;
 * tracked, pushed.
 */
export function pushSocketHandle(L: LuaState, fd: number, kind: HandleKind): void {
  const n = native();
  const c = n.constants;
  try {
    n.setNonBlocking(fd, true);
    if (kind === 'tcp') {
      n.setLinger(fd, true, 0);
      n.setsockoptInt(fd, c.IPPROTO_TCP, c.TCP_NODELAY, 1);
    }
  } catch {
    // a connection already reset: the first I/O reports it
  }
  const h = new IoHandle(fd, kind, 'socket');
  trackHandle(h);
  pushHandle(L, h);
}

function closeQuietly(fd: number): void {
  try {
    native().close(fd);
  } catch {
    // gone either way
  }
}

/** A non-blocking stream socket of addr's family: { fd, family }. Throws ConnectError. */
export function tcpSocket(addr: SockAddr): { fd: number; family: number } {
  const n = native();
  const c = n.constants;
  const family = addr.family === 'inet6' ? c.AF_INET6 : c.AF_INET;
  try {
    return { fd: n.socket(family, c.SOCK_STREAM, true), family };
  } catch (err) {
    throw new ConnectError(ioErrorMessage(err));
  }
}

/** Opens a TCP connection; returns the fd. Throws ConnectError. */
export function connectTcp(addr: SockAddr, blocking: boolean): number {
  const n = native();
  const c = n.constants;
  const { fd, family } = tcpSocket(addr);
  try {
    // -1 in progress, -2 interrupted: the connect goes on in the kernel either way
    const r = n.connectInet(fd, family, addr.address, addr.port);
    if (r !== 0 && blocking) {
      for (;;) {
        const ev = waitFd(fd, 'w', null);
        if (ev !== -2 && ev !== 0) break;
      }
      const err = n.getsockoptInt(fd, c.SOL_SOCKET, c.SO_ERROR);
      if (err !== 0) throw new ConnectError(n.strerror(err));
    }
    return fd;
  } catch (err) {
    closeQuietly(fd);
    if (err instanceof ConnectError) throw err;
    throw new ConnectError(ioErrorMessage(err));
  }
}

/** Connects to a Unix socket; returns the fd. Throws ConnectError. */
export function connectLocal(path: string, blocking: boolean): number {
  const n = native();
  const c = n.constants;
  let fd: number;
  try {
    fd = n.socket(c.AF_UNIX, c.SOCK_STREAM, !blocking);
  } catch (err) {
    throw new ConnectError(ioErrorMessage(err));
  }
  try {
    for (;;) {
      const r = n.connectUnix(fd, path);
      if (r === 0) return fd;
      if (r === -2) {
        if (blocking) continue;
        return fd;
      }
      // -1: EAGAIN (the listener's backlog is full): a Unix connect does not go on in the background
      throw new ConnectError(n.strerror(c.EAGAIN));
    }
  } catch (err) {
    closeQuietly(fd);
    if (err instanceof ConnectError) throw err;
    throw new ConnectError(ioErrorMessage(err));
  }
}

function tcpconnectVariant(blocking: boolean) {
  return cfunction((L) => {
    const host = text(lauxlib.luaL_checklstring(L, 1) as Uint8Array);
    const port = text(lauxlib.luaL_checklstring(L, 2) as Uint8Array);
    let fd: number;
    try {
      fd = connectTcp(resolve(host, port, false), blocking);
    } catch (err) {
      if (err instanceof ConnectError) return pushFailure(L, err.message);
      throw err;
    }
    pushSocketHandle(L, fd, 'tcp');
    return 1;
  });
}

function localconnectVariant(blocking: boolean) {
  return cfunction((L) => {
    const path = checkLocalPath(L, 1);
    let fd: number;
    try {
      fd = connectLocal(path, blocking);
    } catch (err) {
      if (err instanceof ConnectError) return pushFailure(L, err.message);
      throw err;
    }
    pushSocketHandle(L, fd, 'unix');
    return 1;
  });
}

export const CONNECT_FUNCTIONS: Record<string, (L: LuaState) => number> = {
  tcpconnect: tcpconnectVariant(true),
  tcpconnect_nb: tcpconnectVariant(false),
  localconnect: localconnectVariant(true),
  localconnect_nb: localconnectVariant(false),
};
