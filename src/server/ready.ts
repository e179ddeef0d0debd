/**
 * The readiness report for an embedding program (Server.start): when the
 * environment names a file descriptor in MOONBRIDGE_LUA_READY_FD, the master
 * writes one JSON line there once the app has run and every listener is
 * bound, and closes it (before forking, so no worker holds it).
 */
import * as fs from 'fs';
import type { PoolConfig } from './config';

export const READY_FD_ENV = 'MOONBRIDGE_LUA_READY_FD';

export interface ReadyListener {
  pool: number;
  proto: 'tcp' | 'local' | 'interval' | 'main';
  /** tcp: the bound address ("::", "127.0.0.1"...) and port (the real one when 0 was asked for). */
  address?: string;
  port?: number;
  /** local: the socket path. */
  path?: string;
  /** interval, main: the name. */
  name?: string;
}

export interface ReadyReport {
  pid: number;
  listeners: ReadyListener[];
}

export function readyReport(pools: readonly PoolConfig[]): ReadyReport {
  const listeners: ReadyListener[] = [];
  for (const pool of pools) {
    for (const l of pool.listeners) {
      switch (l.proto) {
        case 'tcp': listeners.push({ pool: pool.id, proto: 'tcp', address: l.address, port: l.boundPort }); break;
        case 'local': listeners.push({ pool: pool.id, proto: 'local', path: l.path }); break;
        default: listeners.push({ pool: pool.id, proto: l.proto, name: l.name });
      }
    }
  }
  return { pid: process.pid, listeners };
}

/** Writes the report if an embedder asked for it (and forgets the variable, so workers and children do not see it). */
export function reportReady(pools: readonly PoolConfig[]): void {
  const value = process.env[READY_FD_ENV];
  if (value === undefined) return;
  delete process.env[READY_FD_ENV];
  const fd = Number(value);
  if (!Number.isInteger(fd) || fd < 3) return;
  try {
    fs.writeSync(fd, `${JSON.stringify(readyReport(pools))}\n`);
  } catch {
    // the embedder went away; the server runs on regardless
  } finally {
    try { fs.closeSync(fd); } catch { /* already closed */ }
  }
}
