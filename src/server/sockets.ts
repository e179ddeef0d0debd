/**
 * Creating listening sockets for listen{}: address resolution as Moonbridge
 * does it (AI_PASSIVE|AI_ADDRCONFIG, first IPv6 result, else first IPv4),
 * SO_REUSEADDR, SO_LINGER {on, 0} (inherited by accepted sockets, so only an
 * explicit close is graceful), non-blocking, close-on-exec, backlog 1024.
 */
import * as fs from 'fs';
import * as net from 'net';
import { native, type SockAddr } from '../native/binding';

export const BACKLOG = 1024;
/** sun_path holds 108 bytes including the terminating NUL. */
export const MAX_LOCAL_PATH = 107;

export class ResolveError extends Error {}

/** Resolves a listen host and port (number or service name) to one address. */
export function resolveListenAddress(host: string, port: string): SockAddr {
  const n = native();
  const family = net.isIP(host);
  if (family !== 0 && /^\d+$/.test(port)) {
    return { family: family === 6 ? 'inet6' : 'inet', address: host, port: Number(port) };
  }
  let results: SockAddr[];
  try {
    results = n.getaddrinfo(host, port, true, family === 0);
  } catch (err) {
    const detail = err as { strerror?: string; message?: string };
    throw new ResolveError(detail.strerror ?? detail.message ?? String(err));
  }
  const pick = results.find((r) => r.family === 'inet6') ?? results.find((r) => r.family === 'inet') ?? results[0];
  if (pick === undefined) throw new ResolveError('no address found');
  return pick;
}

/** Opens, binds and listens a TCP socket. Throws errno errors (the fd is closed on failure). */
export function listenTcp(addr: SockAddr): number {
  const n = native();
  const c = n.constants;
  const fd = n.socket(addr.family === 'inet6' ? c.AF_INET6 : c.AF_INET, c.SOCK_STREAM, true);
  try {
    n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1);
    n.setLinger(fd, true, 0);
    if (addr.family === 'inet6') n.setsockoptInt(fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, 0);
    n.bindInet(fd, addr.family === 'inet6' ? c.AF_INET6 : c.AF_INET, addr.address, addr.port);
    n.listen(fd, BACKLOG);
    return fd;
  } catch (err) {
    n.close(fd);
    throw err;
  }
}

/**
 * Opens, binds and listens a Unix socket at path, first removing a stale
 * socket file there. Returns the fd and whether a file was unlinked.
 */
export function listenLocal(path: string): { fd: number; unlinked: boolean } {
  const n = native();
  const c = n.constants;
  let unlinked = false;
  try {
    if (fs.lstatSync(path).isSocket()) {
      fs.unlinkSync(path);
      unlinked = true;
    }
  } catch {
    // No file there (or not ours to remove): bind reports the real problem.
  }
  const fd = n.socket(c.AF_UNIX, c.SOCK_STREAM, true);
  try {
    n.bindUnix(fd, path);
    n.listen(fd, BACKLOG);
    return { fd, unlinked };
  } catch (err) {
    n.close(fd);
    throw err;
  }
}
