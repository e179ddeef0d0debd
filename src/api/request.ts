/**
 * Request: the moonbridge_http request object seen from TypeScript, with
 * the fields and methods of the Lua request in camelCase. Text (parameters,
 * cookies, headers) is decoded as UTF-8; `body` is a Buffer; the `get(name,
 * { strings: 'buffer' })` of LuaObject gives any field as raw bytes.
 * Header lookups are case-insensitive, as in Lua.
 */
import type { LuaCFunction, LuaState } from 'fengari';
import { requestMethod } from '../http/lua-request';
import { withOptions } from './call';
import { wrappers, type ConvertOptions } from './convert';
import { LuaObject } from './lua-object';
import type { Socket, Data } from './socket';

const TEXT: ConvertOptions = { strings: 'string' };

/** Metadata of a multipart/form-data field. */
export interface PostMetadata {
  file_name?: string;
  content_type?: string;
  field_name?: string;
}

/**
 * An object whose string keys are looked up lower-cased (as HTTP header
 * names and flags are); a missing name gives absent() (as the Lua request
 * gives an empty table for headers[name] of a header that was not sent).
 */
function caseInsensitive<T extends object>(o: T, absent?: () => unknown): T {
  return new Proxy(o, {
    get: (t, p, r) => {
      if (typeof p !== 'string') return Reflect.get(t, p, r) as unknown;
      const k = p.toLowerCase();
      if (Reflect.has(t, k) || absent === undefined || p === 'toJSON' || p === 'then' || p in Object.prototype) {
        return Reflect.get(t, k, r) as unknown;
      }
      return absent();
    },
    has: (t, p) => Reflect.has(t, typeof p === 'string' ? p.toLowerCase() : p),
  });
}

/** headersFlags: tokens looked up lower-cased, false when absent. */
function flags(o: Record<string, boolean>): Record<string, boolean> {
  return caseInsensitive(o, () => false);
}

/**
 * A parameter list table as a record: the Lua list tables map each name to
 * the sequence of its values and gain an empty sequence for every name
 * looked up, which pairs() (and so this) skips.
 */
function lists<T>(v: unknown): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const [k, list] of Object.entries(asRecord<T[] | Record<string, never>>(v))) {
    if (Array.isArray(list) && list.length > 0) out[k] = list;
  }
  return out;
}

/** The first value of each name of a list record (the Lua first-value tables read through the lists). */
function firstValues<T>(l: Record<string, T[]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, list] of Object.entries(l)) out[k] = list[0];
  return out;
}

function asRecord<T>(v: unknown): Record<string, T> {
  return (v instanceof Map ? Object.fromEntries(v) : v ?? {}) as Record<string, T>;
}

export class Request extends LuaObject {
  /** @internal */
  constructor(L: LuaState, idx: number) {
    super(L, idx);
  }

  private text(name: string): string | undefined {
    return this.get(name, TEXT) as string | undefined;
  }

  /** @internal The request methods are fixed C functions: called without a lookup through __index. */
  protected override knownMethod(name: string): LuaCFunction | null {
    return requestMethod(name) ?? null;
  }

  /** method, path, query and socket are set in the request table itself (the app may change them, as in Lua). */
  private own(name: string): unknown {
    return this.rawField(name, TEXT);
  }

  /** "GET", "POST"... */
  get method(): string { return this.own('method') as string; }
  /** The requested path without the leading "/" and the query ("index.html"); undefined for OPTIONS "*". */
  get path(): string | undefined { return this.own('path') as string | undefined; }
  /** The query part with its leading "?" ("?a=b"), "" when absent; parsed in getParams. */
  get query(): string | undefined { return this.own('query') as string | undefined; }
  /** The host the request is for (from the Host header or the absolute target). */
  get host(): string { return this.text('host') as string; }
  /** The connection's socket. */
  get socket(): Socket { return this.own('socket') as Socket; }

