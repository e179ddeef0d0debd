/**
 * The Lua face of listeners: moonbridge_io.tcplisten(host, port) and
 * locallisten(path), and listener userdata whose metatable (listener_mt) has
 * __index = listener_pt (accept, accept_nb, close), as in Moonbridge.
 * tcplisten resolves like tcpconnect (AI_PASSIVE, IPv6 preferred; a nil host
 * means every interface), sets SO_REUSEADDR and listens with a backlog of
 * 1024; locallisten removes an existing socket file at the path first.
 * Listeners count for poll's input set (ready when a connection is pending);
 * in the output set they raise "Attempt to write-poll a listener".
 */
import * as fs from 'fs';
import { lua, lauxlib, type LuaState } from 'fengari';
import { native, type SockAddr } from '../native/binding';
import { cfunction } from '../lua/cfunction';
import { key, pushLatin1, text } from '../lua/strings';
import { objectUserdata } from './userdata';
import { ConnectError, checkLocalPath, pushFailure, pushSocketHandle, resolve, tcpSocket } from './connect';
import { IoUsageError, ioErrorMessage } from './errors';
import { Listener } from './listener';
import { registerPollable } from './poll';
import { trackResource } from './resources';

export const LISTENER_MT = key('moonbridge_io_listener');
const BACKLOG = 1024;

const listeners = objectUserdata(Listener, LISTENER_MT, 'listener');

function pushListener(L: LuaState, l: Listener): void {
  l.onRelease = trackResource({ release: () => l.release() });
  listeners.push(L, l);
}

/** The listener of the userdata at idx, or null. */
export const testListener: (L: LuaState, idx: number) => Listener | null = listeners.test;
const checkListener: (L: LuaState, idx: number) => Listener = listeners.check;

function listenTcp(addr: SockAddr): number {
  const n = native();
  const c = n.constants;
  const { fd, family } = tcpSocket(addr);
  try {
    try {
      n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1);
    } catch (err) {
      throw new ConnectError(`Error while setting SO_REUSEADDR with setsockopt: ${ioErrorMessage(err)}`);
    }
    // accepted sockets inherit SO_LINGER {on, 0}: only an explicit close is graceful
    n.setLinger(fd, true, 0);
    n.bindInet(fd, family, addr.address, addr.port);
    n.listen(fd, BACKLOG);
    return fd;
  } catch (err) {
    try { n.close(fd); } catch { /* gone */ }
    if (err instanceof ConnectError) throw err;
    throw new ConnectError(ioErrorMessage(err));
  }
}

function listenLocal(path: string): number {
  const n = native();
  try {
    if (fs.lstatSync(path).isSocket()) fs.unlinkSync(path);
  } catch {
    // no file there (or not ours to remove): bind reports the real problem
  }
  let fd: number;
  try {
    fd = n.socket(n.constants.AF_UNIX, n.constants.SOCK_STREAM, true);
  } catch (err) {
    throw new ConnectError(ioErrorMessage(err));
  }
  try {
    n.bindUnix(fd, path);
    n.listen(fd, BACKLOG);
    return fd;
  } catch (err) {
    try { n.close(fd); } catch { /* gone */ }
    throw new ConnectError(ioErrorMessage(err));
  }
}

const tcplisten = cfunction((L) => {
  const host = lua.lua_isnoneornil(L, 1) ? null : text(lauxlib.luaL_checklstring(L, 1) as Uint8Array);
  const port = text(lauxlib.luaL_checklstring(L, 2) as Uint8Array);
  let fd: number;
  try {
    fd = listenTcp(resolve(host, port, true));
  } catch (err) {
    if (err instanceof ConnectError) return pushFailure(L, err.message);
    throw err;
  }
  pushListener(L, new Listener(fd, 'tcp'));
  return 1;
});

const locallisten = cfunction((L) => {
  const path = checkLocalPath(L, 1);
  let fd: number;
  try {
    fd = listenLocal(path);
  } catch (err) {
    if (err instanceof ConnectError) return pushFailure(L, err.message);
    throw err;
  }
  pushListener(L, new Listener(fd, 'unix'));
  return 1;
});

function acceptVariant(blocking: boolean) {
  return cfunction((L) => {
    const l = checkListener(L, 1);
    let fd: number;
    try {
      fd = blocking ? l.accept() : l.acceptNb();
    } catch (err) {
      if (err instanceof ConnectError) return pushFailure(L, err.message);
      throw err;
    }
    if (fd < 0) {
      lua.lua_pushboolean(L, false);
      pushLatin1(L, 'No incoming connection pending');
      return 2;
    }
    pushSocketHandle(L, fd, l.kind);
    return 1;
  });
}

const close = cfunction((L) => {
  checkListener(L, 1).close();
  lua.lua_pushboolean(L, true);
  return 1;
});

const tostring = cfunction((L) => {
  const l = checkListener(L, 1);
  pushLatin1(L, l.closed ? 'moonbridge_io listener (closed)' : `moonbridge_io listener (fd ${l.fd})`);
  return 1;
});

const METHODS: Record<string, (L: LuaState) => number> = {
  accept: acceptVariant(true),
  accept_nb: acceptVariant(false),
  close,
};

export const LISTEN_FUNCTIONS: Record<string, (L: LuaState) => number> = { tcplisten, locallisten };

/**
 * Creates listener_pt (methods) and listener_mt (the metatable, registered
 * as LISTENER_MT, __index = listener_pt) and pushes them: listener_pt below
 * listener_mt.
 */
export function createListenerTables(L: LuaState): void {
  listeners.pushTables(L, METHODS, { __tostring: tostring });
}

registerPollable((L, idx, output) => {
  const l = testListener(L, idx);
  if (l === null) return null;
  if (output) throw new IoUsageError('Attempt to write-poll a listener');
  if (l.closed) throw new IoUsageError('Attempt to poll a closed listener');
  return { fd: l.fd, ready: false };
});
