/** What listen{} declares: pools of workers and their listeners. */

export type ListenerConfig =
  | { proto: 'tcp'; index: number; host: string; port: string; fd: number; family: 'inet' | 'inet6'; address: string; boundPort: number }
  | { proto: 'local'; index: number; path: string; fd: number }
  | { proto: 'interval'; index: number; name: string; delay: number; strict: boolean }
  | { proto: 'main'; index: number; name: string };

export interface PoolConfig {
  /** Pool number, from 1 in listen{} call order. */
  id: number;
  listeners: ListenerConfig[];
  preFork: number;
  minFork: number;
  maxFork: number;
  forkDelay: number;
  forkErrorDelay: number;
  exitDelay: number;
  idleTimeout: number;
  memoryLimit: number;
  /** Lua registry references of the handlers (LUA_NOREF when absent). */
  prepareRef: number;
  connectRef: number;
  finishRef: number;
}

/** Listening sockets of a pool that workers accept on. */
export function acceptingListeners(pool: PoolConfig): Array<ListenerConfig & { fd: number }> {
  return pool.listeners.filter((l): l is Extract<ListenerConfig, { fd: number }> => l.proto === 'tcp' || l.proto === 'local');
}
