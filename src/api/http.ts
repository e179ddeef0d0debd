/**
 * moonbridge_http from TypeScript: generateHandler turns a request handler
 * into a connect handler (a LuaFunction, usable in listen() and from Lua),
 * with the same options as generate_handler in camelCase; the encoding
 * helpers work on JS strings (UTF-8 underneath, as Lua apps' strings are).
 */
import { isLuaFunction, withName, type LuaFunction } from './call';
import { MoonbridgeApiError } from './errors';
import { lua } from './lua';
import type { Request } from './request';
import { decodeUri as decodeLatin1, encodeHtml as encodeHtmlLatin1, encodeUri as encodeLatin1 } from '../http/uri';

export type RequestHandler = (request: Request) => boolean | void;

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
}

const OPTION_NAMES = [
  'staticHeaders', 'requestHeaderSizeLimit', 'requestBodySizeLimit', 'requestHeaderTimeout', 'idleTimeout',
  'stallTimeout', 'responseTimeout', 'drainTimeout', 'maximumInputChunkSize', 'minimumOutputChunkSize',
  'headerSizeLimit', 'bodySizeLimit', 'chunkSize',
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
    luaOptions[snake(k)] = v;
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
