/**
 * moonbridge_http from TypeScript: generateHandler turns a request handler
 * into a connect handler (a LuaFunction, usable in listen() and from Lua),
 * with the same options as generate_handler in camelCase; the encoding
 * helpers work on JS strings (UTF-8 underneath, as Lua apps' strings are).
 */
import { isLuaFunction, multi, withName, type LuaFunction } from './call';
import type { Pollable, PollResult } from './io';
import { MoonbridgeApiError } from './errors';
import { lua } from './lua';
import type { Request } from './request';
import { decodeUri as decodeLatin1, encodeHtml as encodeHtmlLatin1, encodeUri as encodeLatin1 } from '../http/uri';

export type RequestHandler = (request: Request) => boolean | void;

/** A poll function written in TypeScript (see HttpOptions.pollFunction). */
export type PollFunction = (inputs: Pollable[], outputs: Pollable[], timeout: number | undefined, wakeupOnSigterm: boolean) => PollResult | boolean;

/** The members of a Lua set ({[handle] = true}) as converted to JS. */
function setMembers(set: unknown): Pollable[] {
  if (set instanceof Map) return [...set.keys()] as Pollable[];
  if (set === null || set === undefined) return [];
  return Object.keys(set as object).map(Number);
}

/** The Lua-facing form of a TS poll function: sets to arrays, PollResult to poll's results. */
function luaPollFunction(fn: PollFunction): { pushLuaValue(L: unknown): void } {
  return withName((inputs: unknown, outputs: unknown, timeout: unknown, wakeup: unknown) => {
    const r = fn(setMembers(inputs), setMembers(outputs), typeof timeout === 'number' ? timeout : undefined, wakeup === true);
    if (typeof r === 'boolean') return r;
    return multi(r.ready, r.message, r.sigterm === true);
  }, 'the pollFunction option');
}

export interface HttpOptions {
  /** Headers sent with every response: ["Server: x"] or { Server: 'x' }. */
  staticHeaders?: string[] | Record<string, string>;
  requestHeaderSizeLimit?: number;
  requestBodySizeLimit?: number;
  /** Seconds for the request head (false: none). */
  requestHeaderTimeout?: number | false;
  idleTimeout?: number | false;
  stallTimeout?: number | false;
  responseTimeout?: number | false;
  drainTimeout?: number | false;
  maximumInputChunkSize?: number;
  minimumOutputChunkSize?: number;
  /** Old names generate_handler accepts too. */
  headerSizeLimit?: number;
  bodySizeLimit?: number;
  chunkSize?: number;
  /**
   * Called for every wait instead of io.poll, with the same arguments: what
   * to wait for reading and writing, the timeout in seconds (undefined:
   * none) and whether SIGTERM should end the wait; it answers as io.poll
   * does ({ ready, sigterm }) or with a boolean (false: timeout). A Lua
   * function (LuaFunction) gets the Lua sets and may yield to a coroutine
   * scheduler; a TS one must return.
   */
  pollFunction?: LuaFunction | PollFunction;
}

const OPTION_NAMES = [
  'staticHeaders', 'requestHeaderSizeLimit', 'requestBodySizeLimit', 'requestHeaderTimeout', 'idleTimeout',
  'stallTimeout', 'responseTimeout', 'drainTimeout', 'maximumInputChunkSize', 'minimumOutputChunkSize',
  'headerSizeLimit', 'bodySizeLimit', 'chunkSize', 'pollFunction',
];

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Turns an HTTP request handler into a connect handler (the Lua generate_handler). */
export function generateHandler(handler: RequestHandler, options?: HttpOptions): LuaFunction;
/** The same for a request handler written in Lua. */
export function generateHandler(handler: LuaFunction, options?: HttpOptions): LuaFunction;
export function generateHandler(handler: RequestHandler | LuaFunction, options: HttpOptions = {}): LuaFunction {
  if (typeof handler !== 'function') {
    throw new MoonbridgeApiError('generateHandler: a handler function expected');
  }
  const luaOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (!OPTION_NAMES.includes(k)) {
      throw new MoonbridgeApiError(`generateHandler: unknown option "${k}" (known: ${OPTION_NAMES.join(', ')})`);
    }
    luaOptions[snake(k)] = k === 'pollFunction' && typeof v === 'function' && !isLuaFunction(v) ? luaPollFunction(v as PollFunction) : v;
  }
  const http = lua.require('moonbridge_http') as Record<string, LuaFunction>;
  const named = isLuaFunction(handler) ? handler : withName(handler, 'the HTTP request handler');
  return http.generate_handler(named, luaOptions) as LuaFunction;
}

/** text → UTF-8 → Lua's latin1 view → helper → back. */
function viaBytes(s: string, fn: (latin1: string) => string): string {
  return Buffer.from(fn(Buffer.from(String(s), 'utf8').toString('latin1')), 'latin1').toString('utf8');
}

/** Escapes &, <, >, " and ' for HTML. */
export function encodeHtml(s: string): string {
  return viaBytes(s, encodeHtmlLatin1);
}

/** Percent-encodes for a URI component. */
export function encodeUri(s: string): string {
  return viaBytes(s, encodeLatin1);
}

/** Decodes percent-encoding (and "+" as space). */
export function decodeUri(s: string): string {
  return viaBytes(s, decodeLatin1);
}

/** Whether a status ("204 No Content") forbids a response body. */
export function statusWithoutResponseBody(status: string): boolean {
  const code = parseInt(String(status).slice(0, 3), 10);
  return (code >= 100 && code <= 199) || code === 204 || code === 304;
}
