/**
 * Listener: a listening socket made by io.tcplisten / io.locallisten, seen
 * from TypeScript (the Lua listener object, in camelCase). One the handler
 * did not close is closed when the handler run ends, as for Lua apps;
 * listeners made in the entry file live on and are inherited by the workers.
 */
import type { LuaState } from 'fengari';
import { wrappers } from './convert';
import { IoError } from './errors';
import { LuaObject } from './lua-object';
import type { Socket } from './socket';

export class Listener extends LuaObject {
  /** @internal */
  constructor(L: LuaState, idx: number) {
    super(L, idx);
  }

  /** Waits for a connection and returns it. */
  accept(): Socket {
    return this.io('accept', [])[0] as Socket;
  }

  /** A pending connection, or null when none is waiting. */
  acceptNb(): Socket | null {
    const r = this.invoke('accept_nb', []);
    if (r[0] === false) return null;
    if (r[0] === undefined) throw new IoError(`accept_nb: ${String(r[1])}`);
    return r[0] as Socket;
  }

  /** Stops listening (a Unix socket's file stays). */
  close(): void {
    this.invoke('close', []);
  }
}

wrappers.userdata.push((L, idx) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { testListener } = require('../io/lua-listener') as typeof import('../io/lua-listener');
  return testListener(L, idx) !== null ? new Listener(L, idx) : null;
});