  /** Header values by name: headers['content-type'] → ['text/html'] ([] for a header not sent). */
  get headers(): Record<string, string[]> { return caseInsensitive(asRecord<string[]>(this.get('headers', TEXT)), () => []); }
  /** Comma-separated header items as a list. */
  get headersCsvTable(): Record<string, string[]> { return caseInsensitive(asRecord<string[]>(this.get('headers_csv_table', TEXT)), () => []); }
  /** All values of a header joined with ", ". */
  get headersCsvString(): Record<string, string> { return caseInsensitive(asRecord<string>(this.get('headers_csv_string', TEXT))); }
  /** The value of a header sent once; false when it was sent several times. */
  get headersValue(): Record<string, string | false> { return caseInsensitive(asRecord<string | false>(this.get('headers_value', TEXT))); }
  /** Lower-cased comma-separated items as flags: headersFlags.connection['keep-alive'] → true (false when absent). */
  get headersFlags(): Record<string, Record<string, boolean>> {
    const all = asRecord<Record<string, boolean>>(this.get('headers_flags', TEXT));
    for (const [k, v] of Object.entries(all)) all[k] = flags(v);
    return caseInsensitive(all, () => flags({}));
  }
  /** Query parameters (the first value of each name). */
  get getParams(): Record<string, string> { return firstValues(this.getParamsList); }
  /** Query parameters, every value of each name. */
  get getParamsList(): Record<string, string[]> { return lists<string>(this.get('get_params_list', TEXT)); }
  /** POST parameters (urlencoded or multipart form), the first value of each name. */
  get postParams(): Record<string, string> { return firstValues(this.postParamsList); }
  get postParamsList(): Record<string, string[]> { return lists<string>(this.get('post_params_list', TEXT)); }
  get postMetadata(): Record<string, PostMetadata> { return firstValues(this.postMetadataList); }
  get postMetadataList(): Record<string, PostMetadata[]> { return lists<PostMetadata>(this.get('post_metadata_list', TEXT)); }
  /** POST parameters with their values as raw bytes (for uploaded files). */
  get postParamsBytes(): Record<string, Buffer> { return firstValues(lists<Buffer>(this.get('post_params_list', { strings: 'buffer' }))); }
  /** Cookies by name. */
  get cookies(): Record<string, string> { return asRecord<string>(this.get('cookies', TEXT)); }
  /** The whole request body (read on first access). */
  get body(): Buffer { return this.get('body', { strings: 'buffer' }) as Buffer; }
  /** Whether nothing has been sent or read yet. */
  get fresh(): boolean { return this.get('fresh') as boolean; }
  /** Whether the request became unusable (an I/O error while responding). */
  get faulty(): boolean { return this.get('faulty') as boolean; }

  /** Sends the status line: sendStatus('200 OK'). */
  sendStatus(status: string): this { this.invoke('send_status', [status]); return this; }
  sendHeader(name: string, value: string | number): this { this.invoke('send_header', [name, value]); return this; }
  finishHeaders(): this { this.invoke('finish_headers', []); return this; }
  /** Sends body data (after sendStatus); ignored for HEAD requests. */
  sendData(...data: Data[]): this { this.invoke('send_data', data); return this; }
  flush(): this { this.invoke('flush', []); return this; }
  /** Completes the response (and reads away an unread request body). */
  finish(): void { this.invoke('finish', []); }
  /** Closes the connection once the response is finished. */
  closeAfterFinish(): this { this.invoke('close_after_finish', []); return this; }
  /** The response is sent without waiting for the request body: it is not read (the connection closes after). */
  monologue(): this { this.invoke('monologue', []); return this; }
  /** Reads the request body now (everything that was not streamed). */
  consumeInput(): this { this.invoke('consume_input', []); return this; }
  /** Streams the body as it arrives: cb(chunk) per piece, then cb() at the end. */
  streamRequestBody(cb: (chunk: Buffer | undefined) => void): this {
    this.invoke('stream_request_body', [withOptions(cb, { strings: 'buffer' })]);
    return this;
  }
  /** Streams the whole body at once, cb(chunk) per piece (no final call, as in Lua). */
  streamRequestBodyNow(cb: (chunk: Buffer | undefined) => void): this {
    this.invoke('stream_request_body_now', [withOptions(cb, { strings: 'buffer' })]);
    return this;
  }
  /** Streams one multipart field: cb(chunk, metadata) per piece, then cb() at the end. */
  streamPostParam(field: string, cb: (chunk: Buffer | undefined, metadata: PostMetadata | undefined) => void): this {
    this.invoke('stream_post_param', [field, withOptions(cb, { strings: 'buffer' })]);
    return this;
  }
  /** Streams the multipart fields whose names match the Lua pattern. */
  streamPostParams(pattern: string, cb: (chunk: Buffer | undefined, metadata: PostMetadata | undefined) => void): this {
    this.invoke('stream_post_params', [pattern, withOptions(cb, { strings: 'buffer' })]);
    return this;
  }
}

wrappers.request = (L, idx) => new Request(L, idx);
