/**
 * Child: a process started by io.exec, seen from TypeScript (the Lua child
 * object of moonbridge_io.exec, in camelCase). Its stdin, stdout and stderr
 * are Sockets. A child the handler did not wait for is killed and reaped when
 * the handler run ends, as for Lua apps.
 */
import type { LuaState } from 'fengari';
import { wrappers } from './convert';
import { LuaObject } from './lua-object';
import type { Socket } from './socket';

/** Called while wait would block: (child, 'r', first). */
export type ChildWaitFunction = (child: Child, mode: 'r', first: boolean) => void;

export class Child extends LuaObject {
  /** @internal */
  constructor(L: LuaState, idx: number) {
    super(L, idx);
  }

  /** The child's standard input (write to it; finish() gives the child EOF). */
  get stdin(): Socket { return this.get('stdin') as Socket; }
  /** The child's standard output. */
  get stdout(): Socket { return this.get('stdout') as Socket; }
  /** The child's standard error. */
  get stderr(): Socket { return this.get('stderr') as Socket; }

  /** Sends a signal (default 9, SIGKILL); chainable. */
  kill(signal?: number): this {
    this.invoke('kill', signal === undefined ? [] : [signal]);
    return this;
  }

  /** Waits until the child exited: its exit code, or minus the signal number that ended it. */
  wait(): number {
    return this.invoke('wait', [])[0] as number;
  }

  /** The status if the child has exited, else null (it is still running). */
  waitNb(): number | null {
    const r = this.invoke('wait_nb', []);
    return typeof r[0] === 'number' ? r[0] : null;
  }

  /** As wait, calling wait while the child runs. */
  waitCall(wait: ChildWaitFunction): number {
    return this.invoke('wait_call', [wait])[0] as number;
  }
}

wrappers.userdata.push((L, idx) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { testChild } = require('../io/lua-child') as typeof import('../io/lua-child');
  return testChild(L, idx) !== null ? new Child(L, idx) : null;
});
