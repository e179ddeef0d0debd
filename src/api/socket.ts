/**
 * Socket: a moonbridge_io handle (an accepted connection, a pipe, stdin...)
 * seen from TypeScript, with the methods of a Lua socket in camelCase.
 * Blocking like the Lua API (workers have no event loop). An I/O error that
 * Lua reports as (nil, message) is thrown as IoError. The `*Call` forms take
 * a JS wait function called (socket, mode, first) while the operation would
 * block; the `*_yield` forms exist only for Lua coroutines.
 */
import type { LuaState } from 'fengari';
import { testHandle } from '../io/lua-handle';
import { wrappers } from './convert';
import { LuaObject, word } from './lua-object';

export type ReadStatus = 'term' | 'maxlen' | 'eof';
export type ReadNbStatus = ReadStatus | 'block';

/** What a read returns: the bytes, and why the read stopped. */
export interface ReadResult<S extends string = ReadStatus> {
  data: Buffer;
  status: S;
}

/** What a drain returns: the number of bytes discarded, and why it stopped. */
export interface DrainResult<S extends string = ReadStatus> {
  bytes: number;
  status: S;
}

/** Called while an operation of a `*Call` method would block; mode 'r' or 'w'. */
export type WaitFunction = (socket: Socket, mode: 'r' | 'w', first: boolean) => void;

/** Data the write methods accept: strings are sent as UTF-8, Buffers as they are, numbers as Lua prints them. */
export type Data = string | Uint8Array | number;

export class Socket extends LuaObject {
  /** @internal */
  constructor(L: LuaState, idx: number) {
    super(L, idx);
  }

  private readResult<S extends string>(r: unknown[]): ReadResult<S> {
    return { data: r[0] as Buffer, status: word(r[1]) as S };
  }

  private drainResult<S extends string>(r: unknown[]): DrainResult<S> {
    return { bytes: r[0] as number, status: word(r[1]) as S };
  }

  /** Reads up to maxlen bytes, or up to and including the one-byte terminator, or to EOF. */
  read(maxlen?: number, terminator?: string): ReadResult {
    return this.readResult(this.io('read', [maxlen, terminator]));
  }

  /** As read, without blocking: status 'block' when it stopped for lack of data. */
  readNb(maxlen?: number, terminator?: string): ReadResult<ReadNbStatus> {
    return this.readResult(this.io('read_nb', [maxlen, terminator]));
  }

  /** As read, calling wait while it would block. */
  readCall(wait: WaitFunction, maxlen?: number, terminator?: string): ReadResult {
    return this.readResult(this.io('read_call', [wait, maxlen, terminator]));
  }

  /** As read, discarding the data. */
  drain(maxlen?: number, terminator?: string): DrainResult {
    return this.drainResult(this.io('drain', [maxlen, terminator]));
  }

  drainNb(maxlen?: number, terminator?: string): DrainResult<ReadNbStatus> {
    return this.drainResult(this.io('drain_nb', [maxlen, terminator]));
  }

  drainCall(wait: WaitFunction, maxlen?: number, terminator?: string): DrainResult {
    return this.drainResult(this.io('drain_call', [wait, maxlen, terminator]));
  }

  /** Buffers data for sending (blocking only when the buffer is full); chainable. */
  write(...data: Data[]): this {
    this.io('write', data);
    return this;
  }

  /** As write, never blocking: returns the bytes still buffered (0 when all went out). */
  writeNb(...data: Data[]): number {
    return this.io('write_nb', data)[0] as number;
  }

  writeCall(wait: WaitFunction, ...data: Data[]): this {
    this.io('write_call', [wait, ...data]);
    return this;
  }

  /** Writes data and sends everything buffered; chainable. */
  flush(...data: Data[]): this {
    this.io('flush', data);
    return this;
  }

  /** As flush, never blocking: returns the bytes not yet passed to the OS. */
  flushNb(...data: Data[]): number {
    return this.io('flush_nb', data)[0] as number;
  }

  flushCall(wait: WaitFunction, ...data: Data[]): this {
    this.io('flush_call', [wait, ...data]);
    return this;
  }

  /** Flushes and shuts down the sending side (the peer sees EOF); reading stays possible. */
  finish(): void {
    this.io('finish', []);
  }

  /** Flushes and closes the connection. */
  close(): void {
    this.io('close', []);
  }

  /** Closes the connection at once, discarding unsent data (a TCP reset). */
  reset(): void {
    this.io('reset', []);
  }

  private address(name: string): string | undefined {
    return this.get(name, { strings: 'string' }) as string | undefined;
  }

  /** Local IPv4 address as text ("127.0.0.1"), undefined if the socket is not IPv4. */
  get localIp4(): string | undefined { return this.address('local_ip4'); }
  /** Local IPv6 address as text ("::1", "::ffff:127.0.0.1"), undefined if not IPv6. */
  get localIp6(): string | undefined { return this.address('local_ip6'); }
  get localTcpport(): number | undefined { return this.get('local_tcpport') as number | undefined; }
  /** Remote IPv4 address as text. */
  get remoteIp4(): string | undefined { return this.address('remote_ip4'); }
  /** Remote IPv6 address as text. */
  get remoteIp6(): string | undefined { return this.address('remote_ip6'); }
  get remoteTcpport(): number | undefined { return this.get('remote_tcpport') as number | undefined; }
}

wrappers.userdata.push((L, idx) => (testHandle(L, idx) !== null ? new Socket(L, idx) : null));
